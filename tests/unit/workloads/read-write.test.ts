// ReadWrite against the reference model: the load runs at the configured shape with FoundationDB's
// metric names, also under commit_unknown_result; a lost or malformed loaded key fails the check.
import { describe, expect, it } from 'vitest';
import readWrite from '../../../workloads/read-write.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { nodeCount: 500, transactionsPerSecond: 200, testDuration: 4, valueBytes: 40 } as const;

function keyFor(index: number, nodeCount: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, index / nodeCount);
  return new TextEncoder().encode(view.getBigUint64(0).toString(16).padStart(16, '0'));
}

describe('ReadWrite workload', () => {
  it.each([1, 2, 3])('runs the A/B mix and reports its metrics (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: readWrite, options: base, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    const a = r.metrics.get('A Transactions')!;
    const b = r.metrics.get('B Transactions')!;
    // 200 tps over the measured 75% of 4 s, about 10% type B
    expect(a + b).toBeGreaterThan(400);
    expect(b).toBeGreaterThan(20);
    expect(b).toBeLessThan(a);
    expect(r.metrics.get('Measured Duration')).toBeCloseTo(3);
    expect(r.metrics.get('Mean Latency (ms)')).toBeGreaterThan(0);
    expect(r.metrics.get('Read rows')).toBeGreaterThan(a * 10 - 1);
    expect(r.db.rawDump()).toHaveLength(500);
  });

  it('supports the access-pattern options together', async () => {
    const r = await runWorkloadForTest({
      workload: readWrite,
      options: {
        ...base,
        adjacentReads: true,
        adjacentWrites: true,
        dependentReads: true,
        rangeReads: true,
        absentFrac: 0.2,
        inconsistentReads: true,
        extraReadConflictRangesPerTransaction: 2,
        extraWriteConflictRangesPerTransaction: 2,
        hotKeyFraction: 0.01,
        hotTrafficFraction: 0.5,
        alpha: 0.5,
        nodePrefix: 3,
        keyBytes: 40,
        minValueBytes: 10,
        rampUpLoad: true,
      },
      clientCount: 2,
      seed: 4,
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Retries')).toBeGreaterThan(0);
    expect(r.metrics.has('Mean Latency (ms)')).toBe(false);
    for (const kv of r.db.rawDump()) expect(kv.key.length).toBe(40);
  });

  it('tolerates commit_unknown_result', async () => {
    const r = await runWorkloadForTest({
      workload: readWrite,
      options: base,
      clientCount: 2,
      seed: 5,
      commitUnknownResultProbability: 0.2,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(10);
    expect(r.failures).toEqual([]);
  });

  it('fails the check when a loaded key disappears', async () => {
    const r = await runWorkloadForTest({
      workload: readWrite,
      options: base,
      clientCount: 2,
      seed: 6,
      beforeCheck: (db) => db.rawClear(keyFor(123, 500)),
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => [f.type, f.details.Reason])).toContainEqual([
      'TestFailure',
      'A loaded key is missing',
    ]);
  });

  it('fails the check when a value has an impossible size', async () => {
    const r = await runWorkloadForTest({
      workload: readWrite,
      options: base,
      seed: 7,
      beforeCheck: (db) => db.rawSet(keyFor(7, 500), new Uint8Array(41)),
    });
    expect(r.failures.map((f) => f.details.Reason)).toContain('A value has an invalid size');
  });
});
