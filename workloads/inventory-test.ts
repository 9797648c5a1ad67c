// InventoryTest: client 0 runs `actorCount` actors that either read one product's count or increment the
// counts of `productsPerWrite` products in one read-modify-write transaction. The workload keeps, for
// every product, the fewest and the most increments that can have committed (an attempt that failed with
// commit_unknown_result may or may not have applied), and the check requires every stored count to lie
// between the two. FoundationDB's InventoryTest workload, with its option names, defaults, metrics and
// `TestFailure` / `IncorrectTestResult` events.
import {
  bytes,
  type Database,
  defineWorkload,
  firstGreaterOrEqual,
  type Metric,
  opt,
  printable,
  str,
} from '../src/index.js';

/** Most `IncorrectTestResult` events one check emits (the first failure already fails the run). */
const MAX_REPORTED_MISMATCHES = 20;

/** Largest count a product may reach before the workload treats the stored value as garbage. */
const MAX_PLAUSIBLE_COUNT = 1_000_000;

export default defineWorkload({
  name: 'InventoryTest',
  description:
    'Client 0 increments product counts in read-modify-write transactions and reads them back; every ' +
    'count must lie between the increments known to have committed and those that may have.',
  kind: 'application',
  keySpace: 'test-keys',
  options: {
    actorCount: opt.int({
      default: 500,
      min: 1,
      unit: 'actors',
      doc: 'Concurrent transaction loops on client 0.',
    }),
    nProducts: opt.int({ default: 100_000, min: 1, unit: 'keys', doc: 'Number of product keys.' }),
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long the actors issue transactions.',
    }),
    transactionsPerSecond: opt.number({
      default: 10_000,
      min: 0,
      unit: 'tps',
      doc: 'Target rate of all actors together (Poisson arrivals).',
    }),
    fractionWriteTransactions: opt.number({
      default: 0.01,
      min: 0,
      max: 1,
      unit: 'fraction',
      doc: 'Fraction of transactions that increment products; the rest read one product.',
    }),
    productsPerWrite: opt.int({
      default: 2,
      min: 1,
      unit: 'keys',
      doc: 'Products drawn (with repeats collapsed) per write transaction.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    /** Per product key (binary string): increments known to have committed. */
    const minExpected = new Map<string, number>();
    /** Per product key: increments that may have committed (every attempt counts). */
    const maxExpected = new Map<string, number>();
    const clientErrors: string[] = [];
    let transactions = 0;
    let retries = 0;
    let totalLatency = 0;

    /** FoundationDB's doubleToTestKey: 16 hex digits of the IEEE-754 bits, which sort like the numbers. */
    function productKey(p: number): Uint8Array {
      return bytes(doubleBitsHex(p / o.nProducts));
    }

    function bump(m: Map<string, number>, k: string): void {
      m.set(k, (m.get(k) ?? 0) + 1);
    }

    async function writeTransaction(db: Database): Promise<void> {
      const chosen = new Map<string, Uint8Array>();
      for (let i = 0; i < o.productsPerWrite; i++) {
        const key = productKey(ctx.random.int(0, o.nProducts));
        chosen.set(str(key), key);
      }
      const products = [...chosen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await db.run(async (tr, info) => {
        if (info.attempt > 0) retries++;
        // Every attempt may commit (commit_unknown_result), so each one raises the upper bound.
        for (const [k] of products) bump(maxExpected, k);
        const counts = await Promise.all(products.map(([, key]) => tr.get(key)));
        products.forEach(([, key], i) => {
          const raw = counts[i];
          const count = raw === undefined ? 0 : Number.parseInt(str(raw), 10);
          if (!Number.isInteger(count) || count < 0 || count >= MAX_PLAUSIBLE_COUNT) {
            // FoundationDB asserts here; the value is reported and the check will flag the product too.
            ctx.fail('A product count is not a plausible number', {
              Key: printable(key),
              Value: raw ? str(raw) : '',
            });
            return;
          }
          tr.set(key, bytes(String(count + 1)));
        });
      });
      for (const [k] of products) bump(minExpected, k);
    }

    async function readTransaction(db: Database): Promise<void> {
      const key = productKey(ctx.random.int(0, o.nProducts));
      await db.run(async (tr, info) => {
        if (info.attempt > 0) retries++;
        await tr.get(key);
      });
    }

    async function actor(db: Database, meanDelay: number, end: number): Promise<void> {
      let lastTime = ctx.now();
      for (;;) {
        lastTime += ctx.random.exponential(meanDelay);
        if (lastTime >= end) return;
        await ctx.delay(Math.max(0, lastTime - ctx.now()));
        // Behind schedule (conflicts, recoveries): stop at testDuration rather than work off the backlog.
        if (ctx.now() >= end) return;
        const started = ctx.now();
        if (ctx.random.chance(o.fractionWriteTransactions)) await writeTransaction(db);
        else await readTransaction(db);
        totalLatency += ctx.now() - started;
        transactions++;
      }
    }

    return {
      async start() {
        // FoundationDB runs this workload on client 0 only.
        if (ctx.clientId !== 0) return;
        const end = ctx.now() + o.testDuration;
        const meanDelay = o.transactionsPerSecond > 0 ? o.actorCount / o.transactionsPerSecond : Infinity;
        const actors: Promise<void>[] = [];
        for (let c = 0; c < o.actorCount; c++) {
          actors.push(
            actor(ctx.db, meanDelay, end).catch((e: unknown) => {
              clientErrors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
            }),
          );
        }
        await Promise.all(actors);
      },

      async check() {
        if (ctx.clientId !== 0) return true;
        if (clientErrors.length > 0) {
          ctx.fail('There were client failures.', {
            Failures: clientErrors.length,
            FirstError: clientErrors[0]!,
          });
          return false;
        }
        const rows = await ctx.db.run(async (tr) =>
          tr.getRange(
            firstGreaterOrEqual(bytes(doubleBitsHex(0))),
            firstGreaterOrEqual(bytes(doubleBitsHex(1))),
            {
              limit: o.nProducts,
            },
          ),
        );
        const actual = new Map<string, { count: number; text: string }>();
        for (const kv of rows) {
          const text = str(kv.value);
          actual.set(str(kv.key), { count: Number.parseInt(text, 10), text });
        }
        const keys = new Set<string>([...actual.keys(), ...minExpected.keys()]);
        let reported = 0;
        let ok = true;
        for (const k of [...keys].sort()) {
          const got = actual.get(k);
          const value = got === undefined ? 0 : got.count;
          const min = minExpected.get(k) ?? 0;
          const max = maxExpected.get(k) ?? 0;
          if (Number.isInteger(value) && value >= min && value <= max) continue;
          if (ok) ctx.fail('Incorrect results.', { Products: keys.size });
          ok = false;
          if (reported++ < MAX_REPORTED_MISMATCHES) {
            ctx.fail(
              'A product count is outside what the committed transactions allow',
              {
                Key: printable(bytes(k)),
                ActualValue: Number.isInteger(value) ? value : -1,
                ActualValueString: got?.text ?? '',
                MinExpected: min,
                MaxExpected: max,
              },
              'IncorrectTestResult',
            );
          }
        }
        return ok;
      },

      metrics(): Metric[] {
        const w = o.fractionWriteTransactions;
        const duration = o.testDuration > 0 ? o.testDuration : 1;
        return [
          { name: 'Client Failures', value: clientErrors.length },
          { name: 'Transactions', value: transactions },
          { name: 'Retries', value: retries },
          {
            name: 'Avg Latency (ms)',
            value: transactions > 0 ? (1000 * totalLatency) / transactions : 0,
            averaged: true,
            format: '%.3f',
          },
          {
            name: 'Read rows/simsec (approx)',
            value: (transactions * (2 * w + (1 - w))) / duration,
            averaged: true,
            format: '%.1f',
          },
          {
            name: 'Write rows/simsec (approx)',
            value: (transactions * 2 * w) / duration,
            averaged: true,
            format: '%.1f',
          },
        ];
      },
    };
  },
});

/** 16 lowercase hex digits of a double's IEEE-754 bit pattern (FoundationDB's doubleToTestKey). */
function doubleBitsHex(d: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}
