// RandomSelector: every client owns the prefix `%08d` of its id and keeps two copies of one small data set:
// range "b/" is changed only inside one long uncommitted transaction (read-your-writes), range "d/" by a
// committed transaction per operation. The same random sets, clears, range clears and atomic operations
// go to both; gets and key-selector range reads must agree between the two views, and after the long
// transaction commits both ranges must hold the same data. Buffer ranges "a/", "c/", "e/" with equal
// contents let selectors wander past either end. FoundationDB's RandomSelector workload, with its option
// names, defaults, metrics and `RanSelTestFailure` event.
import {
  type AtomicOp,
  type Bytes,
  bytes,
  concatBytes,
  type Database,
  defineWorkload,
  equalBytes,
  type KeyValue,
  type Metric,
  opt,
  printable,
  type Transaction,
} from '../src/index.js';

/** Simulated time an iteration waits when it took no simulated time, so the loop always ends. */
const MIN_ITERATION_TIME = 0.001;

/** Operation codes 6..14 of FoundationDB's loop: the atomic operations, each guarded by a marker key. */
const ATOMIC_BY_CODE: readonly AtomicOp[] = [
  'add',
  'appendIfFits',
  'bitAnd',
  'bitOr',
  'bitXor',
  'max',
  'min',
  'byteMin',
  'byteMax',
];

export default defineWorkload({
  name: 'RandomSelector',
  description:
    'Each client applies the same random mutations to an uncommitted read-your-writes view and to ' +
    'committed data; gets and key-selector range reads of the two must agree, and so must the final data.',
  kind: 'application',
  keySpace: 'test-keys',
  options: {
    minOperationsPerTransaction: opt.int({
      default: 10,
      min: 1,
      unit: 'ops',
      doc:
        'Fewest operations per long transaction. As in FoundationDB, the most is read from this same key: ' +
        'it equals this value when set, else 50.',
    }),
    maxKeySpace: opt.int({ default: 20, min: 1, unit: 'keys', doc: 'Keys 0 .. maxKeySpace of each copy.' }),
    maxOffset: opt.int({
      default: 5,
      min: 2,
      unit: 'keys',
      doc: 'Selector offsets are drawn from [-maxOffset/2, maxOffset/2); buffer ranges hold maxOffset keys.',
    }),
    minInitialAmount: opt.int({
      default: 5,
      min: 0,
      unit: 'keys',
      doc: 'Fewest keys written before each round.',
    }),
    maxInitialAmount: opt.int({
      default: 10,
      min: 0,
      unit: 'keys',
      doc: 'Most keys written before each round.',
    }),
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'How long each client runs rounds.' }),
  },
  create(ctx) {
    const o = ctx.options;
    const minOps = o.minOperationsPerTransaction;
    const maxOps = minOps === 10 ? 50 : minOps;
    const clientPrefix = String(ctx.clientId).padStart(8, '0');
    let transactions = 0;
    let retries = 0;
    let failed = false;
    /** True while the two copies must be equal: before any round, and after a round's view committed. */
    let copiesEqual = true;

    /** `<client>` + region ("a/" .. "e/", "z/") + `%010d`. */
    function k(region: string, i: number): Bytes {
      return bytes(`${clientPrefix}${region}/${String(i).padStart(10, '0')}`);
    }
    function regionBegin(region: string): Bytes {
      return bytes(`${clientPrefix}${region}/`);
    }
    function randomIndex(): number {
      return ctx.random.int(0, o.maxKeySpace + 1);
    }
    function randomValue(): Bytes {
      return bytes(String(ctx.random.int(0, 10_000_000)));
    }

    function fail(reason: string, details: Record<string, string | number | boolean>): void {
      failed = true;
      ctx.fail(reason, details, 'RanSelTestFailure');
    }

    /** Commits one change to the "d/" copy; sets and clears are idempotent, so a retry is harmless. */
    async function commitIdempotent(db: Database, change: (tr: Transaction) => void): Promise<void> {
      await db.run(async (tr) => {
        change(tr);
      });
    }

    /**
     * Commits one atomic operation to the "d/" copy exactly once: a fresh marker key is written in the same
     * transaction, and a retry after commit_unknown_result first looks for it (FoundationDB's pattern).
     */
    async function commitAtomicOnce(db: Database, op: AtomicOp, key: Bytes, param: Bytes): Promise<void> {
      const marker = k('z', ctx.random.int(0, 1_000_000_000));
      await db.run(async (tr, info) => {
        if (info.maybeCommitted && (await tr.get(marker)) !== undefined) return;
        tr.set(marker, new Uint8Array(0));
        tr.atomicOp(op, key, param);
      });
    }

    async function readCommitted<T>(db: Database, read: (tr: Transaction) => Promise<T>): Promise<T> {
      return db.run(async (tr) => read(tr));
    }

    /** Both copies (keys 0..maxKeySpace each), read at one version. */
    async function readCopies(db: Database): Promise<[KeyValue[], KeyValue[]]> {
      return db.run(async (tr) =>
        Promise.all([
          tr.getRange(regionBegin('b'), regionBegin('c'), { limit: o.maxKeySpace + 1 }),
          tr.getRange(regionBegin('d'), regionBegin('e'), { limit: o.maxKeySpace + 1 }),
        ]),
      );
    }

    /** The long transaction's operations, mirrored on the committed copy. Throws the view's errors. */
    async function round(db: Database, ryw: Transaction): Promise<void> {
      const ops = ctx.random.int(minOps, maxOps + 1);
      for (let n = 0; n < ops; n++) {
        const j = ctx.random.int(0, 16);
        if (j < 3) {
          const i = randomIndex();
          const value = randomValue();
          ryw.set(k('b', i), value);
          await commitIdempotent(db, (tr) => tr.set(k('d', i), value));
        } else if (j < 4) {
          const i = randomIndex();
          ryw.clear(k('b', i));
          await commitIdempotent(db, (tr) => tr.clear(k('d', i)));
        } else if (j < 5) {
          const a = ctx.random.int(1, o.maxKeySpace + 1);
          const b = ctx.random.int(1, o.maxKeySpace + 1);
          const lo = Math.min(a, b) - 1;
          const hi = Math.max(a, b);
          ryw.clearRange(k('b', lo), k('b', hi));
          await commitIdempotent(db, (tr) => tr.clearRange(k('d', lo), k('d', hi)));
        } else if (j < 6) {
          const i = randomIndex();
          const viewValue = await ryw.get(k('b', i));
          const committedValue = await readCommitted(db, (tr) => tr.get(k('d', i)));
          if (!sameValue(viewValue, committedValue)) {
            fail('The get results did not match', {
              KeyA: String(i).padStart(10, '0'),
              RYOW: viewValue === undefined ? 'Not Present' : printable(viewValue),
              Regular: committedValue === undefined ? 'Not Present' : printable(committedValue),
            });
          }
        } else if (j < 15) {
          const op = ATOMIC_BY_CODE[j - 6]!;
          const i = randomIndex();
          const param = randomValue();
          ryw.atomicOp(op, k('b', i), param);
          await commitAtomicOnce(db, op, k('d', i), param);
        } else {
          await compareRanges(db, ryw);
        }
      }
    }

    async function compareRanges(db: Database, ryw: Transaction): Promise<void> {
      const a = ctx.random.int(1, o.maxKeySpace + 1);
      const b = ctx.random.int(1, o.maxKeySpace + 1);
      const lo = Math.min(a, b) - 1;
      const hi = Math.max(a, b);
      const onEqualA = ctx.random.int(0, 2) !== 0;
      const onEqualB = ctx.random.int(0, 2) !== 0;
      const half = Math.trunc(o.maxOffset / 2);
      const offsetA = ctx.random.int(-half, half);
      const offsetB = ctx.random.int(-half, half);
      const limit = ctx.random.int(0, 2 * o.maxOffset + o.maxKeySpace);
      const reverse = ctx.random.chance(0.5);
      const view = await ryw.getRange(
        { key: k('b', lo), orEqual: onEqualA, offset: offsetA },
        { key: k('b', hi), orEqual: onEqualB, offset: offsetB },
        { limit, reverse },
      );
      const committed = await readCommitted(db, (tr) =>
        tr.getRange(
          { key: k('d', lo), orEqual: onEqualA, offset: offsetA },
          { key: k('d', hi), orEqual: onEqualB, offset: offsetB },
          { limit, reverse },
        ),
      );
      compareRows('getRange', view, committed, { Limit: limit, Reverse: reverse });
    }

    /**
     * Rows of the view (regions a, b, c) against rows of the committed copy (regions c, d, e): same count,
     * same values, and the same key in the region two letters further on.
     */
    function compareRows(
      what: string,
      view: readonly KeyValue[],
      committed: readonly KeyValue[],
      extra: Record<string, string | number | boolean>,
    ): void {
      if (view.length !== committed.length) {
        fail(`The ${what} results did not match sizes`, {
          Size1: view.length,
          Size2: committed.length,
          ...extra,
          RYOW: view.map((kv) => printable(kv.key)).join(' '),
          Normal: committed.map((kv) => printable(kv.key)).join(' '),
        });
        return;
      }
      for (let i = 0; i < view.length; i++) {
        const v = view[i]!;
        const c = committed[i]!;
        if (!equalBytes(v.value, c.value) || !equalBytes(shiftRegion(v.key, clientPrefix.length), c.key)) {
          fail(`The ${what} results did not match contents`, {
            KeyA: printable(v.key),
            ValueA: printable(v.value),
            KeyB: printable(c.key),
            ValueB: printable(c.value),
            ...extra,
          });
          return;
        }
      }
    }

    return {
      async setup() {
        const value = randomValue();
        await ctx.db.run(async (tr) => {
          for (let i = 0; i < o.maxOffset; i++) {
            tr.set(k('a', i), value);
            tr.set(k('c', i), value);
            tr.set(k('e', i), value);
          }
        });
      },

      async start() {
        const end = ctx.now() + o.testDuration;
        while (ctx.now() < end) {
          const iterationStart = ctx.now();
          // Both copies start equal: cleared and loaded with the same keys in one committed transaction.
          await ctx.db.run(async (tr) => {
            tr.clearRange(regionBegin('b'), regionBegin('c'));
            tr.clearRange(regionBegin('d'), regionBegin('e'));
            const amount = ctx.random.int(
              o.minInitialAmount,
              Math.max(o.minInitialAmount, o.maxInitialAmount) + 1,
            );
            for (let i = 0; i < amount; i++) {
              const index = randomIndex();
              const value = randomValue();
              tr.set(k('b', index), value);
              tr.set(k('d', index), value);
            }
          });
          const ryw = ctx.db.createTransaction();
          copiesEqual = false;
          try {
            await round(ctx.db, ryw);
            await ryw.commit();
            copiesEqual = true;
            transactions++;
            const [b, d] = await readCopies(ctx.db);
            compareRows('final', b, d, {});
          } catch (e) {
            // A failed round (conflict, too old, unknown result) is simply started over from fresh data.
            await ryw.onError(e);
            retries++;
          }
          if (ctx.now() === iterationStart) await ctx.delay(MIN_ITERATION_TIME);
        }
      },

      async check() {
        // The comparisons happen during the run; this client's flag says whether any of them failed. When
        // the last round committed, the copies are compared once more so that later damage is caught too.
        if (copiesEqual) {
          const [b, d] = await readCopies(ctx.db);
          compareRows('final', b, d, {});
        }
        return !failed;
      },

      metrics(): Metric[] {
        return [
          { name: 'Transactions', value: transactions },
          { name: 'Retries', value: retries },
        ];
      },
    };
  },
});

/** Equal presence and bytes. */
function sameValue(a: Bytes | undefined, b: Bytes | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return equalBytes(a, b);
}

/** The key with its region letter (right after the client prefix) moved two letters on: a->c, b->d, c->e. */
function shiftRegion(key: Bytes, prefixLength: number): Bytes {
  const out = concatBytes(key);
  if (out.length > prefixLength) out[prefixLength] = out[prefixLength]! + 2;
  return out;
}
