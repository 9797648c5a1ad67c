// `merge`: folds the result files of a plan's shards into one set of records in plan order. Files from
// different plans or faultline versions are refused; shards that are missing, repeated or incomplete
// are reported, since the merged summary then does not cover the whole plan.
import { BadInputError } from '../core/errors.js';
import type { SweepRecord } from './record.js';
import type { ResultsFile, ResultsHeader } from './results-file.js';

/** The merged shards. */
export interface Merged {
  /** The first file's header (every file agrees on version, plan and shard count). */
  readonly header: ResultsHeader;
  /** Every run of every shard, in plan order. */
  readonly records: readonly SweepRecord[];
  /** What keeps the merge from covering the whole plan: missing or incomplete shards. */
  readonly gaps: readonly string[];
  /** The longest shard's wall time, seconds. */
  readonly wallSeconds: number;
}

function refuse(message: string, hint: string): never {
  throw new BadInputError(message, { file: '<command line>' }, hint);
}

function checkSamePlan(files: readonly ResultsFile[]): void {
  const a = files[0]!;
  for (const b of files.slice(1)) {
    if (b.header.version !== a.header.version) {
      refuse(
        `${a.file} was written by faultline ${a.header.version} and ${b.file} by faultline ${b.header.version}`,
        'merge only the shards of one sweep, run by one faultline version',
      );
    }
    if (b.header.planId !== a.header.planId) {
      refuse(
        `${a.file} and ${b.file} come from different sweep plans (${a.header.planId}: ${a.header.seedsLabel}; ` +
          `${b.header.planId}: ${b.header.seedsLabel})`,
        'every shard must be given the same specs, seeds, --buggify, --knob and --plugin flags',
      );
    }
    if (b.header.shard.count !== a.header.shard.count) {
      refuse(
        `${a.file} is one of ${a.header.shard.count} shards and ${b.file} one of ${b.header.shard.count}`,
        'merge the shards of one sweep',
      );
    }
  }
}

/** Merges shard result files; throws BadInputError for files that do not belong together. */
export function mergeResults(files: readonly ResultsFile[]): Merged {
  if (files.length === 0) refuse('no results files to merge', 'e.g. faultline merge results/*.jsonl');
  checkSamePlan(files);
  const header = files[0]!.header;
  const count = header.shard.count;
  const byShard = new Map<number, ResultsFile>();
  for (const f of files) {
    const seen = byShard.get(f.header.shard.index);
    if (seen)
      refuse(
        `shard ${f.header.shard.index}/${count} appears twice: ${seen.file} and ${f.file}`,
        'give each shard once',
      );
    byShard.set(f.header.shard.index, f);
  }
  const gaps: string[] = [];
  for (let i = 1; i <= count; i++) {
    const f = byShard.get(i);
    if (!f) {
      gaps.push(`shard ${i}/${count} is missing (no results file given for it)`);
      continue;
    }
    const n = f.records.length;
    if (!f.end)
      gaps.push(
        `shard ${i}/${count} (${f.file}) has no end line: its sweep was killed after ${n} of ${f.header.planned} runs`,
      );
    else if (f.end.stopped !== 'completed' || n < f.header.planned) {
      gaps.push(
        `shard ${i}/${count} (${f.file}) stopped early (${f.end.stopped}) after ${n} of ${f.header.planned} runs`,
      );
    }
  }
  const records = files.flatMap((f) => f.records).sort((a, b) => a.index - b.index);
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.index === records[i - 1]!.index) {
      refuse(`run ${records[i]!.index} of the plan appears in two files`, 'give each shard once');
    }
  }
  const wallSeconds = Math.max(0, ...files.map((f) => f.end?.wallSeconds ?? 0));
  return { header, records, gaps, wallSeconds };
}
