// One run of a spec in this process, as `faultline run` would (its trace to a temporary file): the
// outcome, the workloads' committed transactions, wall and CPU time, kernel events and trace size.
// Shared by the benches that run specs in-process.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runSpec } from '../src/run/run-spec.js';
import { parseSpec } from '../src/spec/parse.js';
import type { TraceSink } from '../src/trace/event.js';
import { TraceWriter } from '../src/trace/writer.js';
import { Registry } from '../src/workload/registry.js';
import { builtinWorkloads } from '../workloads/index.js';
import { committedOf } from './committed.js';

export interface OneRun {
  readonly outcome: string;
  readonly committed: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly simSeconds: number;
  readonly events: number;
  readonly traceBytes: number;
}

/** `extraSinks` see every trace event as well (a bench's own observer; they add nothing to the run). */
export async function runOnce(
  text: string,
  specPath: string,
  seed: number,
  extraSinks: readonly TraceSink[] = [],
): Promise<OneRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-bench-'));
  const tracePath = path.join(dir, 'trace.jsonl');
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  try {
    const r = await runSpec({
      spec: parseSpec(text, specPath),
      specPath,
      seed,
      registry: new Registry(builtinWorkloads),
      traceSink: new TraceWriter({ path: tracePath }),
      extraSinks: [...extraSinks],
    });
    const wallSeconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return {
      outcome: r.outcome,
      committed: committedOf(r),
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      simSeconds: r.simTime,
      events: r.events ?? 0,
      traceBytes: statSync(tracePath).size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
