// Increment against the reference model: equal halves on a correct database, even with duplicated
// commits; the check fails naming "Bad increments" when a counter is corrupted.
import { describe, expect, it } from 'vitest';
import { bytes, decodeInt64LE, encodeInt64LE } from '../../../src/index.js';
import increment from '../../../workloads/increment.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { transactionsPerSecond: 50, nodeCount: 40, testDuration: 4 } as const;
const key = (i: number) => bytes(String(i).padStart(16, '0'));

function halves(dump: { key: Uint8Array; value: Uint8Array }[]): [bigint, bigint] {
  let a = 0n;
  let b = 0n;
  for (const kv of dump) {
    if (Number(new TextDecoder().decode(kv.key)) < 20) a += decodeInt64LE(kv.value);
    else b += decodeInt64LE(kv.value);
  }
  return [a, b];
}

describe('Increment workload', () => {
  it.each([1, 2, 3])('keeps both halves equal (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: increment, options: base, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    const [a, b] = halves(r.db.rawDump());
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(BigInt(r.metrics.get('Transactions')!));
  });

  it('stays correct with commit_unknown_result (duplicated and dropped commits)', async () => {
    const r = await runWorkloadForTest({
      workload: increment,
      options: base,
      clientCount: 2,
      seed: 9,
      commitUnknownResultProbability: 0.2,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(5);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    // applied-but-unknown commits were retried: the totals exceed the count of acknowledged transactions
    const [a] = halves(r.db.rawDump());
    expect(a).toBeGreaterThan(BigInt(r.metrics.get('Transactions')!));
  });

  it('fails with "Bad increments" when one counter is changed', async () => {
    const r = await runWorkloadForTest({
      workload: increment,
      options: base,
      clientCount: 2,
      seed: 3,
      beforeCheck: (db) => {
        const v = decodeInt64LE(db.rawGet(key(3)));
        db.rawSet(key(3), encodeInt64LE(v + 1n));
      },
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => [f.type, f.details.Reason])).toContainEqual([
      'TestFailure',
      'Bad increments',
    ]);
  });

  it('fails its check (with a warning, not an error) when the rate is below expectedRate', async () => {
    const r = await runWorkloadForTest({
      workload: increment,
      options: { ...base, expectedRate: 5 },
      clientCount: 1,
      seed: 3,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([false]);
    const warn = r.events.find((e) => e.type === 'TestFailure');
    expect(warn?.severity).toBe(30);
    expect(warn?.details.Reason).toBe('Rate below desired rate');
  });
});
