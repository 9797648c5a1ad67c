// Compares two built checkouts in one process, their runs interleaved: kernel wake-ups, and whole runs of
// the default spec seed by seed. These machines are shared and their speed drifts by a third within an
// hour, so two builds measured one after the other differ by more than most changes do; measured in
// turn, a few seconds apart, both see the same machine.
//
//   npm run build && node dist/bench/compare-builds.js --a /path/to/before --b . [--seeds 1..10]
//     [--rounds 1] [--kernel-rounds 15] [--fresh]
//
// With --fresh every run is a process of its own (each build's dist/bench/throughput-run.js, as
// bench:throughput runs them), so the figures include V8's warm-up, as a user's `faultline run` does;
// without it both builds run in this one process and are warm after their first seeds.
//
// Each path is a checkout whose `dist/` is built (`git worktree add`, link node_modules, `npm run build`).
// For builds whose traces are the same seed for seed, the per-seed ratio is the figure to read; when a
// change alters the runs, the sums over all seeds (wall and CPU per commit) are. CPU time is printed beside
// wall time: it includes V8's background threads (garbage collection, compilation), and it drifts less
// with the machine's load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { committedOf } from './committed.js';
import { flag } from './flags.js';
import { machineState } from './machine.js';
import { median } from './median.js';
import { type KernelClass, randomDelays, wakeups } from './wakeups.js';

/** What this bench uses of one build, loaded from its `dist/`. */
interface Build {
  readonly name: string;
  readonly Kernel: KernelClass;
  runDefault(seed: number, tracePath: string): Promise<{ outcome: string; committed: number }>;
  /** The same run in a fresh process; `wall` and `cpu` are the run's own wall and CPU time, seconds. */
  runFresh(seed: number): { outcome: string; committed: number; wall: number; cpu: number };
}

/** One run of `specText` on `seed` in a process of its own, through `checkout`'s throughput-run. */
function runFresh(checkout: string, specText: string, seed: number) {
  const runner = path.resolve(checkout, 'dist', 'bench', 'throughput-run.js');
  const r = spawnSync(process.execPath, [runner], {
    input: JSON.stringify({ specText, seed }),
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`${checkout}: seed ${seed} did not run in a fresh process: ${r.stderr}`);
  const f = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
    outcome: string;
    committed: number;
    wallSeconds: number;
    cpuSeconds: number;
  };
  return { outcome: f.outcome, committed: f.committed, wall: f.wallSeconds, cpu: f.cpuSeconds };
}

async function load(checkout: string): Promise<Build> {
  const from = async (rel: string) =>
    (await import(pathToFileURL(path.resolve(checkout, 'dist', rel)).href)) as Record<string, unknown>;
  const kernel = await from('src/sim/kernel.js');
  const run = await from('src/run/run-spec.js');
  const parse = await from('src/spec/parse.js');
  const writer = await from('src/trace/writer.js');
  const registry = await from('src/workload/registry.js');
  const workloads = await from('workloads/index.js');
  const text = (await from('src/run/default-spec.js')).DEFAULT_SPEC_TEXT as string;
  // The two builds' modules are separate, so each is called through its own loosely typed exports.
  type Ctor = new (...args: unknown[]) => unknown;
  const runSpec = run.runSpec as (o: Record<string, unknown>) => Promise<{
    outcome: string;
    tests: { workloads: { metrics: { name: string; value: number }[] }[] }[];
  }>;
  const parseSpec = parse.parseSpec as (t: string, f: string) => unknown;
  return {
    name: checkout,
    Kernel: kernel.Kernel as KernelClass,
    async runDefault(seed, tracePath) {
      const r = await runSpec({
        spec: parseSpec(text, 'bench.toml'),
        specPath: 'bench.toml',
        seed,
        registry: new (registry.Registry as Ctor)(workloads.builtinWorkloads),
        traceSink: new (writer.TraceWriter as Ctor)({ path: tracePath }),
      });
      return { outcome: r.outcome, committed: committedOf(r) };
    },
    runFresh: (seed) => runFresh(checkout, text, seed),
  };
}

/** Runs `fa` and `fb` in turn, alternating which goes first. */
async function inTurn<T>(i: number, fa: () => Promise<T>, fb: () => Promise<T>): Promise<[T, T]> {
  if (i % 2 === 0) {
    const a = await fa();
    return [a, await fb()];
  }
  const b = await fb();
  return [await fa(), b];
}

/** Kernel wake-ups of the two builds (bench/kernel.ts's (c), shorter): the median ratio b/a of `rounds` pairs. */
async function compareKernels(a: Build, b: Build, rounds: number): Promise<number> {
  const delays = randomDelays(65_536);
  await wakeups(a.Kernel, 100, 100_000, delays);
  await wakeups(b.Kernel, 100, 100_000, delays);
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const [wa, wb] = await inTurn(
      i,
      () => wakeups(a.Kernel, 1000, 300_000, delays),
      () => wakeups(b.Kernel, 1000, 300_000, delays),
    );
    ratios.push(wb / wa);
  }
  return median(ratios);
}

async function compareRuns(a: Build, b: Build, seeds: [number, number], rounds: number, fresh: boolean) {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-compare-'));
  const trace = path.join(dir, 'trace.jsonl');
  const totals = { a: { wall: 0, cpu: 0, committed: 0 }, b: { wall: 0, cpu: 0, committed: 0 } };
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const one = async (build: Build, seed: number) => {
    if (fresh) {
      const r = build.runFresh(seed);
      if (r.outcome !== 'passed') throw new Error(`${build.name}: seed ${seed} ${r.outcome}`);
      return { wall: r.wall, cpu: r.cpu, committed: r.committed };
    }
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const r = await build.runDefault(seed, trace);
    if (r.outcome !== 'passed') throw new Error(`${build.name}: seed ${seed} ${r.outcome}`);
    const cpu = process.cpuUsage(cpuStart);
    return {
      wall: (performance.now() - start) / 1000,
      cpu: (cpu.user + cpu.system) / 1e6,
      committed: r.committed,
    };
  };
  try {
    for (let round = 0; round < rounds; round++) {
      for (let seed = seeds[0]; seed <= seeds[1]; seed++) {
        const [ra, rb] = await inTurn(
          seed + round,
          () => one(a, seed),
          () => one(b, seed),
        );
        for (const [t, r] of [
          [totals.a, ra],
          [totals.b, rb],
        ] as const) {
          t.wall += r.wall;
          t.cpu += r.cpu;
          t.committed += r.committed;
        }
        ratios.push(rb.wall / ra.wall);
        cpuRatios.push(rb.cpu / ra.cpu);
        console.log(
          `seed ${seed}: A ${ra.wall.toFixed(3)} s, ${ra.committed} commits; B ${rb.wall.toFixed(3)} s, ${rb.committed} commits; B/A ${(rb.wall / ra.wall).toFixed(3)}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    medianWallRatio: median(ratios),
    totalWallRatio: totals.b.wall / totals.a.wall,
    wallMsPerCommitA: (1000 * totals.a.wall) / Math.max(1, totals.a.committed),
    wallMsPerCommitB: (1000 * totals.b.wall) / Math.max(1, totals.b.committed),
    medianCpuRatio: median(cpuRatios),
    cpuMsPerCommitA: (1000 * totals.a.cpu) / Math.max(1, totals.a.committed),
    cpuMsPerCommitB: (1000 * totals.b.cpu) / Math.max(1, totals.b.committed),
    committedA: totals.a.committed,
    committedB: totals.b.committed,
  };
}

async function main(): Promise<void> {
  const pathA = flag('--a');
  const pathB = flag('--b');
  if (!pathA || !pathB) {
    console.error('usage: node dist/bench/compare-builds.js --a CHECKOUT --b CHECKOUT [--seeds 1..10]');
    process.exitCode = 2;
    return;
  }
  const [lo, hi] = (flag('--seeds') ?? '1..10').split('..').map(Number) as [number, number];
  const machine = machineState();
  const [a, b] = [await load(pathA), await load(pathB)];
  const kernelRatio = await compareKernels(a, b, Number(flag('--kernel-rounds') ?? 15));
  console.log(`kernel wake-ups, B/A (median of pairs): ${kernelRatio.toFixed(3)}`);
  const fresh = process.argv.includes('--fresh');
  const runs = await compareRuns(a, b, [lo, hi], Number(flag('--rounds') ?? 1), fresh);
  console.log(
    `default spec, seeds ${lo}..${hi}: B/A wall ${runs.medianWallRatio.toFixed(3)} (median of seeds), ${runs.totalWallRatio.toFixed(3)} (sum); wall ms a commit A ${runs.wallMsPerCommitA.toFixed(3)}, B ${runs.wallMsPerCommitB.toFixed(3)}`,
  );
  console.log(
    `  CPU: B/A ${runs.medianCpuRatio.toFixed(3)} (median of seeds); CPU ms a commit A ${runs.cpuMsPerCommitA.toFixed(3)}, B ${runs.cpuMsPerCommitB.toFixed(3)}`,
  );
  console.log(
    `machine: load average ${machine.loadAverage1m} at the start; reference work ${machine.referenceSeconds.toFixed(3)} s`,
  );
  console.log(
    JSON.stringify({
      bench: 'compare-builds',
      node: process.version,
      a: pathA,
      b: pathB,
      seeds: `${lo}..${hi}`,
      fresh,
      kernelWakeupRatio: kernelRatio,
      ...runs,
      ...machine,
    }),
  );
}

await main();
