// AtomicOps against the reference model: log and ops agree for every operation type, also under
// commit_unknown_result; a changed counter is reported as LogMismatch (and the AddValue details).
import { describe, expect, it } from 'vitest';
import { bytes, decodeInt64LE, encodeInt64LE } from '../../../src/index.js';
import atomicOps from '../../../workloads/atomic-ops.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { transactionsPerSecond: 100, testDuration: 3, nodeCount: 200 } as const;
const opsKey = (g: number, i: number) =>
  bytes(`ops${g.toString(16).padStart(8, '0')}${i.toString(16).padStart(8, '0')}`);

describe('AtomicOps workload', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('log and ops agree for opType %i (3 clients)', async (opType) => {
    const r = await runWorkloadForTest({
      workload: atomicOps,
      options: { ...base, opType },
      clientCount: 3,
      seed: opType + 1,
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Transactions')).toBeGreaterThan(150);
  });

  it('picks the operation from the shared random number when opType is -1', async () => {
    const r = await runWorkloadForTest({ workload: atomicOps, options: base, clientCount: 2, seed: 21 });
    expect(r.passed).toBe(true);
    const setup = r.events.filter((e) => e.type === 'AtomicOpsSetup');
    expect(setup).toHaveLength(1);
  });

  it.each([0, 2, 3])('stays consistent under commit_unknown_result (opType %i)', async (opType) => {
    const r = await runWorkloadForTest({
      workload: atomicOps,
      options: { ...base, opType },
      clientCount: 2,
      seed: 5,
      commitUnknownResultProbability: 0.25,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(10);
    expect(r.events.some((e) => e.type === 'TxnCommitUnknownResult')).toBe(true);
    expect(r.failures).toEqual([]);
  });

  it('reports LogMismatch, LogAddMismatch and InconsistentOpsKeyValue when an AddValue counter changes', async () => {
    const r = await runWorkloadForTest({
      workload: atomicOps,
      options: { ...base, opType: 0 },
      clientCount: 2,
      seed: 6,
      beforeCheck: (db) => {
        const v = decodeInt64LE(db.rawGet(opsKey(7, 1)));
        db.rawSet(opsKey(7, 1), encodeInt64LE(v + 5n));
      },
    });
    const types = r.failures.map((f) => f.type);
    expect(types).toContain('LogMismatch');
    expect(types).toContain('LogAddMismatch');
    expect(types).toContain('InconsistentOpsKeyValue');
    expect(r.failures.find((f) => f.type === 'LogMismatch')!.details.Index).toBe('log00000007');
  });

  it('reports LogMismatch for a corrupted Or counter', async () => {
    const r = await runWorkloadForTest({
      workload: atomicOps,
      options: { ...base, opType: 2 },
      clientCount: 2,
      seed: 7,
      beforeCheck: (db) => db.rawSet(opsKey(3, 0), encodeInt64LE(1n << 40n)),
    });
    expect(r.failures.map((f) => f.type)).toEqual(['LogMismatch']);
  });

  it('reports a lost log entry (the log and its effect were not committed together)', async () => {
    const r = await runWorkloadForTest({
      workload: atomicOps,
      options: { ...base, opType: 0 },
      clientCount: 1,
      seed: 8,
      beforeCheck: (db) => {
        const entry = db.rawDump(bytes('log'), bytes('loh'))[0]!;
        db.rawClear(entry.key);
      },
    });
    expect(r.failures.map((f) => f.type)).toContain('LogAddMismatch');
    expect(r.failures.map((f) => f.type)).toContain('MissingLogKey');
  });
});
