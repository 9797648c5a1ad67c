// SidebandSingle against the reference model: on a correct database every key client 0 commits and passes
// to itself is there when its checker reads it; a database that hands out read versions older than the
// client's own acknowledged commits is reported as CausalConsistencyError.
import { describe, expect, it } from 'vitest';
import type { Transaction } from '../../../src/index.js';
import sidebandSingle from '../../../workloads/sideband-single.js';
import { ModelDatabase } from '../../support/model-db.js';
import { type ModelEnvironment, runWorkloadForTest } from '../../support/workload-harness.js';

/** A model whose new transactions read two seconds (2,000,000 versions) behind the latest commit. */
function staleReadVersions(env: ModelEnvironment): ModelDatabase {
  const db = new ModelDatabase({ ...env, mvccWindowVersions: 1e12 });
  const create = db.createTransaction.bind(db);
  db.createTransaction = (): Transaction => {
    const tr = create();
    tr.setReadVersion(Math.max(1, db.committedVersion - 2_000_000));
    return tr;
  };
  return db;
}

describe('SidebandSingle workload', () => {
  it.each([1, 2])('sees every key it committed (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: sidebandSingle,
      options: { testDuration: 5, operationsPerSecond: 100 },
      clientCount: 3,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    expect(r.metrics.get('Messages')).toBeGreaterThan(300);
    expect(r.metrics.get('Causal Consistency Errors')).toBe(0);
  });

  it('passes under commit_unknown_result, counting keys already there on a retry', async () => {
    const r = await runWorkloadForTest({
      workload: sidebandSingle,
      options: { testDuration: 5, operationsPerSecond: 100 },
      seed: 3,
      commitUnknownResultProbability: 0.3,
    });
    expect(r.failures).toEqual([]);
    expect(r.metrics.get('KeysUnexpectedlyPresent')).toBeGreaterThan(0);
  });

  it('reports CausalConsistencyError when read versions lag its own commits', async () => {
    const r = await runWorkloadForTest({
      workload: sidebandSingle,
      options: { testDuration: 3 },
      seed: 1,
      db: staleReadVersions,
    });
    expect(r.passed).toBe(false);
    const errors = r.events.filter((e) => e.type === 'CausalConsistencyError');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.details.MessageKey).toMatch(/^Sideband\/Message\/[0-9a-f]+$/);
    expect(Number(errors[0]!.details.LocalReadVersion)).toBeLessThan(
      Number(errors[0]!.details.RemoteCommitVersion),
    );
    expect(r.failures.map((f) => f.details.Reason)).toContain('There were causal consistency errors.');
  });
});
