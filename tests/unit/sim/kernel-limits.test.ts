// Limits that end runs no time limit would end: a loop that churns events without letting simulated
// time advance, and a run whose memory grows without bound. Both end as did-not-finish with the reason.
import { describe, expect, it } from 'vitest';
import { seconds } from '../../../src/core/time.js';
import { Kernel } from '../../../src/sim/kernel.js';

describe('kernel limits', () => {
  it('ends a run whose events churn at one instant, naming the instant', async () => {
    const k = new Kernel(1, { maxEventsAtOneInstant: 1000 });
    const out = await k.run(async () => {
      await k.delay(seconds(2));
      const spin = (): void => {
        k.after(0, spin);
      };
      spin();
      await k.delay(seconds(1));
    });
    expect(out.kind).toBe('did-not-finish');
    if (out.kind === 'did-not-finish') {
      expect(out.reason).toContain('simulated time stopped advancing at 2.000000 s');
      expect(out.reason).toContain('1000 events at that one instant');
    }
  });

  it('lets many events share an instant when time then moves on', async () => {
    const k = new Kernel(1, { maxEventsAtOneInstant: 1000 });
    const out = await k.run(async () => {
      for (let round = 1; round <= 5; round++) {
        for (let i = 0; i < 900; i++) k.at(seconds(round), () => {});
      }
      await k.delay(seconds(6));
      return k.events;
    });
    expect(out).toEqual({ kind: 'finished', value: 4501 });
  });

  it('ends a run whose heap passes its budget, saying what the queue and tasks held', async () => {
    const k = new Kernel(1, { maxHeapBytes: 1 });
    const out = await k.run(async () => {
      for (let i = 0; i < 70_000; i++) k.at(seconds(1), () => {});
      await k.delay(seconds(2));
    });
    expect(out.kind).toBe('did-not-finish');
    if (out.kind === 'did-not-finish') {
      expect(out.reason).toMatch(
        /^memory limit of 0 MiB reached \(heap \d+ MiB, buffers \d+ MiB, \d+ events queued, \d+ tasks\)$/,
      );
    }
  });
});
