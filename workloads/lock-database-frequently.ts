// LockDatabaseFrequently (FoundationDB's workload of that name): client 0 locks the database with a fresh
// id and unlocks it again, over and over, for testDuration. Each lock and each unlock is followed by a
// Poisson wait of mean delayBetweenLocks, run alongside it (the next step starts when both are done), so
// the database flips between locked and unlocked while the other workloads of the test run: they must
// cope with database_locked (retry) and a lock taken between their read version and their commit. As in
// FoundationDB it checks nothing itself (its check passes); what it breaks, the others' checks catch. Its
// metric is the number of lock/unlock cycles. The id of every cycle is new, so a lock that another
// workload holds is an error here, as in FoundationDB (lockDatabase throws database_locked).
// Where it differs: faultline's database applies a lock or an unlock through a recovery (db.lockDatabase),
// where FoundationDB commits one transaction, so each cycle also forces two recoveries and takes about
// 0.8 simulated seconds instead of about 0.1 s (72 cycles in FoundationDB's 60 s instead of ~600), and a
// transaction caught by the lock between its read version and its commit sees commit_unknown_result
// from the recovery more often than database_locked.
import { defineWorkload, type Metric, opt } from '../src/index.js';
import { randomLockId } from './lock-database.js';

export default defineWorkload({
  name: 'LockDatabaseFrequently',
  description:
    'Client 0 locks and unlocks the database with a new id every cycle, each step beside a Poisson wait of ' +
    'mean delayBetweenLocks, for testDuration; the other workloads check the effects (faultline applies ' +
    'each lock and unlock through a recovery, so a cycle takes about 0.8 s instead of about 0.1 s).',
  kind: 'application',
  // As LockDatabase: while it holds the lock every other workload stalls (and here each lock is also a
  // recovery), so rate and latency checks beside it would fail in generated (swarm) specs.
  stacking: 'alone',
  options: {
    delayBetweenLocks: opt.number({
      default: 0.1,
      min: 0,
      unit: 's',
      doc: 'Mean of the Poisson wait that runs alongside each lock and each unlock.',
    }),
    testDuration: opt.number({
      default: 60,
      min: 0,
      unit: 's',
      doc: 'How long client 0 keeps locking; the cycle under way when it ends is finished.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    let lockCount = 0;

    /** Waits until `last` advanced by an exponential gap of mean delayBetweenLocks (FoundationDB's poisson). */
    const poisson = async (last: { at: number }): Promise<void> => {
      last.at += ctx.random.exponential(o.delayBetweenLocks);
      await ctx.delay(Math.max(0, last.at - ctx.now()));
    };

    /** One cycle: lock (and wait), then unlock (and wait), each pair awaited together. */
    const lockAndUnlock = async (lastLock: { at: number }, lastUnlock: { at: number }): Promise<void> => {
      const id = randomLockId(ctx.random);
      await Promise.all([ctx.db.lockDatabase(id), poisson(lastLock)]);
      await Promise.all([ctx.db.unlockDatabase(id), poisson(lastUnlock)]);
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const end = ctx.now() + o.testDuration;
        const lastLock = { at: ctx.now() };
        const lastUnlock = { at: ctx.now() + o.delayBetweenLocks / 2 };
        for (;;) {
          await lockAndUnlock(lastLock, lastUnlock);
          lockCount++;
          if (ctx.now() >= end) return;
        }
      },
      async check() {
        return true;
      },
      metrics(): Metric[] {
        return ctx.clientId === 0 ? [{ name: 'LockCount', value: lockCount }] : [];
      },
    };
  },
});
