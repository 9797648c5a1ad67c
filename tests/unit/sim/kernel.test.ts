import { describe, expect, it } from 'vitest';
import { seconds } from '../../../src/core/time.js';
import { Kernel, SIM_EPOCH_MS } from '../../../src/sim/kernel.js';

describe('kernel', () => {
  it('orders events by time then schedule order, and advances the clock to each', async () => {
    const k = new Kernel(1);
    const seen: string[] = [];
    const out = await k.run(async () => {
      k.at(seconds(2), () => seen.push(`b@${k.now()}`));
      k.at(seconds(1), () => seen.push(`a@${k.now()}`));
      k.at(seconds(2), () => seen.push(`c@${k.now()}`));
      await k.delay(seconds(3));
      return k.now();
    });
    expect(out).toEqual({ kind: 'finished', value: seconds(3) });
    expect(seen).toEqual(['a@1000000', 'b@2000000', 'c@2000000']);
  });

  it('runs every continuation woken at an instant before time advances', async () => {
    const k = new Kernel(1);
    const log: string[] = [];
    await k.run(async () => {
      const child = async (name: string, d: number) => {
        await k.delay(seconds(d));
        // nested async hops must still observe the instant they were woken at
        await (async () => {
          await null;
          await null;
        })();
        log.push(`${name}:${k.now()}`);
      };
      const a = child('a', 1);
      const b = child('b', 1);
      const c = child('c', 2);
      await Promise.all([a, b, c]);
    });
    expect(log).toEqual(['a:1000000', 'b:1000000', 'c:2000000']);
  });

  it("runs promise work a plain callback started at that callback's instant", async () => {
    // A message handler that awaits an already-settled promise resolves no kernel future; its
    // continuation must still run before time moves on (it used to wait for the next wake-up elsewhere).
    const k = new Kernel(1);
    const log: string[] = [];
    await k.run(async () => {
      k.at(seconds(1), () => {
        void Promise.resolve(true).then(() => log.push(`handler:${k.now()}`));
      });
      k.at(seconds(1.5), () => log.push(`later:${k.now()}`));
      await k.delay(seconds(2));
    });
    expect(log).toEqual(['handler:1000000', 'later:1500000']);
  });

  it('drains arbitrarily deep promise chains before time advances', async () => {
    const k = new Kernel(1);
    const seen: number[] = [];
    await k.run(async () => {
      const deep = async (n: number): Promise<number> => (n === 0 ? k.now() : deep(n - 1));
      const worker = async () => {
        await k.delay(seconds(1));
        for (let i = 0; i < 200; i++) await null;
        seen.push(await deep(100));
      };
      const other = k.delay(seconds(2)).then(() => seen.push(k.now()));
      await Promise.all([worker(), other]);
    });
    expect(seen).toEqual([seconds(1), seconds(2)]);
  });

  it('reports did-not-finish naming what a stuck task waits for', async () => {
    const k = new Kernel(1);
    const out = await k.run(async (main) => {
      const f = k.future<void>('reply from storage 2.0.1.1:1', main);
      await f.promise;
    });
    expect(out.kind).toBe('did-not-finish');
    if (out.kind === 'did-not-finish') {
      expect(out.reason).toMatch(/event queue is empty/);
      expect(out.stuck).toContainEqual({ name: 'main', waitingOn: 'reply from storage 2.0.1.1:1' });
    }
  });

  it('stops at the simulated time limit', async () => {
    const k = new Kernel(1, { maxTime: seconds(10) });
    const out = await k.run(async () => {
      for (;;) await k.delay(seconds(1));
    });
    expect(out.kind).toBe('did-not-finish');
    if (out.kind === 'did-not-finish') expect(out.reason).toMatch(/time limit/);
  });

  it('redirects Math.random and Date.now during a run and restores them even when the run throws', async () => {
    const origRandom = Math.random;
    const origNow = Date.now;
    const draws = async () => {
      const k = new Kernel(7);
      const out = await k.run(async () => {
        await k.delay(seconds(5));
        return [Math.random(), Math.random(), Date.now()];
      });
      return out.kind === 'finished' ? out.value : [];
    };
    const a = await draws();
    const b = await draws();
    expect(a).toEqual(b);
    expect(a[2]).toBe(SIM_EPOCH_MS + 5000);
    expect(Math.random).toBe(origRandom);
    expect(Date.now).toBe(origNow);

    const k = new Kernel(7);
    await expect(
      k.run(async () => {
        await k.delay(1);
        throw new Error('workload exploded');
      }),
    ).rejects.toThrow(/workload exploded/);
    expect(Math.random).toBe(origRandom);
    expect(Date.now).toBe(origNow);
  });

  it('cancelled events never run', async () => {
    const k = new Kernel(1);
    let ran = false;
    await k.run(async () => {
      const ev = k.after(seconds(1), () => {
        ran = true;
      });
      ev.cancelled = true;
      await k.delay(seconds(2));
    });
    expect(ran).toBe(false);
  });

  it('calls a shared callback with the argument each event was scheduled with, in time order', async () => {
    const k = new Kernel(1);
    const seen: string[] = [];
    const note = (what: string) => seen.push(`${what}@${k.now()}`);
    await k.run(async () => {
      k.at(seconds(2), note, 'second');
      k.after(seconds(1), note, 'first');
      const cancelled = k.after(seconds(1), note, 'cancelled');
      k.cancel(cancelled);
      await k.delay(seconds(3));
    });
    expect(seen).toEqual(['first@1000000', 'second@2000000']);
  });

  it('a cancelled event lets go of its argument at once, not when its time comes', async () => {
    // A request's timeout is cancelled by the reply; if the event kept its argument (the request and,
    // through its future, the reply) until the timeout's time, every answered request would stay alive
    // for its whole timeout and be copied by the garbage collector's young generation.
    const k = new Kernel(1);
    const request = { reply: 'a large reply' };
    let heldWhileQueued: unknown = 'not checked';
    await k.run(async () => {
      const timeout = k.after(seconds(5), () => {}, request);
      k.cancel(timeout);
      heldWhileQueued = timeout.arg;
      await k.delay(seconds(1));
    });
    expect(heldWhileQueued).toBeUndefined();
  });
});
