// One measured run for bench/throughput.ts, in a process of its own so that its peak RSS is its own.
// Reads `{ "specText": "...", "seed": N }` on stdin, runs it as `faultline run` would (trace to a
// temporary file), and prints one JSON line with the run's figures.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runSpec } from '../src/run/run-spec.js';
import { parseSpec } from '../src/spec/parse.js';
import { TraceWriter } from '../src/trace/writer.js';
import { Registry } from '../src/workload/registry.js';
import { builtinWorkloads } from '../workloads/index.js';

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
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-bench-'));
  const tracePath = path.join(dir, 'trace.jsonl');
  try {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const r = await runSpec({
      spec: parseSpec(specText, 'bench.toml'),
      specPath: 'bench.toml',
      seed,
      registry: new Registry(builtinWorkloads),
      traceSink: new TraceWriter({ path: tracePath }),
    });
    const wallSeconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    let committed = 0;
    for (const t of r.tests)
      for (const w of t.workloads)
        for (const m of w.metrics) if (m.name === 'Transactions') committed += m.value;
    const figures: RunFigures = {
      seed,
      outcome: r.outcome,
      wallSeconds,
      cpuSeconds,
      simSeconds: r.simTime,
      committed,
      events: r.events ?? 0,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      traceBytes: statSync(tracePath).size,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
