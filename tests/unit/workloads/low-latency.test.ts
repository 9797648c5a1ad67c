// LowLatency against the reference model: client 0 times read versions and small commits and passes on
// a healthy database (also under commit_unknown_result); an operation over its latency bound raises
// LatencyTooLarge, and a committed test key that disappears fails the check.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/index.js';
import lowLatency from '../../../workloads/low-latency.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

describe('LowLatency workload', () => {
  it.each([
    1, 2, 3,
  ])('times one operation per checkDelay on client 0 and passes (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: lowLatency,
      options: { testDuration: 30, checkDelay: 1 },
      clientCount: 3,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // One operation per second for 30 s, on client 0 only (FoundationDB's loop stops after the window).
    expect(r.metrics.get('Operations')).toBe(30);
    expect(r.metrics.get('Operations/sec')).toBe(1);
    // Roughly half the operations are commits of the test key.
    expect(r.db.rawGet(bytes('testKey'))).toEqual(new Uint8Array(0));
    expect(r.db.stats.commits).toBeGreaterThan(5);
  });

  it('only times read versions when testWrites is false', async () => {
    const r = await runWorkloadForTest({
      workload: lowLatency,
      options: { testDuration: 10, testWrites: false, testKey: 'lowLatencyKey' },
      seed: 4,
    });
    expect(r.passed).toBe(true);
    expect(r.db.stats.commits).toBe(0);
    expect(r.db.rawGet(bytes('lowLatencyKey'))).toBeUndefined();
  });

  it('retries through commit_unknown_result and still passes', async () => {
    const r = await runWorkloadForTest({
      workload: lowLatency,
      options: { testDuration: 40 },
      clientCount: 2,
      seed: 5,
      commitUnknownResultProbability: 0.5,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(0);
    expect(r.metrics.get('Retries')).toBeGreaterThan(0);
    expect(r.passed).toBe(true);
  });

  it('raises LatencyTooLarge when an operation exceeds its bound', async () => {
    const r = await runWorkloadForTest({
      workload: lowLatency,
      options: { testDuration: 10, maxGRVLatency: 0, maxCommitLatency: 0 },
      clientCount: 2,
      seed: 6,
    });
    const f = failuresOfType(r, 'LatencyTooLarge');
    expect(f.length).toBeGreaterThan(0);
    expect(f[0]!.details.MaxLatency).toBe(0);
    expect(f[0]!.details.ObservedLatency as number).toBeGreaterThan(0);
    expect(r.checkResults).toEqual([false, true]);
  });

  it('raises LatencyTooLarge only for operations slower than the bound', async () => {
    // The model's commits take up to 4 ms and read versions up to 1 ms: a 2 ms bound catches some commits only.
    const r = await runWorkloadForTest({
      workload: lowLatency,
      options: { testDuration: 60, maxGRVLatency: 0.002, maxCommitLatency: 0.002 },
      seed: 7,
    });
    const f = failuresOfType(r, 'LatencyTooLarge');
    expect(f.length).toBeGreaterThan(0);
    expect(f.length).toBeLessThan(60);
    for (const e of f) expect(e.details.IsCommit).toBe(true);
  });

  it('fails the check when the committed test key is gone', async () => {
    const r = await runWorkloadForTest({
      workload: lowLatency,
      options: { testDuration: 20 },
      clientCount: 2,
      seed: 8,
      beforeCheck: (db) => {
        expect(db.rawGet(bytes('testKey'))).toBeDefined();
        db.rawClear(bytes('testKey'));
      },
    });
    const f = failuresOfType(r, 'TestFailure');
    expect(f).toHaveLength(1);
    expect(f[0]!.details.Reason).toMatch(/test key is missing/);
    expect(r.checkResults).toEqual([false, true]);
  });
});
