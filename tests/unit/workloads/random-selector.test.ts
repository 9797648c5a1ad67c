// RandomSelector against the reference model: the uncommitted read-your-writes view and the committed
// copy agree on every get and key-selector range read, and after each round (also under
// commit_unknown_result); a damaged copy or a database without read-your-writes raises RanSelTestFailure.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/index.js';
import randomSelector from '../../../workloads/random-selector.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

const key = (client: number, region: string, i: number): Uint8Array =>
  bytes(`${String(client).padStart(8, '0')}${region}/${String(i).padStart(10, '0')}`);

describe('RandomSelector workload', () => {
  it.each([1, 2, 3])('keeps the two views equal (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: randomSelector,
      options: { testDuration: 5 },
      clientCount: 3,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    expect(r.metrics.get('Transactions')).toBeGreaterThan(50);
    // Each client works under its own prefix, with the buffer ranges loaded around its copies.
    for (let c = 0; c < 3; c++) {
      expect(r.db.rawDump(key(c, 'a', 0), key(c, 'b', 0))).toHaveLength(5);
      expect(r.db.rawDump(key(c, 'e', 0), key(c, 'f', 0))).toHaveLength(5);
      const b = r.db.rawDump(key(c, 'b', 0), key(c, 'c', 0));
      const d = r.db.rawDump(key(c, 'd', 0), key(c, 'e', 0));
      expect(b.map((kv) => kv.value)).toEqual(d.map((kv) => kv.value));
    }
  });

  it('works with other key-space sizes and offsets', async () => {
    const r = await runWorkloadForTest({
      workload: randomSelector,
      options: { testDuration: 3, maxKeySpace: 60, maxOffset: 12, minOperationsPerTransaction: 30 },
      clientCount: 2,
      seed: 4,
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it.each([
    11, 12,
  ])('tolerates commit_unknown_result: atomic operations apply once (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: randomSelector,
      options: { testDuration: 5 },
      clientCount: 2,
      seed,
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(50);
    expect(r.metrics.get('Retries')).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('raises RanSelTestFailure when the committed copy is damaged after the run', async () => {
    const r = await runWorkloadForTest({
      workload: randomSelector,
      options: { testDuration: 3 },
      clientCount: 2,
      seed: 13,
      beforeCheck: (db) => {
        const d = db.rawDump(key(1, 'd', 0), key(1, 'e', 0));
        expect(d.length).toBeGreaterThan(0);
        db.rawSet(d[0]!.key, bytes('damaged'));
      },
    });
    expect(r.checkResults).toEqual([true, false]);
    const f = failuresOfType(r, 'RanSelTestFailure');
    expect(f).toHaveLength(1);
    expect(f[0]!.details.Reason).toBe('The final results did not match contents');
    expect(f[0]!.details.ValueB).toBe('damaged');
  });

  it('raises RanSelTestFailure when a key is added to one copy after the run', async () => {
    const r = await runWorkloadForTest({
      workload: randomSelector,
      options: { testDuration: 3, maxKeySpace: 30 },
      seed: 14,
      beforeCheck: (db) => {
        for (let i = 0; i <= 30; i++) {
          if (db.rawGet(key(0, 'b', i)) === undefined) {
            db.rawSet(key(0, 'b', i), bytes('1'));
            return;
          }
        }
        throw new Error('no free key in the b/ copy');
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(failuresOfType(r, 'RanSelTestFailure').map((f) => f.details.Reason)).toEqual([
      'The final results did not match sizes',
    ]);
  });

  it('catches a database that does not read its own writes', async () => {
    const r = await runWorkloadForTest({
      workload: randomSelector,
      options: { testDuration: 3 },
      clientCount: 2,
      seed: 15,
      db: { plantedBug: 'noReadYourWrites' },
    });
    expect(r.checkResults).toEqual([false, false]);
    expect(failuresOfType(r, 'RanSelTestFailure').length).toBeGreaterThan(0);
  });
});
