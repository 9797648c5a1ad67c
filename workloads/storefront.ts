// Storefront: an order-entry application. Items live under `/items/` with a count of units ordered; each
// order transaction reads the counts of the items it orders, adds the quantities and writes the order
// record under `/orders/` in the same transaction. Every client remembers its acknowledged orders; the
// check reads each back (FoundationDB's `OrderNotPresent` / `OrderContentsMismatch`) and, on client 0,
// also verifies what FoundationDB leaves as a FIXME: every item's count equals the units of that item
// over all stored orders. FoundationDB's Storefront workload, with its option names, defaults and metrics.
import {
  bytes,
  concatBytes,
  type Database,
  defineWorkload,
  equalBytes,
  type KeyValue,
  type Metric,
  opt,
  printable,
  str,
  strinc,
} from '../src/index.js';

/** Rows per range read when the check scans the tables. */
const SCAN_CHUNK = 1000;
/** Keys per transaction when loading the item table (about 10 KB, as FoundationDB's bulk setup). */
const SETUP_BATCH = 400;
/** Concurrent loaders per client during setup. */
const SETUP_LOADERS = 8;
/** Most mismatch events one check emits (the first already fails the run). */
const MAX_REPORTED = 20;

const ITEMS_PREFIX = bytes('/items/');
const ORDERS_PREFIX = bytes('/orders/');

export default defineWorkload({
  name: 'Storefront',
  description:
    'Clients place orders that update item counts and write an order record in one transaction; every ' +
    'acknowledged order must be stored as placed and item counts must equal the units over all orders.',
  kind: 'application',
  options: {
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'How long clients place orders.' }),
    transactionsPerSecond: opt.number({
      default: 1000,
      min: 0,
      unit: 'tps',
      doc: 'Target order rate of each client (Poisson arrivals; not divided by clientCount).',
    }),
    actorsPerClient: opt.int({
      default: 0,
      min: 0,
      unit: 'actors',
      doc: 'Concurrent ordering loops per client; 0 means FoundationDB\u2019s default max(1, transactionsPerSecond / 100).',
    }),
    maxOrderSize: opt.int({
      default: 20,
      min: 2,
      unit: 'units',
      doc: 'Units per order are drawn uniformly from [1, maxOrderSize).',
    }),
    itemCount: opt.int({
      default: 0,
      min: 0,
      unit: 'keys',
      doc: 'Number of items; 0 means FoundationDB\u2019s default transactionsPerSecond * clientCount * maxOrderSize.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const actorCount =
      o.actorsPerClient > 0 ? o.actorsPerClient : Math.max(1, Math.floor(o.transactionsPerSecond / 100));
    const itemCount =
      o.itemCount > 0
        ? o.itemCount
        : Math.max(1, Math.floor(o.transactionsPerSecond * ctx.clientCount * o.maxOrderSize));
    /** This client's acknowledged orders: order id (16 hex digits) -> sorted item list with repeats. */
    const orders = new Map<string, number[]>();
    const clientErrors: string[] = [];
    let transactions = 0;
    let retries = 0;
    let spuriousCommitFailures = 0;
    let totalLatency = 0;

    async function placeOrder(db: Database): Promise<void> {
      const unitsToOrder = ctx.random.int(1, o.maxOrderSize);
      const id = ctx.random.uid();
      const key = orderKey(id);
      const itemList = await db.run(async (tr, info): Promise<number[] | undefined> => {
        if (info.attempt > 0) retries++;
        const existing = await tr.get(key);
        if (existing !== undefined) {
          // An earlier attempt committed (commit_unknown_result): keep what it stored, change nothing.
          spuriousCommitFailures++;
          return decodeItemList(existing);
        }
        const quantities = new Map<number, number>();
        for (let i = 0; i < unitsToOrder; i++) {
          const item = ctx.random.int(0, itemCount);
          quantities.set(item, (quantities.get(item) ?? 0) + 1);
        }
        const items = [...quantities.keys()].sort((a, b) => a - b);
        // Read every count before writing anything, so a missing item aborts the whole order.
        const counts = await Promise.all(items.map((item) => tr.get(itemKey(item))));
        for (let i = 0; i < items.length; i++) {
          if (counts[i] === undefined) {
            ctx.fail(
              'An item of the loaded table is missing',
              { Key: printable(itemKey(items[i]!)), Item: items[i]! },
              'StorefrontItemMissing',
            );
            return undefined;
          }
        }
        const list: number[] = [];
        items.forEach((item, i) => {
          const qty = quantities.get(item)!;
          for (let u = 0; u < qty; u++) list.push(item);
          tr.set(itemKey(item), bytes(String(parseCount(counts[i]!) + qty)));
        });
        tr.set(key, encodeItemList(list));
        return list;
      });
      if (itemList !== undefined) orders.set(id, itemList);
    }

    async function orderingClient(db: Database, meanDelay: number, end: number): Promise<void> {
      let lastTime = ctx.now();
      for (;;) {
        lastTime += ctx.random.exponential(meanDelay);
        if (lastTime >= end) return;
        await ctx.delay(Math.max(0, lastTime - ctx.now()));
        // Orders fall behind their schedule when they conflict (few items, many actors); the test still
        // ends at testDuration, as FoundationDB times its clients out, instead of working off the backlog.
        if (ctx.now() >= end) return;
        const started = ctx.now();
        await placeOrder(db);
        transactions++;
        totalLatency += ctx.now() - started;
      }
    }

    async function loadItems(db: Database, first: number, end: number): Promise<void> {
      await db.run(async (tr) => {
        // Setting "0" is idempotent, so a retried (maybe committed) batch is harmless; skip loaded batches.
        if ((await tr.get(itemKey(first))) !== undefined) return;
        for (let i = first; i < end; i++) tr.set(itemKey(i), bytes('0'));
      });
    }

    /** Every key-value pair of a key range, read in chunks (the tables are not written during the check). */
    async function scan(db: Database, prefix: Uint8Array): Promise<KeyValue[]> {
      const out: KeyValue[] = [];
      const end = strinc(prefix);
      let begin = prefix;
      for (;;) {
        const chunk = await db.run(async (tr) => tr.getRange(begin, end, { limit: SCAN_CHUNK }));
        out.push(...chunk);
        if (chunk.length < SCAN_CHUNK) return out;
        begin = concatBytes(chunk[chunk.length - 1]!.key, new Uint8Array([0]));
      }
    }

    async function checkOrders(db: Database): Promise<boolean> {
      let ok = true;
      let reported = 0;
      const ids = [...orders.keys()].sort();
      for (let i = 0; i < ids.length; i += SCAN_CHUNK) {
        const batch = ids.slice(i, i + SCAN_CHUNK);
        const values = await db.run(async (tr) => Promise.all(batch.map((id) => tr.get(orderKey(id)))));
        batch.forEach((id, j) => {
          const stored = values[j];
          const expected = encodeItemList(orders.get(id)!);
          if (stored !== undefined && equalBytes(stored, expected)) return;
          ok = false;
          if (reported++ >= MAX_REPORTED) return;
          ctx.fail(stored === undefined ? 'OrderNotPresent' : 'OrderContentsMismatch', {
            OrderID: id,
            Expected: orders.get(id)!.join(','),
            Stored: stored === undefined ? '' : (decodeItemList(stored)?.join(',') ?? printable(stored)),
          });
        });
      }
      return ok;
    }

    async function checkInventory(db: Database): Promise<boolean> {
      const units = new Map<number, number>();
      let ok = true;
      let reported = 0;
      for (const kv of await scan(db, ORDERS_PREFIX)) {
        const list = decodeItemList(kv.value);
        if (list === undefined) {
          ok = false;
          if (reported++ < MAX_REPORTED) {
            ctx.fail('OrderContentsMismatch', {
              Key: printable(kv.key),
              Problem: 'undecodable order record',
            });
          }
          continue;
        }
        for (const item of list) units.set(item, (units.get(item) ?? 0) + 1);
      }
      const items = await scan(db, ITEMS_PREFIX);
      if (items.length !== itemCount) {
        ok = false;
        ctx.fail('InventoryMismatch', {
          Detail: 'item table size',
          Expected: itemCount,
          Found: items.length,
        });
      }
      for (const kv of items) {
        const item = Number.parseInt(str(kv.key.subarray(ITEMS_PREFIX.length)), 10);
        const count = parseCount(kv.value);
        const ordered = units.get(item) ?? 0;
        units.delete(item);
        if (count === ordered) continue;
        ok = false;
        if (reported++ < MAX_REPORTED) {
          ctx.fail('InventoryMismatch', { Item: item, Count: count, UnitsInOrders: ordered });
        }
      }
      for (const [item, ordered] of units) {
        ok = false;
        if (reported++ < MAX_REPORTED)
          ctx.fail('InventoryMismatch', { Item: item, Count: -1, UnitsInOrders: ordered });
      }
      return ok;
    }

    return {
      async setup() {
        // Each client loads its contiguous slice of the item table.
        const first = Math.floor((itemCount * ctx.clientId) / ctx.clientCount);
        const end = Math.floor((itemCount * (ctx.clientId + 1)) / ctx.clientCount);
        const batches: number[] = [];
        for (let b = first; b < end; b += SETUP_BATCH) batches.push(b);
        let next = 0;
        const loaders: Promise<void>[] = [];
        for (let l = 0; l < SETUP_LOADERS; l++) {
          loaders.push(
            (async () => {
              while (next < batches.length) {
                const b = batches[next++]!;
                await loadItems(ctx.db, b, Math.min(end, b + SETUP_BATCH));
              }
            })(),
          );
        }
        await Promise.all(loaders);
      },

      async start() {
        const end = ctx.now() + o.testDuration;
        const meanDelay = o.transactionsPerSecond > 0 ? actorCount / o.transactionsPerSecond : Infinity;
        const clients: Promise<void>[] = [];
        for (let c = 0; c < actorCount; c++) {
          clients.push(
            orderingClient(ctx.db, meanDelay, end).catch((e: unknown) => {
              clientErrors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
            }),
          );
        }
        await Promise.all(clients);
      },

      async check() {
        let ok = true;
        for (const err of clientErrors.slice(0, MAX_REPORTED)) ctx.fail('ClientError', { Error: err });
        if (clientErrors.length > 0) ok = false;
        if (!(await checkOrders(ctx.db))) ok = false;
        if (ctx.clientId === 0 && !(await checkInventory(ctx.db))) ok = false;
        return ok;
      },

      metrics(): Metric[] {
        return [
          { name: 'Transactions', value: transactions },
          { name: 'Retries', value: retries },
          { name: 'Spurious Commit Failures', value: spuriousCommitFailures },
          {
            name: 'Avg Latency (ms)',
            value: transactions > 0 ? (1000 * totalLatency) / transactions : 0,
            averaged: true,
            format: '%.3f',
          },
        ];
      },
    };
  },
});

/** `/items/%016d`, as FoundationDB formats item keys. */
function itemKey(item: number): Uint8Array {
  return bytes(`/items/${String(item).padStart(16, '0')}`);
}

/** `/orders/%016llx`. */
function orderKey(id: string): Uint8Array {
  return bytes(`/orders/${id}`);
}

/** An item count as stored ("%d"); garbage reads as NaN so that comparisons fail. */
function parseCount(v: Uint8Array): number {
  const text = str(v);
  return /^-?\d+$/.test(text) ? Number.parseInt(text, 10) : Number.NaN;
}

/** FoundationDB's serialized vector<int>: a 32-bit little-endian count, then each item as a 32-bit LE int. */
function encodeItemList(items: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * items.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, items.length, true);
  items.forEach((item, i) => {
    view.setInt32(4 + 4 * i, item, true);
  });
  return out;
}

/** The inverse of encodeItemList; undefined when the bytes are not a well-formed list. */
function decodeItemList(v: Uint8Array): number[] | undefined {
  if (v.length < 4) return undefined;
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const n = view.getUint32(0, true);
  if (v.length !== 4 + 4 * n) return undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(view.getInt32(4 + 4 * i, true));
  return out;
}
