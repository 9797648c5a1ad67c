// One run of a spec in this process, as `faultline run` would (its trace to a temporary file): the
// outcome, the workloads' committed transactions and the wall time. Shared by the benches that run
// specs in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runSpec } from '../src/run/run-spec.js';
import { parseSpec } from '../src/spec/parse.js';
import { TraceWriter } from '../src/trace/writer.js';
import { Registry } from '../src/workload/registry.js';
import { builtinWorkloads } from '../workloads/index.js';

export interface OneRun {
  readonly outcome: string;
  readonly committed: number;
  readonly wallSeconds: number;
}

export async function runOnce(text: string, specPath: string, seed: number): Promise<OneRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-bench-'));
  const start = performance.now();
  try {
    const r = await runSpec({
      spec: parseSpec(text, specPath),
      specPath,
      seed,
      registry: new Registry(builtinWorkloads),
      traceSink: new TraceWriter({ path: path.join(dir, 'trace.jsonl') }),
    });
    let committed = 0;
    for (const t of r.tests)
      for (const w of t.workloads)
        for (const m of w.metrics) if (m.name === 'Transactions') committed += m.value;
    return { outcome: r.outcome, committed, wallSeconds: (performance.now() - start) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
