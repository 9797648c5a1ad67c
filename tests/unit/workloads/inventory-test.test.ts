// InventoryTest against the reference model: every product count stays between the increments known to
// have committed and those that may have (also under commit_unknown_result), and the check reports
// IncorrectTestResult when a count is changed behind its back or updates are lost.
import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/index.js';
import inventoryTest from '../../../workloads/inventory-test.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

const base = {
  actorCount: 20,
  nProducts: 40,
  transactionsPerSecond: 400,
  fractionWriteTransactions: 0.5,
  testDuration: 5,
} as const;

/** FoundationDB's doubleToTestKey of p / nProducts. */
function productKey(p: number, nProducts = base.nProducts): Uint8Array {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, p / nProducts);
  return bytes(view.getBigUint64(0).toString(16).padStart(16, '0'));
}

function totalCount(dump: readonly { value: Uint8Array }[]): number {
  return dump.reduce((sum, kv) => sum + Number.parseInt(str(kv.value), 10), 0);
}

describe('InventoryTest workload', () => {
  it.each([1, 2, 3])('keeps every count within its bounds (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: inventoryTest, options: base, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // Client 0 alone runs the actors, at about transactionsPerSecond.
    expect(r.metrics.get('Transactions')).toBeGreaterThan(1500);
    expect(r.metrics.get('Client Failures')).toBe(0);
    // Contention on 40 products: some read-modify-writes conflicted and were retried.
    expect(r.db.stats.conflicts).toBeGreaterThan(0);
    expect(r.metrics.get('Retries')).toBeGreaterThan(0);
    // About half the transactions increment two (possibly equal) products.
    const dump = r.db.rawDump(productKey(0), productKey(base.nProducts));
    expect(totalCount(dump)).toBeGreaterThan(1000);
  });

  it('tolerates commit_unknown_result (applied and dropped commits)', async () => {
    const r = await runWorkloadForTest({
      workload: inventoryTest,
      options: base,
      clientCount: 2,
      seed: 11,
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(50);
    expect(r.db.stats.droppedUnknownResults).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('reports IncorrectTestResult when a count is raised after the run', async () => {
    const r = await runWorkloadForTest({
      workload: inventoryTest,
      options: base,
      seed: 12,
      beforeCheck: (db) => {
        const [first] = db.rawDump(productKey(0), productKey(base.nProducts));
        expect(first).toBeDefined();
        db.rawSet(first!.key, bytes(String(Number.parseInt(str(first!.value), 10) + 1000)));
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(failuresOfType(r, 'TestFailure').map((f) => f.details.Reason)).toEqual(['Incorrect results.']);
    const bad = failuresOfType(r, 'IncorrectTestResult');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.details.ActualValue as number).toBeGreaterThan(bad[0]!.details.MaxExpected as number);
  });

  it('reports IncorrectTestResult when a counted product disappears', async () => {
    const r = await runWorkloadForTest({
      workload: inventoryTest,
      options: base,
      seed: 13,
      beforeCheck: (db) => {
        const rows = db.rawDump(productKey(0), productKey(base.nProducts));
        db.rawClear(rows[rows.length - 1]!.key);
      },
    });
    expect(r.passed).toBe(false);
    const bad = failuresOfType(r, 'IncorrectTestResult');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.details.ActualValue).toBe(0);
    expect(bad[0]!.details.MinExpected as number).toBeGreaterThan(0);
  });

  it('catches lost updates when the database ignores read conflicts', async () => {
    const r = await runWorkloadForTest({
      workload: inventoryTest,
      options: base,
      seed: 14,
      db: { plantedBug: 'ignoreReadConflicts' },
    });
    expect(r.checkResults).toEqual([false]);
    expect(failuresOfType(r, 'IncorrectTestResult').length).toBeGreaterThan(0);
  });
});
