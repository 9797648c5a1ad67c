// Throughput benchmark of whole runs: the default spec (CycleWithAttrition) on several seeds, and how the
// cost grows with the transaction rate, the number of machines and the test duration.
//
// Run with `npm run bench:throughput` (add `-- --seeds N` for more seeds, `-- --no-scaling` for the
// default spec only). Every run is a process of its own (bench/throughput-run.ts), one at a time, so
// peak RSS is per run. Prints one JSON line per figure, then a summary table, then one JSON line with
// the headline figures (bench/README.md).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SPEC_TEXT } from '../src/run/default-spec.js';
import { scaledDefaultSpec } from './scaled-spec.js';
import type { RunFigures } from './throughput-run.js';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'throughput-run.js');

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Seeds of the default-spec measurement (median reported). */
const SEEDS = Number(flag('--seeds') ?? 10);
/** Seeds of each scaling point. */
const SCALING_SEEDS = Number(flag('--scaling-seeds') ?? 3);
const SCALING = !process.argv.includes('--no-scaling');

function runOnce(specText: string, seed: number): RunFigures {
  const r = spawnSync(process.execPath, [RUNNER], {
    input: JSON.stringify({ specText, seed }),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`bench run of seed ${seed} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as RunFigures;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
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
    simSecondsPerWallSecond: m((r) => r.simSeconds / r.wallSeconds),
    committedPerWallSecond: m((r) => r.committed / r.wallSeconds),
    eventsPerSecond: m((r) => r.events / r.wallSeconds),
    wallMsPerCommitted: m((r) => (1000 * r.wallSeconds) / Math.max(1, r.committed)),
    wallMsPerSimSecond: m((r) => (1000 * r.wallSeconds) / r.simSeconds),
    peakRssMiB: m((r) => r.peakRssMiB),
    traceMiB: m((r) => r.traceBytes / 1048576),
  };
  process.stdout.write(`${JSON.stringify({ bench: 'throughput', ...figure })}\n`);
  return figure;
}

const scaled = scaledDefaultSpec;

function main(): void {
  const base = measure('default spec', DEFAULT_SPEC_TEXT, SEEDS);
  const rows = [base];
  if (SCALING) {
    for (const k of [0.5, 1, 2, 4])
      rows.push(measure(`${k}x transactionsPerSecond`, scaled({ tps: k }), SCALING_SEEDS));
    for (const k of [1, 2, 4])
      rows.push(measure(`${k}x machines (${8 * k})`, scaled({ machines: k }), SCALING_SEEDS));
    for (const k of [1, 2, 4])
      rows.push(measure(`${k}x testDuration`, scaled({ duration: k }), SCALING_SEEDS));
  }
  console.log('');
  console.log(
    '| run | seeds | passed | wall s/seed | sim s/wall s | commits/wall s | events/s | wall ms/commit | wall ms/sim s | peak RSS MiB | trace MiB |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.label} | ${r.seeds} | ${r.passed} | ${r.wallSecondsPerSeed.toFixed(2)} | ${r.simSecondsPerWallSecond.toFixed(1)} | ${r.committedPerWallSecond.toFixed(0)} | ${r.eventsPerSecond.toFixed(0)} | ${r.wallMsPerCommitted.toFixed(2)} | ${r.wallMsPerSimSecond.toFixed(1)} | ${r.peakRssMiB.toFixed(0)} | ${r.traceMiB.toFixed(2)} |`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'throughput',
      node: process.version,
      cpus: os.cpus().length,
      defaultWallSecondsPerSeed: base.wallSecondsPerSeed,
      defaultPeakRssMiB: base.peakRssMiB,
      defaultTraceMiB: base.traceMiB,
      defaultEventsPerSecond: base.eventsPerSecond,
    }),
  );
}

main();
