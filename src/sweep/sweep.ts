// A sweep: runs this shard's slice of the plan on the worker pool, records each run as it finishes
// (results file, progress, a line per failure), re-runs a share of seeds in another worker to check
// determinism, stops early on --max-failures or a signal, and folds everything into the summary.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fnv1a64 } from '../core/hash.js';
import { renderJUnit } from '../report/junit.js';
import { firstDivergence } from '../run/determinism.js';
import { writeWhole } from '../trace/output-file.js';
import { jobReproduce, type RunJob } from './job.js';
import { junitSuites } from './junit-suites.js';
import type { PlannedRun, PlannedSpec, SweepPlan } from './plan.js';
import { type JobEnd, WorkerPool } from './pool.js';
import type { ProgressView } from './progress.js';
import { runExitCode, type SweepRecord, sweepFailureSignature, verdictOf } from './record.js';
import { RESULTS_FORMAT, type ResultsEnd, ResultsWriter } from './results-file.js';
import { type SweepSummary, summarize } from './summary.js';
import { failureLine } from './summary-text.js';

/** Which traces a sweep keeps on disk. */
export type KeepTraces = 'failed' | 'all' | 'none';

/** Everything a sweep needs. */
export interface SweepOptions {
  readonly plan: SweepPlan;
  readonly specs: readonly PlannedSpec[];
  readonly knobs: readonly string[];
  readonly plugins: readonly string[];
  readonly version: string;
  /** How users invoke faultline in reproduce commands (`npx faultline` in a project). Default `faultline`. */
  readonly command?: string;
  readonly maxSimSeconds?: number;
  /** `--no-oracle`: every run without the oracle. */
  readonly noOracle?: boolean;
  readonly jobs: number;
  readonly timeoutSeconds?: number;
  readonly maxMemoryMb?: number;
  readonly keepTraces: KeepTraces;
  readonly traceDir: string;
  readonly resultsFile?: string;
  readonly junitFile?: string;
  readonly maxFailures?: number;
  /** Share of runs (0..1) re-run in another worker to compare trace hash and unseed. */
  readonly checkDeterminism?: number;
  /** The module exporting the built-in workloads, for the workers. */
  readonly builtinsFile: string;
  readonly progress: ProgressView;
  /** Aborted on Ctrl-C or SIGTERM: runs in flight are ended and the sweep stops cleanly. */
  readonly signal?: AbortSignal;
}

/** How a sweep ended. */
export interface SweepResult {
  readonly records: readonly SweepRecord[];
  readonly summary: SweepSummary;
  readonly stopped: ResultsEnd['stopped'];
  readonly wallSeconds: number;
  /** Runs re-run for the determinism check (whatever the verdict). */
  readonly rechecked: number;
}

/** The trace file name of a run: spec file name, seed, and BUGGIFY when on. */
function tracePathOf(dir: string, run: PlannedRun): string {
  const base = path.basename(run.specPath, path.extname(run.specPath)).replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(dir, `${base}.${run.seed}${run.buggify ? '.buggify' : ''}.jsonl`);
}

/** Whether run `r` is one of the re-checked share: decided by spec and seed, the same on every machine. */
function rechecked(r: PlannedRun, ratio: number | undefined): boolean {
  if (!ratio) return false;
  return Number(fnv1a64(`${r.specPath} ${r.seed} ${r.buggify}`) % 1_000_000n) < ratio * 1_000_000;
}

/** The record of a run the sweep lost (timeout, out of memory, crash). */
function lostRecord(
  job: RunJob,
  spec: PlannedSpec,
  end: Extract<JobEnd, { kind: 'lost' | 'bad-input' }>,
): SweepRecord {
  const outcome = end.kind === 'bad-input' ? 'crash' : end.outcome;
  const message = end.kind === 'bad-input' ? `bad input during the sweep: ${end.message}` : end.message;
  return {
    index: job.index,
    spec: job.specPath,
    specSha256: spec.sha256,
    title: path.basename(job.specPath, '.toml'),
    seed: job.seed,
    buggify: job.buggify,
    expectFailure: job.expectFailure,
    outcome,
    verdict: verdictOf(outcome, job.expectFailure),
    exitCode: runExitCode(outcome),
    signature: sweepFailureSignature(outcome, job.specPath, message),
    message,
    wallSeconds: end.kind === 'lost' ? end.wallSeconds : 0,
    ...(job.tracePath !== undefined && existsSync(job.tracePath) ? { tracePath: job.tracePath } : {}),
    reproduce: jobReproduce(job),
    sometimes: [],
  };
}

function readLines(file: string | undefined): string[] {
  if (file === undefined || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/** The results file, its header written, when one was asked for. */
function openResults(o: SweepOptions): ResultsWriter | undefined {
  if (o.resultsFile === undefined) return undefined;
  return new ResultsWriter(o.resultsFile, {
    kind: 'faultline-sweep',
    format: RESULTS_FORMAT,
    version: o.version,
    planId: o.plan.id,
    seedsLabel: o.plan.seedsLabel,
    total: o.plan.total,
    shard: o.plan.shard,
    planned: o.plan.runs.length,
    specs: o.specs.map((s) => ({ path: s.path, sha256: s.sha256, expectFailure: s.expectFailure })),
    jobs: o.jobs,
  });
}

/** The job a worker gets for a planned run. */
function jobOf(o: SweepOptions, r: PlannedRun, tracePath: string | undefined): RunJob {
  return {
    index: r.index,
    specPath: r.specPath,
    seed: r.seed,
    buggify: r.buggify,
    buggifyFlag: r.buggifyFlag,
    expectFailure: o.specs.find((s) => s.path === r.specPath)?.expectFailure ?? false,
    knobs: o.knobs,
    plugins: o.plugins,
    ...(o.maxSimSeconds !== undefined ? { maxSimSeconds: o.maxSimSeconds } : {}),
    ...(o.noOracle ? { noOracle: true } : {}),
    ...(tracePath !== undefined ? { tracePath } : {}),
    version: o.version,
    ...(o.command !== undefined ? { command: o.command } : {}),
  };
}

/** Deletes a run's trace file unless `keep` keeps it (`failed`: only runs whose verdict is failed). */
function pruneTrace(record: SweepRecord, keep: KeepTraces): SweepRecord {
  if (record.tracePath === undefined) return record;
  if (keep === 'all' || (keep === 'failed' && record.verdict === 'failed')) return record;
  rmSync(record.tracePath, { force: true });
  const { tracePath: _deleted, ...rest } = record;
  return rest;
}

/** Runs a sweep; see the file header. */
export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const start = performance.now();
  const specByPath = new Map(o.specs.map((s) => [s.path, s]));
  const results = openResults(o);
  const pool = new WorkerPool({
    size: o.jobs,
    setup: { builtinsFile: o.builtinsFile },
    ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: o.timeoutSeconds } : {}),
    ...(o.maxMemoryMb !== undefined ? { maxMemoryMb: o.maxMemoryMb } : {}),
  });
  const records: SweepRecord[] = [];
  let stopped: ResultsEnd['stopped'] = 'completed';
  let failed = 0;
  let rechecks = 0;
  const stop = (why: ResultsEnd['stopped']) => {
    if (stopped === 'completed') stopped = why;
    void pool.stop();
  };
  const onAbort = () => stop('interrupted');
  o.signal?.addEventListener('abort', onAbort);
  if (o.signal?.aborted) stop('interrupted');

  const one = async (r: PlannedRun): Promise<void> => {
    const check = rechecked(r, o.checkDeterminism);
    const tracePath = o.keepTraces !== 'none' || check ? tracePathOf(o.traceDir, r) : undefined;
    const job = jobOf(o, r, tracePath);
    const first = await pool.run(job);
    if (first.end.kind === 'cancelled') return;
    let record =
      first.end.kind === 'record'
        ? first.end.record
        : lostRecord(job, specByPath.get(r.specPath)!, first.end);
    if (check && first.end.kind === 'record') {
      const againPath = `${tracePath}.recheck`;
      const second = await pool.run({ ...job, tracePath: againPath }, first.slot, true);
      if (second.end.kind === 'cancelled') return;
      rechecks++;
      record = compareRuns(record, second.end, tracePath, againPath);
      if (record.outcome !== 'nondeterministic') rmSync(againPath, { force: true });
    }
    record = pruneTrace(record, o.keepTraces);
    records.push(record);
    results?.add(record);
    if (record.verdict === 'failed') {
      failed++;
      o.progress.log(failureLine(record));
      if (o.maxFailures !== undefined && failed >= o.maxFailures) stop('max-failures');
    }
    o.progress.update({
      done: records.length,
      total: o.plan.runs.length,
      passed: records.length - failed,
      failed,
    });
  };

  try {
    await Promise.all(o.plan.runs.map(one));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await pool.stop();
    o.progress.stop();
  }
  const wallSeconds = (performance.now() - start) / 1000;
  results?.end({ finished: records.length, stopped, wallSeconds });
  const deferNegatives = o.plan.shard.count > 1;
  const summary = summarize(records, o.plan.runs.length, deferNegatives);
  if (o.junitFile)
    writeWhole(o.junitFile, renderJUnit('faultline sweep', junitSuites(records, summary, deferNegatives)));
  return { records, summary, stopped, wallSeconds, rechecked: rechecks };
}

/**
 * The first run's record, turned `nondeterministic` when the second run (its end given) disagrees on trace
 * hash or unseed; the message names the first differing line of the two trace files.
 */
export function compareRuns(
  first: SweepRecord,
  second: JobEnd,
  firstTrace: string | undefined,
  secondTrace: string,
): SweepRecord {
  if (second.kind !== 'record') {
    const why = second.kind === 'lost' || second.kind === 'bad-input' ? second.message : 'cancelled';
    return markNondeterministic(
      first,
      `the re-run for the determinism check did not finish like the first: ${why}`,
    );
  }
  const b = second.record;
  if (b.traceHash === first.traceHash && b.unseed === first.unseed) return first;
  const d = firstDivergence(readLines(firstTrace), readLines(secondTrace));
  const where = d
    ? `; first difference at trace line ${d.line} (${d.type} at ${d.time?.toFixed(6)} s):\n  first run:  ${d.first ?? '(trace ended)'}\n  second run: ${d.second ?? '(trace ended)'}`
    : '';
  return markNondeterministic(
    first,
    `two runs of seed ${first.seed} differ (trace hash ${first.traceHash} vs ${b.traceHash}, unseed ${first.unseed} vs ${b.unseed})${where}`,
  );
}

function markNondeterministic(r: SweepRecord, message: string): SweepRecord {
  return {
    ...r,
    outcome: 'nondeterministic',
    verdict: 'failed',
    exitCode: runExitCode('nondeterministic'),
    signature: sweepFailureSignature('nondeterministic', r.spec, message),
    message,
  };
}
