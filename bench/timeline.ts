// Where a long run's time and memory go: runs the default spec (or a spec file) once with every
// duration scaled, and prints per bucket of simulated time what the clients committed and retried,
// the recoveries and chaos events, and the process's heap and RSS when the bucket closed.
//
//   node [--expose-gc] dist/bench/timeline.js [--duration 4] [--seed 1] [--bucket 10] [--spec file.toml]
//
// With --expose-gc the heap is collected once per bucket before it is read (live data, not garbage;
// slower). externalMiB is ArrayBuffer memory: mostly the simulated disks' blocks.
// It reads only trace events (the run's own once-a-second ClientThroughput sampler, recovery and
// chaos events) through an extra sink, so it adds nothing to the simulation; the memory figures are
// read by this bench's sink, outside the simulation.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { toSeconds } from '../src/core/time.js';
import { CHAOS_EVENT_TYPES } from '../src/run/result.js';
import { runSpec } from '../src/run/run-spec.js';
import { parseSpec } from '../src/spec/parse.js';
import type { TraceEvent, TraceSink } from '../src/trace/event.js';
import { TraceWriter } from '../src/trace/writer.js';
import { Registry } from '../src/workload/registry.js';
import { builtinWorkloads } from '../workloads/index.js';
import { flag } from './flags.js';
import { scaledDefaultSpec } from './scaled-spec.js';

/** The real clock, taken before a run replaces `performance.now` with simulated time. */
const realNow = performance.now.bind(performance);

interface Bucket {
  commits: number;
  retries: number;
  conflicts: number;
  recoveries: number;
  chaos: number;
  wallMs: number;
  heapMiB: number;
  externalMiB: number;
  rssMiB: number;
}

/** Collects per-bucket figures from the events it sees. */
class TimelineSink implements TraceSink {
  readonly buckets = new Map<number, Bucket>();
  private readonly start = realNow();
  private current = 0;
  private lastGcBucket = -1;
  constructor(private readonly bucketSeconds: number) {}

  emit(e: TraceEvent): void {
    this.current = Math.floor(toSeconds(e.time) / this.bucketSeconds);
    const b = this.bucket(this.current);
    if (e.type === 'ClientThroughput') {
      b.commits += Number(e.details.Commits);
      b.retries += Number(e.details.Retries);
      b.conflicts += Number(e.details.Conflicts);
      // Under `node --expose-gc` the heap is collected first, so heapMiB is live data, not garbage.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc && this.lastGcBucket !== this.current) {
        gc();
        this.lastGcBucket = this.current;
      }
      const m = process.memoryUsage();
      b.heapMiB = m.heapUsed / 1048576;
      b.rssMiB = m.rss / 1048576;
      b.externalMiB = m.arrayBuffers / 1048576;
      b.wallMs = realNow() - this.start;
    } else if (e.type === 'MasterRecoveryState' && e.details.Status === 'fully_recovered') b.recoveries++;
    else if (CHAOS_EVENT_TYPES.has(e.type)) b.chaos++;
  }

  private bucket(i: number): Bucket {
    let b = this.buckets.get(i);
    if (!b) {
      b = {
        commits: 0,
        retries: 0,
        conflicts: 0,
        recoveries: 0,
        chaos: 0,
        wallMs: 0,
        heapMiB: 0,
        externalMiB: 0,
        rssMiB: 0,
      };
      this.buckets.set(i, b);
    }
    return b;
  }
}

async function main(): Promise<void> {
  const duration = Number(flag('--duration') ?? '4');
  const seed = Number(flag('--seed') ?? '1');
  const bucketSeconds = Number(flag('--bucket') ?? '10');
  const specFile = flag('--spec') ?? '';
  const text = specFile ? readFileSync(specFile, 'utf8') : scaledDefaultSpec({ duration });
  const sink = new TimelineSink(bucketSeconds);
  const r = await runSpec({
    spec: parseSpec(text, specFile || 'bench.toml'),
    specPath: specFile || 'bench.toml',
    seed,
    registry: new Registry(builtinWorkloads),
    traceSink: new TraceWriter({ path: '/dev/null' }),
    extraSinks: [sink],
  });
  let prevWall = 0;
  for (const [i, b] of [...sink.buckets].sort((x, y) => x[0] - y[0])) {
    const wall = b.wallMs > 0 ? b.wallMs - prevWall : 0;
    if (b.wallMs > 0) prevWall = b.wallMs;
    const row = { simS: i * bucketSeconds, ...b, bucketWallMs: Math.round(wall) };
    row.heapMiB = Math.round(row.heapMiB);
    row.rssMiB = Math.round(row.rssMiB);
    row.externalMiB = Math.round(row.externalMiB);
    row.wallMs = Math.round(row.wallMs);
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  process.stdout.write(
    `${JSON.stringify({ bench: 'timeline', duration, seed, outcome: r.outcome, simSeconds: r.simTime, node: process.version })}\n`,
  );
}

await main();
