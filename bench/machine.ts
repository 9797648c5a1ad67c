// How busy and how fast the machine was while a bench ran. These machines are shared: the same build
// measured an hour apart can differ by a third. Each bench prints these figures with its own, so two
// records can be told apart by the machine's state and not only by the code.
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** The machine's state around a measurement. */
export interface MachineState {
  /** The 1-minute load average when the bench began (about 0 on an idle machine; 2 = both cores busy). */
  readonly loadAverage1m: number;
  /**
   * Seconds the fixed reference work took (median of 3): the same JavaScript on every build and every
   * day, so a slower figure here means a slower machine, not slower code.
   */
  readonly referenceSeconds: number;
}

/**
 * The reference work: the mix a simulation spends its time on (small short-lived objects, a sorted
 * array, a Map, string keys), about 0.3 s on an idle 2-core machine.
 */
function referenceWork(): number {
  const ring: { key: string; value: number }[] = [];
  const map = new Map<string, number>();
  let sum = 0;
  for (let i = 0; i < 4_000_000; i++) {
    const o = { key: `k${i % 5000}`, value: i };
    ring[i % 1024] = o;
    map.set(o.key, (map.get(o.key) ?? 0) + 1);
    if ((i & 1023) === 0) {
      const sorted = ring.slice().sort((a, b) => a.value - b.value);
      sum += sorted[0]!.value;
    }
  }
  return sum + map.size;
}

/** Times the reference work three times; returns the median in seconds. */
export function referenceSeconds(): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    referenceWork();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[1]!;
}

/** The machine's load now and its speed at the reference work. */
export function machineState(): MachineState {
  return { loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100, referenceSeconds: referenceSeconds() };
}
