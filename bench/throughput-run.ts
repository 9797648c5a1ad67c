// One measured run for bench/throughput.ts, in a process of its own so that its peak RSS is its own.
// Reads `{ "specText": "...", "seed": N }` on stdin, runs it as `faultline run` would (trace to a
// temporary file), and prints one JSON line with the run's figures.
import { readFileSync } from 'node:fs';
import { runOnce } from './run-once.js';

/** The figures of one run. */
export interface RunFigures {
  readonly seed: number;
  readonly outcome: string;
  readonly wallSeconds: number;
  /** User + system CPU seconds of the run (steadier than wall time on a shared machine). */
  readonly cpuSeconds: number;
  readonly simSeconds: number;
  readonly committed: number;
  readonly events: number;
  readonly peakRssMiB: number;
  readonly traceBytes: number;
}

async function main(): Promise<void> {
  const { specText, seed } = JSON.parse(readFileSync(0, 'utf8')) as { specText: string; seed: number };
  const run = await runOnce(specText, 'bench.toml', seed);
  const figures: RunFigures = {
    seed,
    outcome: run.outcome,
    wallSeconds: run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    simSeconds: run.simSeconds,
    committed: run.committed,
    events: run.events,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    traceBytes: run.traceBytes,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

await main();
