// `faultline merge RESULTS...`: folds the result files of a sweep's shards into one summary, and
// optionally one JUnit file and one results file. Wiring only; the folding is src/sweep/merge.ts.
import { renderJUnit } from '../report/junit.js';
import { junitSuites } from '../sweep/junit-suites.js';
import { mergeResults } from '../sweep/merge.js';
import { readResultsFile, writeResultsFile } from '../sweep/results-file.js';
import { summarize } from '../sweep/summary.js';
import { githubAnnotation, renderSummary } from '../sweep/summary-text.js';
import { writeWhole } from '../trace/output-file.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

/** The options `faultline merge` takes. */
export interface MergeFlags {
  readonly junit?: string;
  readonly results?: string;
}

/**
 * Runs the `merge` command; returns the exit code: 0 when the whole plan ran and passed, 1 when a run
 * failed or a shard is missing or incomplete. Bad or mismatched files throw (exit 2).
 */
export function mergeCommand(files: readonly string[], flags: MergeFlags, io: CliIo): number {
  const merged = mergeResults(files.map((f) => readResultsFile(f)));
  const { header, records } = merged;
  const summary = summarize(records, header.total);
  if (flags.junit !== undefined)
    writeWhole(flags.junit, renderJUnit('faultline sweep', junitSuites(records, summary, false)));
  if (flags.results !== undefined) {
    writeResultsFile(
      flags.results,
      { ...header, shard: { index: 1, count: 1 }, planned: header.total },
      records,
      {
        finished: records.length,
        stopped: merged.gaps.length === 0 ? 'completed' : 'interrupted',
        wallSeconds: merged.wallSeconds,
      },
    );
  }
  const stopped = merged.gaps.length === 0 ? 'completed' : 'incomplete';
  io.stdout(
    `Merged ${files.length} results file${files.length === 1 ? '' : 's'} of plan ${header.planId} (${header.shard.count} shard${header.shard.count === 1 ? '' : 's'})\n`,
  );
  for (const g of merged.gaps) io.stdout(`  INCOMPLETE: ${g}\n`);
  io.stdout(
    renderSummary(summary, { seedsLabel: header.seedsLabel, wallSeconds: merged.wallSeconds, stopped }),
  );
  if (io.env.GITHUB_ACTIONS === 'true') for (const g of summary.groups) io.stdout(githubAnnotation(g));
  return summary.failing || merged.gaps.length > 0 ? EXIT.failed : EXIT.passed;
}
