// Storefront against the reference model: every acknowledged order is stored as placed and the item
// counts equal the units over all orders (also under commit_unknown_result); the check names
// OrderNotPresent, OrderContentsMismatch or InventoryMismatch when the tables are damaged or updates
// are lost.
import { describe, expect, it } from 'vitest';
import { bytes, str, strinc } from '../../../src/index.js';
import storefront from '../../../workloads/storefront.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

const base = {
  transactionsPerSecond: 60,
  actorsPerClient: 4,
  maxOrderSize: 6,
  itemCount: 50,
  testDuration: 5,
} as const;

const ITEMS = bytes('/items/');
const ORDERS = bytes('/orders/');

function reasons(r: { failures: { type: string; details: Record<string, unknown> }[] }): string[] {
  return r.failures.filter((f) => f.type === 'TestFailure').map((f) => String(f.details.Reason));
}

describe('Storefront workload', () => {
  it.each([
    1, 2, 3,
  ])('stores every order and keeps item counts equal to ordered units (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({ workload: storefront, options: base, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // Every client places orders at about transactionsPerSecond.
    expect(r.metrics.get('Transactions')).toBeGreaterThan(600);
    const orders = r.db.rawDump(ORDERS, strinc(ORDERS));
    expect(orders).toHaveLength(r.metrics.get('Transactions')!);
    expect(r.db.rawDump(ITEMS, strinc(ITEMS))).toHaveLength(base.itemCount);
    // Few items, many orders: concurrent orders of one item conflicted and were retried.
    expect(r.db.stats.conflicts).toBeGreaterThan(0);
  });

  it('loads the default item table (transactionsPerSecond * clientCount * maxOrderSize) in slices', async () => {
    const r = await runWorkloadForTest({
      workload: storefront,
      options: { transactionsPerSecond: 10, maxOrderSize: 5, testDuration: 2 },
      clientCount: 4,
      seed: 4,
    });
    expect(r.passed).toBe(true);
    expect(r.db.rawDump(ITEMS, strinc(ITEMS))).toHaveLength(10 * 4 * 5);
  });

  it('tolerates commit_unknown_result: a retried order is recognised and kept once', async () => {
    const r = await runWorkloadForTest({
      workload: storefront,
      options: base,
      clientCount: 2,
      seed: 11,
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(50);
    expect(r.metrics.get('Spurious Commit Failures')).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('reports OrderNotPresent (and the inventory mismatch) when an order disappears', async () => {
    const r = await runWorkloadForTest({
      workload: storefront,
      options: base,
      clientCount: 2,
      seed: 12,
      beforeCheck: (db) => {
        const [first] = db.rawDump(ORDERS, strinc(ORDERS));
        db.rawClear(first!.key);
      },
    });
    expect(r.passed).toBe(false);
    expect(reasons(r)).toContain('OrderNotPresent');
    expect(reasons(r)).toContain('InventoryMismatch');
    // The order belonged to exactly one client; client 0 also sees the inventory mismatch.
    expect(r.checkResults[0]).toBe(false);
  });

  it('reports OrderContentsMismatch when an order record is rewritten', async () => {
    const r = await runWorkloadForTest({
      workload: storefront,
      options: base,
      seed: 13,
      beforeCheck: (db) => {
        const [first] = db.rawDump(ORDERS, strinc(ORDERS));
        const changed = first!.value.slice();
        changed[4] = (changed[4]! + 1) % 50; // the first item of the order becomes another item
        db.rawSet(first!.key, changed);
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(reasons(r)).toContain('OrderContentsMismatch');
    expect(reasons(r)).toContain('InventoryMismatch');
  });

  it('reports InventoryMismatch when an item count changes behind the orders', async () => {
    const r = await runWorkloadForTest({
      workload: storefront,
      options: base,
      clientCount: 2,
      seed: 14,
      beforeCheck: (db) => {
        const items = db.rawDump(ITEMS, strinc(ITEMS));
        const victim = items[7]!;
        db.rawSet(victim.key, bytes(String(Number.parseInt(str(victim.value), 10) + 1)));
      },
    });
    expect(r.checkResults).toEqual([false, true]);
    const f = failuresOfType(r, 'TestFailure');
    expect(f.map((e) => e.details.Reason)).toEqual(['InventoryMismatch']);
    expect(f[0]!.details.Item).toBe(7);
  });

  it('catches lost item updates when the database ignores read conflicts', async () => {
    const r = await runWorkloadForTest({
      workload: storefront,
      options: base,
      clientCount: 3,
      seed: 15,
      db: { plantedBug: 'ignoreReadConflicts' },
    });
    expect(r.checkResults[0]).toBe(false);
    expect(reasons(r)).toContain('InventoryMismatch');
  });
});
