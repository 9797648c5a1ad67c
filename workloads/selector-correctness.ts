// SelectorCorrectness: the database holds exactly the even-numbered keys `%010d` of [0, maxKeySpace)
// (with testReadYourWrites, half of them only as uncommitted writes of the reading transaction), so the
// answer to every point read and every key-selector range read is known arithmetically. Every client
// issues random reads and compares; the check repeats the comparison over every key plus a sample of
// range reads after the run. FoundationDB's SelectorCorrectness workload, with its option names, defaults,
// metrics and `RanSelTestFailure` event.
import {
  bytes,
  compareBytes,
  defineWorkload,
  firstGreaterOrEqual,
  firstGreaterThan,
  type KeySelector,
  lastLessOrEqual,
  lastLessThan,
  type Metric,
  opt,
  printable,
  type Transaction,
} from '../src/index.js';

/** Range reads the check performs after the run, on top of a point read of every key. */
const CHECK_RANGE_READS = 64;
/** Simulated time an iteration waits when its reads took no simulated time, so the loop always ends. */
const MIN_ITERATION_TIME = 0.001;

export default defineWorkload({
  name: 'SelectorCorrectness',
  description:
    'Only the even keys of [0, maxKeySpace) exist; random point reads and key-selector range reads must ' +
    'return exactly the arithmetically expected keys.',
  kind: 'application',
  keySpace: 'test-keys',
  options: {
    minOperationsPerTransaction: opt.int({
      default: 10,
      min: 1,
      unit: 'ops',
      doc:
        'Fewest reads per transaction. As in FoundationDB, the most is read from this same key: it equals ' +
        'this value when set, else 50.',
    }),
    maxKeySpace: opt.int({
      default: 10,
      min: 4,
      unit: 'keys',
      doc: 'Keys 0 .. maxKeySpace-1; the even ones exist.',
    }),
    maxOffset: opt.int({
      default: 20,
      min: 2,
      unit: 'keys',
      doc: 'End selectors use offsets in [1, maxOffset).',
    }),
    testReadYourWrites: opt.bool({
      default: true,
      doc: 'Keys 2 mod 4 are written by the reading transaction itself (uncommitted) instead of loaded.',
    }),
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'How long each client issues reads.' }),
  },
  create(ctx) {
    const o = ctx.options;
    const minOps = o.minOperationsPerTransaction;
    // FoundationDB reads the maximum from the "minOperationsPerTransaction" key with a default of 50.
    const maxOps = minOps === 10 ? 50 : minOps;
    const maxKey = key(o.maxKeySpace + 1);
    let transactions = 0;
    let retries = 0;
    let failed = false;

    function fail(reason: string, details: Record<string, string | number | boolean>): void {
      failed = true;
      ctx.fail(reason, details, 'RanSelTestFailure');
    }

    /** A transaction whose view holds every even key: with testReadYourWrites it writes keys 2 mod 4. */
    function readingTransaction(alsoRewriteLoaded: boolean): Transaction {
      const tr = ctx.db.createTransaction();
      if (o.testReadYourWrites) {
        const value = bytes(String(ctx.random.int(0, 10_000_000)).padStart(10, '0'));
        for (let i = 2; i < o.maxKeySpace; i += 4) tr.set(key(i), value);
        if (alsoRewriteLoaded) {
          for (let i = 0; i < o.maxKeySpace; i += 4) if (ctx.random.chance(0.5)) tr.set(key(i), value);
        }
      }
      return tr;
    }

    async function pointRead(tr: Transaction, i: number): Promise<void> {
      const present = (await tr.get(key(i))) !== undefined;
      if (present !== (i % 2 === 0)) {
        fail(present ? 'Value present for an odd key' : 'Value not present', { KeyA: keyText(i) });
      }
    }

    async function rangeRead(tr: Transaction): Promise<void> {
      const a = ctx.random.int(2, o.maxKeySpace);
      const b = ctx.random.int(2, 2 * o.maxKeySpace);
      const abmax = Math.max(a, b);
      const abmin = Math.min(a, b) - 1;
      const onEqualA = ctx.random.chance(0.5);
      const onEqualB = ctx.random.chance(0.5);
      const offsetA = 1;
      const offsetB = ctx.random.int(1, o.maxOffset);
      const reverse = ctx.random.chance(0.5);
      const begin = selector(key(abmin), onEqualA, offsetA);
      const end = selector(key(abmax), onEqualB, offsetB);
      const expected = expectedCount(
        resolvedEven(abmin, onEqualA, offsetA),
        resolvedEven(abmax, onEqualB, offsetB),
        o.maxKeySpace,
      );
      const rows = await tr.getRange(begin, end, { limit: 2 * (o.maxKeySpace + o.maxOffset), reverse });
      // Keys at or past maxKey may belong to anyone; only ours (below maxKey) are counted.
      const ours = rows.filter((kv) => compareBytes(kv.key, maxKey) < 0);
      if (ours.length !== expected) {
        fail('The getRange results did not match expected size', {
          Size: ours.length,
          Expected: expected,
          Data: ours.map((kv) => printable(kv.key)).join(' '),
          DataSize: rows.length,
          Begin: `${keyText(abmin)}/${onEqualA}/${offsetA}`,
          End: `${keyText(abmax)}/${onEqualB}/${offsetB}`,
          Reverse: reverse,
        });
      }
    }

    return {
      async setup() {
        const value = bytes(String(ctx.random.int(0, 10_000_000)).padStart(10, '0'));
        const halfChosen: boolean[] = [];
        for (let i = 2; i < o.maxKeySpace; i += 4) halfChosen.push(ctx.random.chance(0.5));
        // Plain sets of fixed values: a retried, maybe-committed attempt writes the same thing again.
        await ctx.db.run(async (tr) => {
          if (!o.testReadYourWrites) {
            for (let i = 0; i < o.maxKeySpace; i += 2) tr.set(key(i), value);
          } else {
            for (let i = 0; i < o.maxKeySpace; i += 4) tr.set(key(i), value);
            let n = 0;
            for (let i = 2; i < o.maxKeySpace; i += 4) if (halfChosen[n++]) tr.set(key(i), value);
          }
        });
      },

      async start() {
        const end = ctx.now() + o.testDuration;
        while (ctx.now() < end) {
          const iterationStart = ctx.now();
          // Never committed: the transaction only reads (and, with testReadYourWrites, writes privately).
          const tr = readingTransaction(true);
          try {
            const ops = ctx.random.int(minOps, maxOps + 1);
            for (let i = 0; i < ops; i++) {
              if (ctx.random.int(0, 2) < 1) await pointRead(tr, ctx.random.int(0, o.maxKeySpace));
              else await rangeRead(tr);
            }
            transactions++;
          } catch (e) {
            await tr.onError(e);
            retries++;
          }
          if (ctx.now() === iterationStart) await ctx.delay(MIN_ITERATION_TIME);
        }
      },

      async check() {
        // FoundationDB's check returns true and relies on the SevError events; faultline also re-reads
        // every key and a sample of ranges after the run, so damage done after the last read is caught.
        if (ctx.clientId !== 0) return !failed;
        // One short transaction per read, so that a slow database cannot make the pass too old forever.
        const attempt = async (read: (tr: Transaction) => Promise<void>): Promise<void> => {
          for (;;) {
            const tr = readingTransaction(false);
            try {
              await read(tr);
              return;
            } catch (e) {
              await tr.onError(e);
            }
          }
        };
        for (let i = 0; i < o.maxKeySpace; i++) await attempt((tr) => pointRead(tr, i));
        for (let r = 0; r < CHECK_RANGE_READS; r++) await attempt((tr) => rangeRead(tr));
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

/** The key of integer i: `%010d`. */
function key(i: number): Uint8Array {
  return bytes(keyText(i));
}

function keyText(i: number): string {
  return String(i).padStart(10, '0');
}

/**
 * The selector (key, orEqual, offset), built with the API's named constructor where one fits (every begin
 * selector, and end selectors of offset 1), so that the constructors are checked against the arithmetic
 * too.
 */
function selector(k: Uint8Array, orEqual: boolean, offset: number): KeySelector {
  if (offset === 1) return orEqual ? firstGreaterThan(k) : firstGreaterOrEqual(k);
  if (offset === 0) return orEqual ? lastLessOrEqual(k) : lastLessThan(k);
  return { key: k, orEqual, offset };
}

/**
 * Where a selector lands when every even number is a key: the last key below `k` (or at `k` when orEqual)
 * is found, then `offset` keys are stepped forward (offset 1 is the next key).
 */
function resolvedEven(k: number, orEqual: boolean, offset: number): number {
  const base = k % 2 === 1 ? k - 1 : orEqual ? k : k - 2;
  return base + 2 * offset;
}

/** How many even keys of [0, maxKeySpace) lie in [lo, hi). */
function expectedCount(lo: number, hi: number, maxKeySpace: number): number {
  let n = 0;
  for (let e = Math.max(0, lo); e < Math.min(hi, maxKeySpace); e++) if (e % 2 === 0) n++;
  return n;
}
