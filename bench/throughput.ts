// Throughput benchmark of whole runs: the default spec (CycleWithAttrition) on several seeds, and how the
// cost grows with the transaction rate, the number of machines and the test duration.
//
// Run with `npm run bench:throughput` (add `-- --seeds N` for more seeds, `-- --no-scaling` for the
// default spec only, `-- --series duration --no-default` for one scaling series). Every run is a
// process of its own (bench/throughput-run.ts), one at a time, so peak RSS is per run. Prints one JSON line per figure, then a summary table, then one JSON line with
// the headline figures (bench/README.md).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SPEC_TEXT } from '../src/run/default-spec.js';
import { flag } from './flags.js';
import { machineState } from './machine.js';
import { median } from './median.js';
import { scaledDefaultSpec } from './scaled-spec.js';
import type { RunFigures } from './throughput-run.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'throughput-run.js');

/** Seeds of the default-spec measurement (median reported). */
const SEEDS = Number(flag('--seeds') ?? 10);
/** Seeds of each scaling point. */
const SCALING_SEEDS = Number(flag('--scaling-seeds') ?? 3);
const SCALING = !process.argv.includes('--no-scaling');
/** Which scaling series to run (comma-separated: tps, machines, duration); default all. */
const SERIES = new Set((flag('--series') ?? 'tps,machines,duration').split(','));
/** Skip the default-spec measurement (only the scaling series). */
const NO_DEFAULT = process.argv.includes('--no-default');

function runOnce(specText: string, seed: number): RunFigures {
  const r = spawnSync(process.execPath, [RUNNER], {
    input: JSON.stringify({ specText, seed }),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench run of seed ${seed} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as RunFigures;
}

function sum(runs: readonly RunFigures[], f: (r: RunFigures) => number): number {
  return runs.reduce((acc, r) => acc + f(r), 0);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The median of each figure over `seeds` runs of `specText`, plus the derived rates. */
function measure(label: string, specText: string, seeds: number) {
  const runs = Array.from({ length: seeds }, (_, i) => runOnce(specText, i + 1));
  const m = (f: (r: RunFigures) => number) => median(runs.map(f));
  const wall = m((r) => r.wallSeconds);
  const figure = {
    label,
    seeds,
    passed: runs.filter((r) => r.outcome === 'passed').length,
    wallSecondsPerSeed: wall,
    cpuSecondsPerSeed: m((r) => r.cpuSeconds),
    cpuMsPerCommitted: m((r) => (1000 * r.cpuSeconds) / Math.max(1, r.committed)),
    cpuMsPerSimSecond: m((r) => (1000 * r.cpuSeconds) / r.simSeconds),
    committedPerSeed: m((r) => r.committed),
    simSecondsPerWallSecond: m((r) => r.simSeconds / r.wallSeconds),
    committedPerWallSecond: m((r) => r.committed / r.wallSeconds),
    eventsPerSecond: m((r) => r.events / r.wallSeconds),
    wallMsPerCommitted: m((r) => (1000 * r.wallSeconds) / Math.max(1, r.committed)),
    wallMsPerSimSecond: m((r) => (1000 * r.wallSeconds) / r.simSeconds),
    peakRssMiB: m((r) => r.peakRssMiB),
    traceMiB: m((r) => r.traceBytes / 1048576),
    // Seeds of the default spec fall in two groups (the cluster is down for much of the test, or not),
    // so a median of 10 moves with how many seeds land in each; sums over all seeds move less.
    meanWallSecondsPerSeed: sum(runs, (r) => r.wallSeconds) / seeds,
    totalCommitted: sum(runs, (r) => r.committed),
    overallCpuMsPerCommitted:
      (1000 * sum(runs, (r) => r.cpuSeconds)) /
      Math.max(
        1,
        sum(runs, (r) => r.committed),
      ),
    perSeed: runs.map((r) => ({ seed: r.seed, wall: round3(r.wallSeconds), committed: r.committed })),
  };
  process.stdout.write(`${JSON.stringify({ bench: 'throughput', ...figure })}\n`);
  return figure;
}

const scaled = scaledDefaultSpec;

function main(): void {
  const before = machineState();
  const base = NO_DEFAULT ? undefined : measure('default spec', DEFAULT_SPEC_TEXT, SEEDS);
  const rows = base ? [base] : [];
  if (SCALING) {
    if (SERIES.has('tps'))
      for (const k of [0.5, 1, 2, 4])
        rows.push(measure(`${k}x transactionsPerSecond`, scaled({ tps: k }), SCALING_SEEDS));
    if (SERIES.has('machines'))
      for (const k of [1, 2, 4])
        rows.push(measure(`${k}x machines (${8 * k})`, scaled({ machines: k }), SCALING_SEEDS));
    if (SERIES.has('duration'))
      for (const k of [1, 2, 4])
        rows.push(measure(`${k}x testDuration`, scaled({ duration: k }), SCALING_SEEDS));
  }
  const after = machineState();
  console.log('');
  console.log(
    `machine: load average ${before.loadAverage1m} at the start; reference work ${before.referenceSeconds.toFixed(3)} s before, ${after.referenceSeconds.toFixed(3)} s after (bench/machine.ts)`,
  );
  console.log(
    '| run | seeds | passed | wall s/seed | cpu s/seed | commits/seed | sim s/wall s | commits/wall s | events/s | wall ms/commit | cpu ms/commit | wall ms/sim s | cpu ms/sim s | peak RSS MiB | trace MiB |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${r.seeds} | ${r.passed} | ${r.wallSecondsPerSeed.toFixed(2)} | ${r.cpuSecondsPerSeed.toFixed(2)} | ${r.committedPerSeed.toFixed(0)} | ${r.simSecondsPerWallSecond.toFixed(1)} | ${r.committedPerWallSecond.toFixed(0)} | ${r.eventsPerSecond.toFixed(0)} | ${r.wallMsPerCommitted.toFixed(2)} | ${r.cpuMsPerCommitted.toFixed(2)} | ${r.wallMsPerSimSecond.toFixed(1)} | ${r.cpuMsPerSimSecond.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | ${r.traceMiB.toFixed(2)} |`,
    );
  }
  if (base) {
    console.log('');
    console.log(
      `default spec over all ${base.seeds} seeds: mean wall ${base.meanWallSecondsPerSeed.toFixed(2)} s a seed, ${base.totalCommitted} commits, ${base.overallCpuMsPerCommitted.toFixed(3)} CPU ms a commit`,
    );
    console.log(
      `per seed (wall s / commits): ${base.perSeed.map((r) => `${r.seed}: ${r.wall}/${r.committed}`).join(', ')}`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'throughput',
      node: process.version,
      cpus: os.cpus().length,
      loadAverage1m: before.loadAverage1m,
      referenceSecondsBefore: before.referenceSeconds,
      referenceSecondsAfter: after.referenceSeconds,
      ...(base
        ? {
            defaultWallSecondsPerSeed: base.wallSecondsPerSeed,
            defaultMeanWallSecondsPerSeed: base.meanWallSecondsPerSeed,
            defaultOverallCpuMsPerCommitted: base.overallCpuMsPerCommitted,
            defaultCpuSecondsPerSeed: base.cpuSecondsPerSeed,
            defaultPeakRssMiB: base.peakRssMiB,
            defaultTraceMiB: base.traceMiB,
            defaultEventsPerSecond: base.eventsPerSecond,
          }
        : {}),
    }),
  );
}

main();
