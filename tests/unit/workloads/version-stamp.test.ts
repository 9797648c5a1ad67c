// VersionStamp against the reference model: every stored versionstamp is one client 0 recorded, the
// latest for its key, no newer than the check's read version (also when commit_unknown_result hides
// whether a commit applied), and the check fails when stamps are lost, forged or moved.
import { describe, expect, it } from 'vitest';
import { bytes, concatBytes, strinc } from '../../../src/index.js';
import versionStamp from '../../../workloads/version-stamp.js';
import { ModelDatabase } from '../../support/model-db.js';
import {
  failuresOfType,
  runWorkloadForTest,
  type WorkloadTestResult,
} from '../../support/workload-harness.js';

const base = { testDuration: 5, transactionsPerSecond: 200, nodeCount: 40 } as const;
const VALUES = bytes('VS_V_');
const KEYS = bytes('VS_K_');

function reasons(r: WorkloadTestResult): string[] {
  return failuresOfType(r, 'TestFailure').map((f) => String(f.details.Reason));
}

function checkEnd(r: WorkloadTestResult): Record<string, unknown> {
  const e = r.events.find((x) => x.type === 'VST_CheckEnd');
  expect(e).toBeDefined();
  return e!.details;
}

describe('VersionStamp workload', () => {
  it.each([1, 2, 3])('finds every recorded stamp, latest per key (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: versionStamp, options: base, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // Client 0 alone commits, about one transaction per 5 ms, and checks.
    expect(checkEnd(r).Transactions as number).toBeGreaterThan(500);
    const values = r.db.rawDump(VALUES, strinc(VALUES));
    const keys = r.db.rawDump(KEYS, strinc(KEYS));
    expect(values.length).toBeGreaterThan(30);
    expect(values.length).toBeLessThanOrEqual(40);
    expect(keys.length).toBeGreaterThan(30);
    // A stored value starts with the 10-byte versionstamp of its commit, then the rest of the x's.
    for (const kv of values) expect([...kv.value.subarray(10)].every((c) => c === 0x78)).toBe(true);
    // Stamped keys are prefix + 36 bytes (the 4-byte offset is gone).
    for (const kv of keys) expect(kv.key.length).toBe(KEYS.length + 36);
  });

  it.each([11, 12])('resolves commit_unknown_result by reading the stamp back (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: versionStamp,
      options: base,
      clientCount: 2,
      seed,
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(50);
    expect(r.db.stats.droppedUnknownResults).toBeGreaterThan(10);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('fails when a committed value disappears (failIfDataLost)', async () => {
    const r = await runWorkloadForTest({
      workload: versionStamp,
      options: base,
      seed: 13,
      beforeCheck: (db) => {
        const [first] = db.rawDump(VALUES, strinc(VALUES));
        db.rawClear(first!.key);
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(reasons(r)).toEqual([
      'The number of value keys differs from the number committed',
      'A committed value keys entry is missing',
    ]);
  });

  it('tolerates lost data when failIfDataLost is false, but not a forged stamp', async () => {
    const lost = await runWorkloadForTest({
      workload: versionStamp,
      options: { ...base, failIfDataLost: false },
      seed: 14,
      beforeCheck: (db) => {
        const [first] = db.rawDump(VALUES, strinc(VALUES));
        db.rawClear(first!.key);
      },
    });
    expect(lost.passed).toBe(true);

    const forged = await runWorkloadForTest({
      workload: versionStamp,
      options: { ...base, failIfDataLost: false },
      seed: 14,
      beforeCheck: (db) => {
        const [first] = db.rawDump(VALUES, strinc(VALUES));
        const value = first!.value.slice();
        value[7] = value[7]! ^ 0x01; // the low byte of the commit version
        db.rawSet(first!.key, value);
      },
    });
    expect(forged.checkResults).toEqual([false]);
    expect(reasons(forged)).toEqual(['The value keys exists, but we never wrote the timestamp']);
  });

  it('fails when two keys swap their stamps (each holds a version it never had)', async () => {
    const r = await runWorkloadForTest({
      workload: versionStamp,
      options: base,
      seed: 15,
      beforeCheck: (db) => {
        const rows = db.rawDump(VALUES, strinc(VALUES));
        db.rawSet(rows[0]!.key, rows[1]!.value);
        db.rawSet(rows[1]!.key, rows[0]!.value);
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(reasons(r)).toEqual([
      'The value keys exists, but we never wrote the timestamp',
      'The value keys exists, but we never wrote the timestamp',
    ]);
  });

  it('fails when a value key rolls back to an older stamp of its own', async () => {
    // Sample each key's stamps every simulated millisecond during the run, then put an older one back:
    // the check must reject a stamp that is not the latest recorded for its key.
    const seen = new Map<string, Uint8Array[]>();
    const r = await runWorkloadForTest({
      workload: versionStamp,
      options: { ...base, nodeCount: 4, testDuration: 2 },
      seed: 16,
      db: (env) => {
        const db = new ModelDatabase(env);
        const poll = async (): Promise<void> => {
          for (let t = 0; t < 2000; t++) {
            for (const kv of db.rawDump(VALUES, strinc(VALUES))) {
              const k = String.fromCharCode(...kv.key);
              const list = seen.get(k) ?? [];
              if (!list.some((v) => v.every((c, i) => c === kv.value[i]))) list.push(kv.value);
              seen.set(k, list);
            }
            await env.delay(0.001);
          }
        };
        void poll();
        return db;
      },
      beforeCheck: (db) => {
        const [key, stamps] = [...seen.entries()].find(([, list]) => list.length >= 2)!;
        db.rawSet(
          Uint8Array.from(key, (c) => c.charCodeAt(0)),
          stamps[0]!,
        );
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(reasons(r)).toEqual(['The value keys holds an older stamp than its last commit']);
  });

  it('fails when a stamped key appears for an index that was never written', async () => {
    const r = await runWorkloadForTest({
      workload: versionStamp,
      options: { ...base, nodeCount: 100_000 },
      seed: 17,
      beforeCheck: (db) => {
        const [first] = db.rawDump(KEYS, strinc(KEYS));
        // Same stamp, but index digits that no transaction used.
        const forged = concatBytes(
          first!.key.subarray(0, KEYS.length + 4),
          bytes('ffffffffffffffff'),
          first!.key.subarray(KEYS.length + 20),
        );
        db.rawSet(forged, first!.value);
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(reasons(r)).toEqual([
      'The number of versionstamped keys differs from the number committed',
      "Reading versionstamped keys we didn't commit",
    ]);
  });
});
