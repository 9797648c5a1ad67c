// WatchesSameKeyCorrectness (FoundationDB's workload of that name): several watches on one key, set in
// the ways that stress a client's sharing of watches on a key: many watches of one transaction on the
// value it wrote (case 1); a newer watch with a different value than an older one (case 2); a value
// changed and changed back between two watches, A-B-A (cases 3 and 4); two transactions writing
// different values to the key blindly, watching it (case 5). Every client runs the five cases from its
// setup phase, each on its own key (foo1..foo5); the start phase waits for them. Each case waits until
// every watch it expects to fire has fired: a watch that never fires leaves the test unfinished (its
// timeout), and a case that ends in a non-retryable error fails the check.
//
// Where faultline differs: FoundationDB's case 5 sets NEXT_WRITE_NO_WRITE_CONFLICT_RANGE, which faultline's
// client lacks; the two blind writes read nothing, so they commit either way. FoundationDB cancels
// case 3's two watches; faultline's client cannot cancel a watch, so they are left waiting (nothing
// awaits them and they hold nothing up).
import { type Bytes, bytes, defineWorkload, type Metric, opt, type Transaction } from '../src/index.js';

const options = {
  numWatches: opt.int({
    default: 3,
    min: 0,
    max: 10_000,
    unit: 'watches',
    doc: 'Watches set by one transaction in cases 1 and 2.',
  }),
};

/** Keeps a watch's rejection handled (a later await still sees it): a failed attempt leaves watches behind. */
function held(p: Promise<void>): Promise<void> {
  p.catch(() => undefined);
  return p;
}

/**
 * Commits both; throws the first error only once both commits are done (FoundationDB's `a && b` cancels
 * the other on an error; faultline's client cannot cancel a commit, and onError during one is misuse).
 */
async function bothCommitted(tr1: Transaction, tr2: Transaction): Promise<void> {
  const [a, b] = await Promise.allSettled([tr1.commit(), tr2.commit()]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
}

export default defineWorkload({
  name: 'WatchesSameKeyCorrectness',
  description:
    'Sets several watches on one key in five ways (shared value, newer value, A-B-A twice, same-version ' +
    'blind writes); each case waits until its watches fire; a case ending in an error fails the check ' +
    "(case 5's NEXT_WRITE_NO_WRITE_CONFLICT_RANGE is not needed; case 3's watches are left, not cancelled).",
  kind: 'application',
  options,
  create(ctx) {
    const o = ctx.options;
    const cases: { name: string; done: Promise<void> }[] = [];
    const errors: string[] = [];
    let watchesFired = 0;

    /** FoundationDB's randomUniqueID().toString(): 32 hex digits from this workload's stream. */
    const randomValue = (): Bytes => {
      let s = '';
      for (let i = 0; i < 8; i++) s += ctx.random.int(0, 0x10000).toString(16).padStart(4, '0');
      return bytes(s);
    };

    /** Retries `attempt` on `trs` until it returns, as FoundationDB's loop over onError (all of them). */
    const retry = async (trs: readonly Transaction[], attempt: () => Promise<void>): Promise<void> => {
      for (;;) {
        try {
          await attempt();
          return;
        } catch (e) {
          await Promise.all(trs.map((t) => t.onError(e)));
        }
      }
    };

    const setKeyRandomValue = async (key: Bytes): Promise<void> => {
      const tr = ctx.db.createTransaction();
      await retry([tr], async () => {
        tr.set(key, randomValue());
        await tr.commit();
      });
    };

    /** Sets a watch on `key` in its own transaction; returns it (boxed: a promise would be awaited) once committed. */
    const watchKey = async (key: Bytes): Promise<{ watch: Promise<void> }> => {
      const tr = ctx.db.createTransaction();
      let watch: Promise<void> = Promise.resolve();
      await retry([tr], async () => {
        watch = held(tr.watch(key));
        await tr.commit();
      });
      return { watch };
    };

    const awaitFired = async (watches: readonly Promise<void>[]): Promise<void> => {
      for (const w of watches) {
        await w;
        watchesFired++;
      }
    };

    /** Case 1: numWatches watches of one transaction on the value it wrote; one change fires them all. */
    const case1 = async (key: Bytes): Promise<void> => {
      const tr = ctx.db.createTransaction();
      await retry([tr], async () => {
        tr.set(key, randomValue());
        const watches = Array.from({ length: o.numWatches }, () => held(tr.watch(key)));
        await tr.commit();
        await setKeyRandomValue(key);
        await awaitFired(watches);
      });
    };

    /** Case 2: an older watch, then newer ones on a different value at a larger version. */
    const case2 = async (key: Bytes): Promise<void> => {
      const tr = ctx.db.createTransaction();
      await retry([tr], async () => {
        const { watch: watch1 } = await watchKey(key);
        tr.set(key, randomValue());
        const watches = Array.from({ length: o.numWatches }, () => held(tr.watch(key)));
        await tr.commit();
        await awaitFired([watch1]);
        await setKeyRandomValue(key);
        await awaitFired(watches);
      });
    };

    /** Case 3: A-B-A with one watch on each A; nothing more is waited for (FoundationDB cancels them). */
    const case3 = async (key: Bytes): Promise<void> => {
      const tr = ctx.db.createTransaction();
      const tr2 = ctx.db.createTransaction();
      await retry([tr, tr2], async () => {
        const val = randomValue();
        tr2.set(key, val);
        held(tr2.watch(key));
        await tr2.commit();
        await setKeyRandomValue(key);
        tr.set(key, val);
        held(tr.watch(key));
        await tr.commit();
      });
    };

    /** Case 4: A-B-A with one watch on each A, then a new value must fire both. */
    const case4 = async (key: Bytes): Promise<void> => {
      const tr = ctx.db.createTransaction();
      const tr2 = ctx.db.createTransaction();
      await retry([tr, tr2], async () => {
        const val = randomValue();
        tr2.set(key, val);
        const watch1 = held(tr2.watch(key));
        await tr2.commit();
        await setKeyRandomValue(key);
        tr.set(key, val);
        const watch2 = held(tr.watch(key));
        await tr.commit();
        await setKeyRandomValue(key);
        await awaitFired([watch1, watch2]);
      });
    };

    /** Case 5: two blind writes of different values, each watching: one fires; a new value fires both. */
    const case5 = async (key: Bytes): Promise<void> => {
      const tr1 = ctx.db.createTransaction();
      const tr2 = ctx.db.createTransaction();
      await retry([tr1, tr2], async () => {
        tr1.set(key, randomValue());
        tr2.set(key, randomValue());
        const watch1 = held(tr1.watch(key));
        const watch2 = held(tr2.watch(key));
        await bothCommitted(tr1, tr2);
        await Promise.race([watch1, watch2]);
        await setKeyRandomValue(key);
        await awaitFired([watch1, watch2]);
      });
    };

    const start = (name: string, run: (key: Bytes) => Promise<void>, key: string): void => {
      const done = run(bytes(key)).catch((e: unknown) => {
        errors.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      });
      cases.push({ name, done });
    };

    return {
      async setup() {
        start('case1', case1, 'foo1');
        start('case2', case2, 'foo2');
        start('case3', case3, 'foo3');
        start('case4', case4, 'foo4');
        start('case5', case5, 'foo5');
      },

      async start() {
        await Promise.all(cases.map((c) => c.done));
      },

      async check() {
        if (errors.length === 0) return true;
        ctx.fail('WatchesSameKeyCorrectness: a case ended in an error', {
          Errors: errors.slice(0, 5).join('; '),
        });
        return false;
      },

      metrics(): Metric[] {
        return [{ name: 'Watches fired', value: watchesFired }];
      },
    };
  },
});
