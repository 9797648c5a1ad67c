// WriteDuringRead against the reference model: every read, getKey, getRange and watch agrees with the
// workload's in-memory model on a correct database (also under commit_unknown_result), and the check
// names the right WDR* event when the data is corrupted or the database breaks read-your-writes or
// watches.
import { describe, expect, it } from 'vitest';
import writeDuringRead from '../../../workloads/write-during-read.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

const WDR_FAILURES = [
  'WDRGetWrongResult',
  'WDRGetKeyWrongResult',
  'WDRGetRangeWrongResult',
  'WDRWatchWrongResult',
] as const;

describe('WriteDuringRead workload', () => {
  it.each([
    1, 2, 3, 4, 5, 6,
  ])('agrees with its model on a correct database (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 15 },
      clientCount: 3,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // Only client 0 runs transactions, as in FoundationDB.
    expect(r.metrics.get('Transactions')).toBeGreaterThan(5);
    const config = r.events.find((e) => e.type === 'RYWConfiguration');
    expect(config?.machine).toBe('10.0.0.1:1');
    // The range after the run is exactly what the model says: some data was written and kept.
    expect(r.events.some((e) => e.type === 'WDRCheckSkipped')).toBe(false);
  });

  it('is deterministic for a seed', async () => {
    const once = async () =>
      runWorkloadForTest({
        workload: writeDuringRead,
        options: { testDuration: 5 },
        seed: 9,
      });
    const [a, b] = [await once(), await once()];
    expect(a.db.rawDump()).toEqual(b.db.rawDump());
    expect(a.metrics).toEqual(b.metrics);
  });

  it.each([21, 22, 23])('tolerates commit_unknown_result by reloading (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 15 },
      clientCount: 2,
      seed,
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('retries transactions whose reads become too old, and still agrees with its model', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 30 },
      seed: 334,
      // A 0.3 s MVCC window: the workload's random delays make reads transaction_too_old.
      db: { mvccWindowVersions: 300_000 },
    });
    expect(r.db.stats.tooOld).toBeGreaterThan(0);
    expect(r.metrics.get('Retries')).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('fails with WDRGetRangeWrongResult when a key appears in its range after the run', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 5 },
      seed: 3,
      beforeCheck: (db) => {
        db.rawSet(Uint8Array.of(0x02, 0x7f, 0x7f), Uint8Array.of(1));
      },
    });
    expect(r.passed).toBe(false);
    expect(r.checkResults).toEqual([false]);
    const f = failuresOfType(r, 'WDRGetRangeWrongResult');
    expect(f).toHaveLength(1);
    expect(f[0]!.details.Reason).toMatch(/after the run/);
  });

  it('fails with WDRGetRangeWrongResult when a stored value is changed after the run', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 5 },
      seed: 4,
      beforeCheck: (db) => {
        const rows = db.rawDump(Uint8Array.of(0x02), Uint8Array.of(0x03));
        expect(rows.length).toBeGreaterThan(0);
        const victim = rows[Math.floor(rows.length / 2)]!;
        db.rawSet(victim.key, Uint8Array.of(...victim.value, 0x21));
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(failuresOfType(r, 'WDRGetRangeWrongResult')).toHaveLength(1);
  });

  it('catches a database without read-your-writes (WDRGet*WrongResult)', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 10 },
      seed: 5,
      db: { plantedBug: 'noReadYourWrites' },
    });
    expect(r.passed).toBe(false);
    const kinds = new Set(r.failures.map((f) => f.type));
    expect([...kinds].some((k) => (WDR_FAILURES as readonly string[]).includes(k))).toBe(true);
  });

  it('catches watches that fire without a change (WDRWatchWrongResult)', async () => {
    let caught = 0;
    for (const seed of [1, 2, 3, 4]) {
      const r = await runWorkloadForTest({
        workload: writeDuringRead,
        options: { testDuration: 15 },
        seed,
        db: { plantedBug: 'spuriousWatches' },
      });
      const f = failuresOfType(r, 'WDRWatchWrongResult');
      if (f.length > 0) {
        caught++;
        expect(f[0]!.details.Reason).toBe('Triggered without changing');
        expect(r.checkResults).toEqual([false]);
      }
    }
    expect(caught).toBeGreaterThan(0);
  });
});
