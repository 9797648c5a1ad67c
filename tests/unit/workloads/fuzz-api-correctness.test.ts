// FuzzApiCorrectness against the reference model: every call keeps its contract on a correct database;
// a database that forgets a required error (inverted clear ranges accepted) or throws one no argument
// causes (too-old everything is ignored, but key_outside_legal_range on a legal key is not) is caught.
import { describe, expect, it } from 'vitest';
import { type Bytes, FdbError, type Transaction } from '../../../src/index.js';
import fuzz from '../../../workloads/fuzz-api-correctness.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { testDuration: 1, maxNodes: 200 } as const;

/** Accepts inverted clear ranges silently (clears nothing): a required inverted_range never comes. */
class LaxClearDatabase extends ModelDatabase {
  override createTransaction(): Transaction {
    const tr = super.createTransaction();
    const clearRange = tr.clearRange.bind(tr);
    tr.clearRange = (b: Bytes, e: Bytes) => {
      if (Buffer.compare(b, e) > 0) return;
      clearRange(b, e);
    };
    return tr;
  }
}

/** Refuses every empty key in get(): an error that no argument of the call causes. */
class EmptyKeyDatabase extends ModelDatabase {
  override createTransaction(): Transaction {
    const tr = super.createTransaction();
    const get = tr.get.bind(tr);
    tr.get = (k, o) =>
      k.length === 0 ? Promise.reject(new FdbError(2004, 'key_outside_legal_range')) : get(k, o);
    return tr;
  }
}

describe('FuzzApiCorrectness workload', () => {
  it.each([1, 2, 3])('keeps every call contract on a correct database (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({ workload: fuzz, options: base, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Calls')).toBeGreaterThan(30);
    expect(r.metrics.get('Expected errors')).toBeGreaterThan(5);
  });

  it('reports a required error that never came', async () => {
    const r = await runWorkloadForTest({
      workload: fuzz,
      options: base,
      seed: 2,
      db: (env) => new LaxClearDatabase(env),
    });
    expect(r.passed).toBe(false);
    const f = r.failures.find((e) => e.type === 'TestClear0' || e.type === 'TestClear1');
    expect(f?.details.Reason).toContain('did not throw error 2005');
  });

  it('reports an error its arguments never cause', async () => {
    const r = await runWorkloadForTest({
      workload: fuzz,
      options: base,
      seed: 2,
      db: (env) => new EmptyKeyDatabase(env),
    });
    expect(r.passed).toBe(false);
    const f = r.failures.find((e) => e.type === 'TestGet');
    expect(f?.details.Reason).toContain(
      'threw key_outside_legal_range (2004), which its arguments never cause',
    );
  });
});
