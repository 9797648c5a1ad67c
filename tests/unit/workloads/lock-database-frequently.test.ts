// LockDatabaseFrequently against the reference model: client 0 alone locks and unlocks with a fresh id each
// cycle, at FoundationDB's pace (a Poisson wait beside each step), until testDuration, and leaves the
// database unlocked; the workloads beside it still pass; a lock it does not own stops it with
// database_locked, as in FoundationDB.
import { describe, expect, it } from 'vitest';
import type { Bytes } from '../../../src/index.js';
import cycle from '../../../workloads/cycle.js';
import lockDatabaseFrequently from '../../../workloads/lock-database-frequently.js';
import versionStamp from '../../../workloads/version-stamp.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

/** One lock or unlock call as the database saw it: simulated seconds, operation, lock id (hex). */
interface LockCall {
  readonly at: number;
  readonly op: 'lock' | 'unlock';
  readonly id: string;
}

/** A model database that records every lock and unlock and counts refused read versions. */
class RecordingLockDatabase extends ModelDatabase {
  readonly calls: LockCall[] = [];
  private readonly clock: () => number;
  constructor(env: ConstructorParameters<typeof ModelDatabase>[0] & { now: () => number }) {
    super(env);
    this.clock = env.now;
  }
  override async lockDatabase(lockId: Bytes): Promise<void> {
    this.calls.push({ at: this.clock() / 1e6, op: 'lock', id: Buffer.from(lockId).toString('hex') });
    return super.lockDatabase(lockId);
  }
  override async unlockDatabase(lockId: Bytes): Promise<void> {
    this.calls.push({ at: this.clock() / 1e6, op: 'unlock', id: Buffer.from(lockId).toString('hex') });
    return super.unlockDatabase(lockId);
  }
}

describe('LockDatabaseFrequently workload', () => {
  it.each([1, 2, 3])('client 0 alone locks and unlocks with a new id each cycle (seed %i)', async (seed) => {
    let db: RecordingLockDatabase | undefined;
    const r = await runWorkloadForTest({
      workload: lockDatabaseFrequently,
      options: { testDuration: 3, delayBetweenLocks: 0.1 },
      clientCount: 3,
      seed,
      db: (env) => {
        db = new RecordingLockDatabase(env);
        return db;
      },
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    const calls = db!.calls;
    const cycles = r.metrics.get('LockCount')!;
    expect(calls).toHaveLength(2 * cycles);
    // The lock times and the unlock times each advance by a Poisson gap of mean 0.1 s a cycle (counted
    // from the last one, not from when the step ended): about 10 cycles a second, so about 30 in 3 s.
    expect(cycles).toBeGreaterThan(15);
    expect(cycles).toBeLessThan(60);
    for (let i = 0; i < calls.length; i += 2) {
      expect(calls[i]!.op).toBe('lock');
      expect(calls[i + 1]!.op).toBe('unlock');
      expect(calls[i + 1]!.id).toBe(calls[i]!.id);
    }
    const ids = new Set(calls.filter((c) => c.op === 'lock').map((c) => c.id));
    expect(ids.size).toBe(cycles);
    // It keeps going until testDuration, finishes the cycle under way, and leaves the database unlocked.
    expect(calls.at(-2)!.at).toBeLessThan(3);
    expect(r.simSeconds).toBeGreaterThanOrEqual(3);
    expect(r.db.lockId).toBeUndefined();
  });

  it('stops at once when testDuration is 0, after one full cycle', async () => {
    const r = await runWorkloadForTest({
      workload: lockDatabaseFrequently,
      options: { testDuration: 0 },
    });
    expect(r.passed).toBe(true);
    expect(r.metrics.get('LockCount')).toBe(1);
  });

  it('VersionStamp and Cycle beside it still pass (they retry database_locked)', async () => {
    const r = await runWorkloadForTest({
      workloads: [
        { workload: versionStamp, options: { testDuration: 4, transactionsPerSecond: 50, nodeCount: 50 } },
        {
          workload: cycle,
          options: { testDuration: 4, transactionsPerSecond: 50, nodeCount: 20, expectedRate: 0 },
        },
        { workload: lockDatabaseFrequently, options: { testDuration: 4 } },
      ],
      clientCount: 2,
      seed: 5,
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('LockDatabaseFrequently.LockCount')).toBeGreaterThan(20);
    // Most of Cycle's retries were refusals while locked, not conflicts or too-old reads.
    const retries = r.metrics.get('Cycle.Retries')!;
    const otherCauses =
      r.metrics.get('Cycle.Retries.commit_failed')! + r.metrics.get('Cycle.Retries.too_old')!;
    expect(retries - otherCauses).toBeGreaterThan(20);
  });

  it('is stopped by database_locked when another id holds the lock, as in FoundationDB', async () => {
    const r = await runWorkloadForTest({
      workload: lockDatabaseFrequently,
      options: { testDuration: 2 },
      db: (env) => {
        const db = new ModelDatabase(env);
        db.lockId = 'ab';
        return db;
      },
    });
    expect(r.passed).toBe(false);
    expect(r.errors.map((e) => (e as { code?: number }).code)).toContain(1038);
  });
});
