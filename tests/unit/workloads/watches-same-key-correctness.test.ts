// WatchesSameKeyCorrectness against the reference model: every case's watches fire on a correct database
// (several clients on the same five keys, also under commit_unknown_result); a watch that fails makes the
// check fail naming the case, and a watch that never fires leaves the test unfinished.
import { describe, expect, it } from 'vitest';
import { fdbError, type Transaction } from '../../../src/index.js';
import watchesSameKey from '../../../workloads/watches-same-key-correctness.js';
import { ModelDatabase } from '../../support/model-db.js';
import { type ModelEnvironment, runWorkloadForTest } from '../../support/workload-harness.js';

/** A model database whose watches misbehave: `fail` rejects every watch, `lose` never fires one. */
function brokenWatches(mode: 'fail' | 'lose') {
  return (env: ModelEnvironment): ModelDatabase => {
    const db = new ModelDatabase(env);
    const create = db.createTransaction.bind(db);
    db.createTransaction = (): Transaction => {
      const tr = create();
      tr.watch = () =>
        mode === 'fail' ? Promise.reject(fdbError('operation_failed')) : new Promise(() => {});
      return tr;
    };
    return db;
  };
}

describe('WatchesSameKeyCorrectness workload', () => {
  it.each([
    1, 2, 3,
  ])('every case sees its watches fire (seed %i, 3 clients on the same keys)', async (seed) => {
    const r = await runWorkloadForTest({ workload: watchesSameKey, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // per client: 3 (case 1) + 1 + 3 (case 2) + 2 (case 4) + 2 (case 5)
    expect(r.metrics.get('Watches fired')).toBeGreaterThanOrEqual(3 * 11);
    expect(r.db.stats.watchesFired).toBeGreaterThan(0);
  });

  it('tolerates commit_unknown_result', async () => {
    const r = await runWorkloadForTest({
      workload: watchesSameKey,
      options: { numWatches: 5 },
      clientCount: 2,
      seed: 4,
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('fails its check, naming the cases, when watches end in an error', async () => {
    const r = await runWorkloadForTest({ workload: watchesSameKey, seed: 2, db: brokenWatches('fail') });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.details.Reason)).toEqual([
      'WatchesSameKeyCorrectness: a case ended in an error',
    ]);
    const errors = String(r.failures[0]!.details.Errors).split('; ').sort();
    expect(errors).toEqual(['case1', 'case2', 'case4', 'case5'].map((c) => `${c}: operation_failed`));
  });

  it('does not finish when a watch never fires', async () => {
    await expect(
      runWorkloadForTest({
        workload: watchesSameKey,
        seed: 2,
        db: brokenWatches('lose'),
        maxSimSeconds: 600,
      }),
    ).rejects.toThrow(/did not finish/);
  });
});
