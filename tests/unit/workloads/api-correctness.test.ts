// ApiCorrectness against the reference model: every API call agrees with the in-memory model on a
// correct database (also under commit_unknown_result); corrupted data or a broken selector
// implementation is reported with FoundationDB's event names.
import { describe, expect, it } from 'vitest';
import { bytes, type KeySelector, type Transaction } from '../../../src/index.js';
import apiCorrectness from '../../../workloads/api-correctness.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = {
  numKeys: 150,
  maxValueLength: 64,
  maxLongKeyLength: 16,
  numGets: 100,
  numGetRanges: 30,
  numGetRangeSelectors: 30,
  numGetKeys: 30,
  numClears: 20,
  numClearRanges: 10,
  randomTestDuration: 10,
  maxTransactionBytes: 2000,
} as const;

/** A database whose getKey is off by one for selectors with a positive offset. */
class OffByOneDatabase extends ModelDatabase {
  override createTransaction(): Transaction {
    const tr = super.createTransaction();
    const getKey = tr.getKey.bind(tr);
    tr.getKey = (sel: KeySelector, opts) =>
      getKey(sel.offset > 1 ? { ...sel, offset: sel.offset + 1 } : sel, opts);
    return tr;
  }
}

describe('ApiCorrectness workload', () => {
  it.each([1, 2, 3])('agrees with its model (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: apiCorrectness, options: base, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Number of Random Operations Performed')).toBeGreaterThan(50);
    // each client wrote only under its own 10-digit prefix
    const prefixes = new Set(r.db.rawDump().map((kv) => new TextDecoder().decode(kv.key.subarray(0, 10))));
    expect([...prefixes].sort()).toEqual(['0000000000', '0000000001', '0000000002']);
  });

  it('agrees with only lower-case keys and a clientId override', async () => {
    const r = await runWorkloadForTest({
      workload: apiCorrectness,
      options: { ...base, onlyLowerCase: 'true', clientId: '7' },
      seed: 4,
    });
    expect(r.passed).toBe(true);
    for (const kv of r.db.rawDump()) {
      expect(new TextDecoder().decode(kv.key)).toMatch(/^0000000007[a-z]+$/);
    }
  });

  it('stays correct under commit_unknown_result', async () => {
    const r = await runWorkloadForTest({
      workload: apiCorrectness,
      options: base,
      clientCount: 2,
      seed: 5,
      commitUnknownResultProbability: 0.2,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(5);
    expect(r.failures).toEqual([]);
  });

  it('reports CompareValueMismatch when a value is corrupted before the check', async () => {
    const r = await runWorkloadForTest({
      workload: apiCorrectness,
      options: base,
      seed: 6,
      beforeCheck: (db) => {
        const victim = db.rawDump(bytes('0000000000'), bytes('0000000001'))[3]!;
        db.rawSet(victim.key, bytes('corrupted'));
      },
    });
    expect(r.passed).toBe(false);
    const types = r.failures.map((f) => f.type);
    expect(types).toContain('ApiCorrectness_CompareValueMismatch');
    expect(types).toContain('TestFailure');
  });

  it('reports CompareSizeMismatch when a key is lost', async () => {
    const r = await runWorkloadForTest({
      workload: apiCorrectness,
      options: base,
      seed: 7,
      beforeCheck: (db) => {
        const mine = db.rawDump(bytes('0000000000'), bytes('0000000001'));
        // lose a key, or (if the random pass left the key space empty) grow an unexpected one
        if (mine.length > 0) db.rawClear(mine[0]!.key);
        else db.rawSet(bytes('0000000000extra'), bytes('x'));
      },
    });
    expect(r.failures.map((f) => f.type)).toContain('ApiCorrectness_CompareSizeMismatch');
  });

  it('reports a getKey that resolves selectors wrongly', async () => {
    const r = await runWorkloadForTest({
      workload: apiCorrectness,
      options: base,
      seed: 8,
      db: (env) => new OffByOneDatabase(env),
    });
    expect(r.failures.map((f) => f.details.Reason)).toContain('GetKey returned incorrect results');
  });
});
