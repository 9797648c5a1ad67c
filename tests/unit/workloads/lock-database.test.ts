// LockDatabase against the reference model: beside Cycle the lock holds (no data changes, read versions
// refused) and is released; a database whose lock stops nothing is caught; onlyCheckLocked checks an
// earlier lock; a bad window is reported.
import { describe, expect, it } from 'vitest';
import type { Bytes } from '../../../src/index.js';
import cycle from '../../../workloads/cycle.js';
import increment from '../../../workloads/increment.js';
import lockDatabase from '../../../workloads/lock-database.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

/** A database that remembers its lock but enforces none of it. */
class IgnoresLockDatabase extends ModelDatabase {
  private remembered: Bytes | undefined;
  override async lockDatabase(lockId: Bytes): Promise<void> {
    this.remembered = lockId;
  }
  override async unlockDatabase(): Promise<void> {
    this.remembered = undefined;
  }
  override async databaseLock(): Promise<Bytes | undefined> {
    return this.remembered;
  }
}

const lockWindow = { lockAfter: 1, unlockAfter: 4 } as const;

describe('LockDatabase workload', () => {
  it.each([1, 2, 3])('holds the lock beside Cycle and releases it (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workloads: [
        { workload: cycle, options: { testDuration: 6, transactionsPerSecond: 100, nodeCount: 20 } },
        { workload: lockDatabase, options: lockWindow },
      ],
      clientCount: 2,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('LockDatabase.Refused read versions while locked')).toBeGreaterThan(0);
    expect(r.sometimes.get('Database confirmed locked')).toBe(true);
    expect(r.db.lockId).toBeUndefined();
    const locked = r.events.find((e) => e.type === 'LockDatabaseLocked');
    const unlocked = r.events.find((e) => e.type === 'LockDatabaseUnlocked');
    expect(Number(unlocked?.details.LockedFor)).toBeGreaterThanOrEqual(3);
    expect(locked).toBeDefined();
  });

  it('fails with GotVersionWhileLocked when the lock refuses nothing', async () => {
    const r = await runWorkloadForTest({
      workload: lockDatabase,
      options: lockWindow,
      db: (env) => new IgnoresLockDatabase(env),
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.type)).toContain('GotVersionWhileLocked');
  });

  it('fails with DataChangedWhileLocked when locked data still changes', async () => {
    const r = await runWorkloadForTest({
      workloads: [
        {
          workload: increment,
          options: { testDuration: 6, transactionsPerSecond: 100, nodeCount: 20, expectedRate: 0 },
        },
        { workload: lockDatabase, options: lockWindow },
      ],
      clientCount: 1,
      seed: 4,
      db: (env) => new IgnoresLockDatabase(env),
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.type)).toContain('DataChangedWhileLocked');
  });

  it('onlyCheckLocked passes on a database an earlier test locked and fails on an unlocked one', async () => {
    const locked = await runWorkloadForTest({
      workload: lockDatabase,
      options: { onlyCheckLocked: true },
      db: (env) => {
        const db = new ModelDatabase(env);
        db.lockId = 'ab';
        return db;
      },
    });
    expect(locked.failures).toEqual([]);
    expect(locked.passed).toBe(true);
    expect(locked.metrics.get('Refused read versions while locked')).toBeGreaterThan(10);

    const unlocked = await runWorkloadForTest({ workload: lockDatabase, options: { onlyCheckLocked: true } });
    expect(unlocked.passed).toBe(false);
    expect(unlocked.failures.map((f) => f.type)).toContain('GotVersionWhileLocked');
  });

  it('reports unlockAfter not after lockAfter', async () => {
    const r = await runWorkloadForTest({ workload: lockDatabase, options: { lockAfter: 5, unlockAfter: 5 } });
    expect(r.passed).toBe(false);
    expect(r.failures[0]?.details.Reason).toContain('unlockAfter must be greater than lockAfter');
  });
});

describe('database lock (reference model)', () => {
  it('refuses another id, and non-lock-aware read versions and commits; readLockAware may read', async () => {
    const r = await runWorkloadForTest({
      workload: lockDatabase,
      options: { lockAfter: 0, unlockAfter: 1 },
      beforeCheck: async (db) => {
        await db.lockDatabase(Uint8Array.of(1));
        await expect(db.lockDatabase(Uint8Array.of(2))).rejects.toMatchObject({ code: 1038 });
        await expect(db.unlockDatabase(Uint8Array.of(2))).rejects.toMatchObject({ code: 1038 });
        await expect(db.createTransaction().getReadVersion()).rejects.toMatchObject({ code: 1038 });
        const reader = db.createTransaction();
        reader.setOption('readLockAware');
        await reader.getReadVersion();
        reader.set(Uint8Array.of(1), Uint8Array.of(1));
        await expect(reader.commit()).rejects.toMatchObject({ code: 1038 });
        const writer = db.createTransaction();
        writer.setOption('lockAware');
        writer.set(Uint8Array.of(1), Uint8Array.of(1));
        await writer.commit();
        await db.unlockDatabase(Uint8Array.of(1));
        expect(await db.databaseLock()).toBeUndefined();
      },
    });
    expect(r.errors).toEqual([]);
  });
});
