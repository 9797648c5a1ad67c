// `import { runSpec } from 'faultline/testing'`: one simulation from a user's own test runner (vitest,
// node:test, jest). A spec file or spec text, a seed, plugins: the built-in workloads plus the plugins
// are loaded as the command line loads them, and the result says whether it passed, what failed, where
// the trace is and the one command that reproduces it.
import path from 'node:path';
import { commandName, faultlineVersion, loadBuiltinWorkloads } from '../cli/builtins.js';
import { pluginRequests } from '../cli/plugin-flags.js';
import { BadInputError } from '../core/errors.js';
import type { FailureRecord, RunOutcome, RunResult } from '../run/result.js';
import { runSpec as runOne } from '../run/run-spec.js';
import { loadSpecFile } from '../spec/load.js';
import { parseSpec } from '../spec/parse.js';
import { TraceWriter } from '../trace/writer.js';
import { displayPath, pluginRegistry } from '../workload/plugin-loader.js';

/** What to simulate. Give `spec` (a file) or `specText`. */
export interface SimulationOptions {
  /** A TOML spec file (relative to the working folder); its `plugins` are relative to it. */
  readonly spec?: string;
  /** Spec text instead of a file; its `plugins` are relative to `specDir` (default: the working folder). */
  readonly specText?: string;
  /** The folder `specText`'s plugins are relative to. */
  readonly specDir?: string;
  /** The seed (a non-negative integer). */
  readonly seed: number;
  /** Plugin files or folders, as `--plugin` takes them (relative to the working folder). */
  readonly plugins?: readonly string[];
  /** BUGGIFY on or off (a spec's `[configuration] buggify` wins). Default off. */
  readonly buggify?: boolean;
  /** Where the trace file goes; default: kept in memory only (no file). */
  readonly traceDir?: string;
  /** Most simulated seconds before the run ends as did-not-finish; default as `faultline run`. */
  readonly maxSimSeconds?: number;
}

/** What a simulation found. */
export interface SimulationResult {
  /** True when the run passed: no Severity-40 event, and it finished. */
  readonly passed: boolean;
  readonly outcome: RunOutcome;
  /** Every Severity-40 event (a workload's ctx.fail, a crash, a consistency-check mismatch). */
  readonly failures: readonly FailureRecord[];
  /** The trace file, when `traceDir` was given. */
  readonly tracePath?: string;
  /** The command that reproduces this run (`faultline run SPEC --seed N ...`). */
  readonly reproduce: string;
  /** A one-paragraph summary for a test's failure message: outcome, first failures, reproduce command. */
  readonly summary: string;
  /** The whole result, as `faultline run --format json` reports it. */
  readonly result: RunResult;
}

function summarize(r: RunResult): string {
  const head = r.outcome === 'passed' ? 'passed' : r.outcome === 'failed' ? 'FAILED' : 'DID NOT FINISH';
  const lines = [`${r.title} with seed ${r.seed}: ${head}`];
  for (const f of r.failures.slice(0, 5)) {
    lines.push(`  ${f.time.toFixed(3)}s ${f.type}${f.workload ? ` [${f.workload}]` : ''}: ${f.reason}`);
  }
  if (r.failures.length > 5) lines.push(`  ... and ${r.failures.length - 5} more`);
  if (r.didNotFinish) lines.push(`  ${r.didNotFinish.reason} (${r.didNotFinish.duringTest})`);
  lines.push(`Reproduce: ${r.reproduce}`);
  return lines.join('\n');
}

/**
 * Runs one spec with one seed and returns what happened. Bad input (a spec, option or plugin mistake)
 * throws a BadInputError whose message names the file, so the calling test fails with it; a failed
 * invariant is `passed: false` with the failures and the reproduce command.
 */
export async function runSpec(opts: SimulationOptions): Promise<SimulationResult> {
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) {
    throw new BadInputError(`seed must be a non-negative integer, got ${opts.seed}`, {
      file: '<runSpec>',
      key: 'seed',
    });
  }
  let spec: ReturnType<typeof parseSpec>;
  let sha256: string | undefined;
  if (opts.spec !== undefined) {
    const loaded = loadSpecFile(opts.spec);
    spec = loaded.spec;
    sha256 = loaded.sha256;
  } else if (opts.specText !== undefined) {
    spec = parseSpec(opts.specText, path.join(opts.specDir ?? process.cwd(), '<spec text>'));
  } else {
    throw new BadInputError('give runSpec a spec file or specText', { file: '<runSpec>', key: 'spec' });
  }
  const builtins = await loadBuiltinWorkloads();
  const testNames = spec.tests.flatMap((t) => t.workloads.map((w) => w.testName));
  const { registry, plugins } = await pluginRegistry(
    builtins,
    pluginRequests(opts.plugins ?? [], spec),
    testNames,
  );
  const title = spec.tests[0]?.testTitle ?? 'test';
  const tracePath =
    opts.traceDir !== undefined
      ? path.join(opts.traceDir, `${title.replace(/[^A-Za-z0-9._-]/g, '_') || 'test'}.${opts.seed}.jsonl`)
      : undefined;
  const result = await runOne({
    spec,
    specPath: opts.spec ?? '<spec text>',
    ...(sha256 !== undefined ? { specSha256: sha256 } : {}),
    seed: opts.seed,
    ...(opts.buggify !== undefined ? { buggify: opts.buggify } : {}),
    traceSink: new TraceWriter(tracePath !== undefined ? { path: tracePath } : { memory: true }),
    registry,
    plugins: plugins.map((p) => ({ file: displayPath(p.file), sha256: p.sha256 })),
    pluginFlags: opts.plugins ?? [],
    command: commandName(),
    version: faultlineVersion(),
    ...(opts.maxSimSeconds !== undefined
      ? { maxSimSeconds: opts.maxSimSeconds, maxSimSecondsFlag: true }
      : {}),
  });
  return {
    passed: result.outcome === 'passed',
    outcome: result.outcome,
    failures: result.failures,
    ...(result.tracePath !== undefined ? { tracePath: result.tracePath } : {}),
    reproduce: result.reproduce,
    summary: summarize(result),
    result,
  };
}
