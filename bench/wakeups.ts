// Task wake-ups through a kernel, shared by bench/kernel.ts and bench/compare-builds.ts (which passes
// another build's Kernel class).
import { performance } from 'node:perf_hooks';
import { Random } from '../src/core/random.js';
import type { Kernel } from '../src/sim/kernel.js';

/** A kernel class: this build's, or another build's loaded from its `dist/`. */
export type KernelClass = new (seed: number | string) => Kernel;

/** `n` delays of 1 µs .. 10 ms: small, and spread widely enough that tasks rarely share an instant. */
export function randomDelays(n: number): Float64Array {
  const r = new Random('bench/kernel/delays');
  const dts = new Float64Array(n);
  for (let i = 0; i < n; i++) dts[i] = r.int(1, 10_001);
  return dts;
}

/**
 * `tasks` tasks each loop `await kernel.delay(dt)` until `total` wake-ups have happened. `dts` supplies
 * the delays: random (tasks wake at distinct instants) or constant (lockstep). Returns wake-ups per second.
 */
export async function wakeups(
  K: KernelClass,
  tasks: number,
  total: number,
  dts: Float64Array,
): Promise<number> {
  const perTask = Math.ceil(total / tasks);
  let woken = 0;
  const start = performance.now();
  const k = new K('bench');
  const out = await k.run(async () => {
    const all: Promise<void>[] = [];
    for (let t = 0; t < tasks; t++) {
      let j = t * 7919;
      const body = async () => {
        for (let i = 0; i < perTask; i++) {
          await k.delay(dts[j++ % dts.length]!);
          woken++;
        }
      };
      all.push(body());
    }
    await Promise.all(all);
  });
  const elapsed = performance.now() - start;
  if (out.kind !== 'finished' || woken !== perTask * tasks) {
    throw new Error(`wake-up loop woke ${woken} of ${perTask * tasks} (${out.kind})`);
  }
  return woken / (elapsed / 1000);
}
