// Kernel benchmark: raw event throughput against a bare binary heap, and async task wake-ups per second.
//
// Run with `npm run bench:kernel`. Everything runs in one process: warm-up first, then each measurement
// three times (interleaved), and the median is reported. Prints a table, then one JSON line with the headline figures.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Random } from '../src/core/random.js';
import { seconds } from '../src/core/time.js';
import { Kernel } from '../src/sim/kernel.js';
import { machineState } from './machine.js';
import { median } from './median.js';
import { randomDelays, wakeups } from './wakeups.js';

/** Events per callback measurement. */
const EVENTS = 1_000_000;
/** Tasks in the wake-up measurements. */
const TASKS = 1_000;
/** Total wake-ups per wake-up measurement (spread over TASKS tasks). */
const WAKEUPS = 2_000_000;
/** Repeats per measurement; the median is reported. */
const REPEATS = 3;

/** One bare-heap entry, shaped like the kernel's SimEvent. */
interface BareEvent {
  readonly time: number;
  readonly seq: number;
  readonly fn: () => void;
}

function before(a: BareEvent, b: BareEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** The baseline: a minimal binary min-heap ordered by (time, seq), as src/sim/event-queue.ts is. */
class BareHeap {
  private readonly h: BareEvent[] = [];

  get size(): number {
    return this.h.length;
  }

  push(ev: BareEvent): void {
    const h = this.h;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(ev, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = ev;
  }

  pop(): BareEvent | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      const child = h[c]!;
      if (!before(child, last)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

/** Random event times over one simulated hour, drawn once so both loops schedule the same times. */
function eventTimes(n: number): Float64Array {
  const r = new Random('bench/kernel/times');
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = r.int(0, seconds(3600));
  return times;
}

/** (a) Push every event into a bare heap, then pop and run them all. Returns events per second. */
function bareLoop(times: Float64Array): number {
  let ran = 0;
  const fn = () => {
    ran++;
  };
  const start = performance.now();
  const heap = new BareHeap();
  for (let i = 0; i < times.length; i++) heap.push({ time: times[i]!, seq: i, fn });
  let now = 0;
  for (let ev = heap.pop(); ev !== undefined; ev = heap.pop()) {
    now = ev.time;
    ev.fn();
  }
  const elapsed = performance.now() - start;
  if (ran !== times.length || now < 0) throw new Error(`bare loop ran ${ran} of ${times.length} events`);
  return times.length / (elapsed / 1000);
}

/** (b) The same events through kernel.at() inside kernel.run. Returns events per second. */
async function kernelLoop(times: Float64Array): Promise<number> {
  let ran = 0;
  const fn = () => {
    ran++;
  };
  const start = performance.now();
  const k = new Kernel('bench');
  const out = await k.run(async () => {
    for (let i = 0; i < times.length; i++) k.at(times[i]!, fn);
    // Keep main alive until every event at or before the last possible time has run.
    await k.delay(seconds(3600));
  });
  const elapsed = performance.now() - start;
  if (out.kind !== 'finished' || ran !== times.length) {
    throw new Error(`kernel loop ran ${ran} of ${times.length} events (${out.kind})`);
  }
  return times.length / (elapsed / 1000);
}

/**
 * Reference for (c): bare `setImmediate` round trips, the host cost the kernel pays once per simulated
 * instant that woke a task (to let the microtask queue drain). Returns hops per second.
 */
async function immediateHops(total: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const hop = () => {
      if (++n < total) setImmediate(hop);
      else resolve();
    };
    setImmediate(hop);
  });
  return total / ((performance.now() - start) / 1000);
}

/**
 * A full garbage collection, run before every timed measurement so that none pays for the garbage the
 * previous one left (1,000,000 events are a lot of garbage). `npm run bench:kernel` passes no node
 * flags, so the flag is set at run time and `gc` is fetched from a fresh context.
 */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** A measurement's median and its individual runs, in operations per second. */
interface Measured {
  readonly median: number;
  readonly runs: number[];
}

/**
 * Runs each measurement REPEATS times, interleaved round by round (a, b, c, ... then again), so that a
 * burst of load from other processes hits every measurement alike rather than one of them.
 */
async function measureInterleaved(fns: readonly (() => number | Promise<number>)[]): Promise<Measured[]> {
  const gc = collectGarbage();
  const runs = fns.map(() => [] as number[]);
  for (let i = 0; i < REPEATS; i++) {
    for (const [k, fn] of fns.entries()) {
      gc();
      runs[k]!.push(await fn());
    }
  }
  return runs.map((r) => ({ median: median(r), runs: r }));
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const times = eventTimes(EVENTS);
  const delays = randomDelays(65_536);
  const lockstep = new Float64Array([1000]);

  // Warm-up: let the JIT see every path at a smaller size before anything is timed.
  const warmTimes = eventTimes(100_000);
  const machine = machineState();
  for (let i = 0; i < 3; i++) {
    bareLoop(warmTimes);
    await kernelLoop(warmTimes);
    await wakeups(Kernel, 100, 100_000, delays);
    await wakeups(Kernel, 100, 100_000, lockstep);
    await immediateHops(100_000);
  }

  const [bare, kernel, wake, lock, hops] = (await measureInterleaved([
    () => bareLoop(times),
    () => kernelLoop(times),
    () => wakeups(Kernel, TASKS, WAKEUPS, delays),
    () => wakeups(Kernel, TASKS, WAKEUPS, lockstep),
    () => immediateHops(WAKEUPS),
  ])) as [Measured, Measured, Measured, Measured, Measured];
  const ratio = kernel.median / bare.median;

  const rows: [string, string, string, string][] = [
    ['measurement', 'median /s', 'runs /s', 'size'],
    [
      '(a) bare heap: push + pop/run',
      fmt(bare.median),
      bare.runs.map(fmt).join(' | '),
      `${fmt(EVENTS)} events`,
    ],
    [
      '(b) kernel.at() in kernel.run',
      fmt(kernel.median),
      kernel.runs.map(fmt).join(' | '),
      `${fmt(EVENTS)} events`,
    ],
    [
      '(c) task wake-ups, random delays',
      fmt(wake.median),
      wake.runs.map(fmt).join(' | '),
      `${TASKS} tasks, ${fmt(WAKEUPS)} wake-ups`,
    ],
    [
      '(d) task wake-ups, lockstep',
      fmt(lock.median),
      lock.runs.map(fmt).join(' | '),
      `${TASKS} tasks, ${fmt(WAKEUPS)} wake-ups`,
    ],
    [
      '    reference: bare setImmediate hops',
      fmt(hops.median),
      hops.runs.map(fmt).join(' | '),
      `${fmt(WAKEUPS)} hops`,
    ],
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c as 0 | 1 | 2 | 3].length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : c === 3 ? cell : cell.padStart(widths[c]!)))
      .join('  ');
  console.log(`faultline kernel benchmark (node ${process.version}, median of ${REPEATS} after warm-up)`);
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(
    `kernel / bare heap = ${ratio.toFixed(3)} (target >= 0.30: ${ratio >= 0.3 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `machine: load average ${machine.loadAverage1m} at the start; reference work ${machine.referenceSeconds.toFixed(3)} s (bench/machine.ts)`,
  );
  console.log(
    JSON.stringify({
      bench: 'kernel',
      bareEventsPerSec: Math.round(bare.median),
      kernelEventsPerSec: Math.round(kernel.median),
      ratio: Number(ratio.toFixed(3)),
      wakeupsPerSec: Math.round(wake.median),
      lockstepWakeupsPerSec: Math.round(lock.median),
      immediateHopsPerSec: Math.round(hops.median),
      loadAverage1m: machine.loadAverage1m,
      referenceSeconds: machine.referenceSeconds,
      node: process.version,
    }),
  );
}

await main();
