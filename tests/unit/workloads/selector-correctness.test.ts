// SelectorCorrectness against the reference model: point reads and key-selector range reads return
// exactly the even keys (with and without read-your-writes, also under commit_unknown_result), and a
// stray odd key, a missing even key or a database without read-your-writes raises RanSelTestFailure.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/index.js';
import selectorCorrectness from '../../../workloads/selector-correctness.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

const key = (i: number): Uint8Array => bytes(String(i).padStart(10, '0'));

describe('SelectorCorrectness workload', () => {
  it.each([
    [1, true],
    [2, true],
    [3, false],
    [4, false],
  ])('reads exactly the even keys (seed %i, testReadYourWrites %s, 3 clients)', async (seed, ryw) => {
    const r = await runWorkloadForTest({
      workload: selectorCorrectness,
      options: { testDuration: 5, testReadYourWrites: ryw },
      clientCount: 3,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // Every client runs transactions of 10..50 reads.
    expect(r.metrics.get('Transactions')).toBeGreaterThan(100);
    const stored = r.db
      .rawDump(key(0), key(11))
      .map((kv) => Number.parseInt(new TextDecoder().decode(kv.key), 10));
    for (const i of stored) expect(i % 2).toBe(0);
    // Without read-your-writes every even key is loaded; with it, keys 0 mod 4 always are.
    expect(stored.filter((i) => i % 4 === 0)).toEqual([0, 4, 8]);
    if (!ryw) expect(stored).toEqual([0, 2, 4, 6, 8]);
  });

  it('handles an odd maxKeySpace and a larger key space', async () => {
    for (const maxKeySpace of [11, 40]) {
      const r = await runWorkloadForTest({
        workload: selectorCorrectness,
        options: { testDuration: 3, maxKeySpace, maxOffset: 7 },
        clientCount: 2,
        seed: 5,
      });
      expect(r.failures).toEqual([]);
      expect(r.passed).toBe(true);
    }
  });

  it('tolerates commit_unknown_result while loading', async () => {
    const r = await runWorkloadForTest({
      workload: selectorCorrectness,
      options: { testDuration: 3, testReadYourWrites: false },
      clientCount: 6,
      seed: 6,
      commitUnknownResultProbability: 0.6,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(0);
    expect(r.passed).toBe(true);
  });

  it('raises RanSelTestFailure when an odd key appears after the run', async () => {
    const r = await runWorkloadForTest({
      workload: selectorCorrectness,
      options: { testDuration: 3 },
      clientCount: 2,
      seed: 7,
      beforeCheck: (db) => db.rawSet(key(3), bytes('intruder')),
    });
    expect(r.checkResults).toEqual([false, true]);
    const f = failuresOfType(r, 'RanSelTestFailure');
    expect(f.map((e) => e.details.Reason)).toContain('Value present for an odd key');
    expect(f.map((e) => e.details.Reason)).toContain('The getRange results did not match expected size');
  });

  it('raises RanSelTestFailure when an even key is missing after the run', async () => {
    const r = await runWorkloadForTest({
      workload: selectorCorrectness,
      options: { testDuration: 3 },
      seed: 8,
      beforeCheck: (db) => db.rawClear(key(4)),
    });
    expect(r.checkResults).toEqual([false]);
    const f = failuresOfType(r, 'RanSelTestFailure');
    expect(f.find((e) => e.details.Reason === 'Value not present')?.details.KeyA).toBe('0000000004');
  });

  it('catches a database that does not read its own writes', async () => {
    const r = await runWorkloadForTest({
      workload: selectorCorrectness,
      options: { testDuration: 3, testReadYourWrites: true },
      seed: 9,
      db: { plantedBug: 'noReadYourWrites' },
    });
    // Keys 2 mod 4 exist only as the reading transaction's own writes unless setup happened to load them.
    expect(r.db.rawGet(key(2)) === undefined || r.db.rawGet(key(6)) === undefined).toBe(true);
    expect(r.checkResults).toEqual([false]);
    expect(failuresOfType(r, 'RanSelTestFailure').length).toBeGreaterThan(0);
  });
});
