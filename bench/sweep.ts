// Sweep benchmark: runs per second of one seed plan with one worker and then with two, one after the
// other in this process tree, their ratio, and the sweep's own overhead (wall time the workers were not
// running a run: pool, messages, results, progress) as a share of the runs' time. It also reports the CPU
// seconds a run costs and how many cores one worker keeps busy: a worker process collects garbage on its
// own thread (--single-threaded-gc), but V8 still compiles on helper threads and the sweep's own process
// works too, so one worker keeps more than one core busy, which caps what a second worker can add.
//
// Run with `npm run build && node dist/bench/sweep.js [SPEC|DIR...] [--seeds N] [--base-seed B]`
// (default: tests/fast, 2 seeds from base seed 1, BUGGIFY random). Prints a table, then one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { builtinWorkloadsFile, faultlineVersion, loadBuiltinWorkloads } from '../src/cli/builtins.js';
import { buildPlan, type PlannedSpec } from '../src/sweep/plan.js';
import type { ProgressView } from '../src/sweep/progress.js';
import { expandSpecArgs, loadSweepSpecs } from '../src/sweep/specs.js';
import { runSweep } from '../src/sweep/sweep.js';

interface Args {
  readonly specs: string[];
  readonly seeds: number;
  readonly base: number;
}

function parseArgs(argv: readonly string[]): Args {
  const specs: string[] = [];
  let seeds = 2;
  let base = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seeds') seeds = Number(argv[++i]);
    else if (a === '--base-seed') base = Number(argv[++i]);
    else specs.push(a);
  }
  return { specs: specs.length > 0 ? specs : ['tests/fast'], seeds, base };
}

const quiet: ProgressView = { update: () => {}, log: () => {}, stop: () => {} };

interface Figures {
  readonly jobs: number;
  readonly runs: number;
  readonly wallSeconds: number;
  readonly runsPerSec: number;
  /** 1 - (sum of the runs' own wall seconds) / (wall seconds × workers). */
  readonly overhead: number;
  readonly failed: number;
  /** CPU seconds per run: the worker processes during their runs (every thread) and the sweep process. */
  readonly cpuPerRun: number;
  /** Cores the process kept busy on average: CPU seconds / wall seconds. */
  readonly coresBusy: number;
}

async function measure(
  jobs: number,
  specs: readonly PlannedSpec[],
  args: Args,
  version: string,
): Promise<Figures> {
  const plan = buildPlan({
    specs,
    seeds: { kind: 'count', base: args.base, count: args.seeds },
    buggify: 'random',
    knobs: [],
    plugins: [],
    version,
  });
  const traceDir = mkdtempSync(path.join(tmpdir(), 'faultline-bench-sweep-'));
  const cpuBefore = process.cpuUsage();
  try {
    const r = await runSweep({
      plan,
      specs,
      knobs: [],
      plugins: [],
      version,
      jobs,
      timeoutSeconds: 1200,
      keepTraces: 'none',
      traceDir,
      builtinsFile: builtinWorkloadsFile(),
      progress: quiet,
    });
    const busy = r.records.reduce((a, x) => a + x.wallSeconds, 0);
    // The sweep's own process, plus each worker process's CPU during its runs (every thread of it).
    const used = process.cpuUsage(cpuBefore);
    const cpu = (used.user + used.system) / 1e6 + r.records.reduce((a, x) => a + (x.cpuSeconds ?? 0), 0);
    return {
      jobs,
      runs: r.records.length,
      wallSeconds: r.wallSeconds,
      runsPerSec: r.records.length / r.wallSeconds,
      overhead: 1 - busy / (r.wallSeconds * jobs),
      failed: r.summary.failed,
      cpuPerRun: cpu / r.records.length,
      coresBusy: cpu / r.wallSeconds,
    };
  } finally {
    rmSync(traceDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const version = faultlineVersion();
  const specs = await loadSweepSpecs(
    expandSpecArgs(args.specs),
    await loadBuiltinWorkloads(),
    [],
    args.base,
    [],
  );
  const one = await measure(1, specs, args, version);
  const two = await measure(2, specs, args, version);
  console.log(`sweep of ${specs.length} specs x ${args.seeds} seeds (base ${args.base}), BUGGIFY random`);
  console.log('jobs  runs  wall s   runs/s  overhead  failed  cpu s/run  cores busy');
  for (const f of [one, two]) {
    console.log(
      `${String(f.jobs).padStart(4)}  ${String(f.runs).padStart(4)}  ${f.wallSeconds.toFixed(1).padStart(6)}  ` +
        `${f.runsPerSec.toFixed(3).padStart(7)}  ${(f.overhead * 100).toFixed(1).padStart(7)}%  ${String(f.failed).padStart(6)}` +
        `  ${f.cpuPerRun.toFixed(3).padStart(9)}  ${f.coresBusy.toFixed(2).padStart(10)}`,
    );
  }
  const ratio = two.runsPerSec / one.runsPerSec;
  // One worker already keeps more than one core busy (V8's compiler threads, the sweep's own process), so on C
  // cores two workers can gain at most C / (cores one worker keeps busy).
  const ceiling = Math.min(2, availableParallelism() / one.coresBusy);
  console.log(
    `ratio (2 workers / 1 worker): ${ratio.toFixed(2)}; ceiling on this machine: ${ceiling.toFixed(2)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'sweep',
      specs: specs.length,
      seeds: args.seeds,
      runs: one.runs,
      jobs1RunsPerSec: Number(one.runsPerSec.toFixed(4)),
      jobs2RunsPerSec: Number(two.runsPerSec.toFixed(4)),
      ratio: Number((two.runsPerSec / one.runsPerSec).toFixed(3)),
      overheadJobs1: Number(one.overhead.toFixed(4)),
      overheadJobs2: Number(two.overhead.toFixed(4)),
      cpuPerRunJobs1: Number(one.cpuPerRun.toFixed(4)),
      cpuPerRunJobs2: Number(two.cpuPerRun.toFixed(4)),
      coresBusyJobs1: Number(one.coresBusy.toFixed(3)),
      coresBusyJobs2: Number(two.coresBusy.toFixed(3)),
      ratioCeiling: Number(ceiling.toFixed(3)),
      cores: availableParallelism(),
      node: process.version,
    }),
  );
}

await main();
