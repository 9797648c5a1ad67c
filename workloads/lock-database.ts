// LockDatabase (FoundationDB's LockDatabase workload): client 0 locks the database at lockAfter and saves
// every user key (read lock-aware, so the saved copy is the data the lock froze); while it is locked, a
// transaction without the lock-aware option must never get a read version; at unlockAfter it reads every
// key again, checks nothing changed while the database was locked, and unlocks. With onlyCheckLocked it
// only checks, for up to 60 s, that the database (locked by an earlier test) refuses read versions.
import {
  type Bytes,
  defineWorkload,
  ErrorCodes,
  equalBytes,
  FdbError,
  type KeyValue,
  normalKeysEnd,
  opt,
  printable,
  type Transaction,
} from '../src/index.js';

/** FoundationDB reads at most this many rows and asserts there are no more. */
const MAX_ROWS = 50_000;
/** How long onlyCheckLocked checks, seconds (FoundationDB's timeout around checkLocked). */
const CHECK_ONLY_SECONDS = 60;

const options = {
  lockAfter: opt.number({
    default: 0,
    min: 0,
    unit: 's',
    doc: 'When client 0 locks the database, after the start of the test phase.',
  }),
  unlockAfter: opt.number({
    default: 10,
    min: 0,
    unit: 's',
    doc: 'When it checks the data and unlocks; must be greater than lockAfter.',
  }),
  onlyCheckLocked: opt.bool({
    default: false,
    doc: 'Lock nothing: only check for 60 s that a non-lock-aware transaction gets no read version (an earlier test locked the database).',
  }),
};

/** Every user key, read by `tr` (lock-aware), as FoundationDB's getRange(normalKeys, 50000). */
async function readAll(tr: Transaction): Promise<KeyValue[]> {
  tr.setOption('lockAware');
  return tr.getRange(new Uint8Array(0), normalKeysEnd, { limit: MAX_ROWS });
}

/** A 16-byte lock id from a workload's seeded stream (FoundationDB's randomUniqueID). */
export function randomLockId(random: { uid(): string }): Bytes {
  const hex = random.uid() + random.uid();
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The first index where `before` and `after` differ, or -1 when they are equal. */
export function firstDifference(before: readonly KeyValue[], after: readonly KeyValue[]): number {
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) {
    const a = before[i];
    const b = after[i];
    if (!a || !b || !equalBytes(a.key, b.key) || !equalBytes(a.value, b.value)) return i;
  }
  return -1;
}

export default defineWorkload({
  name: 'LockDatabase',
  description:
    'Client 0 locks the database at lockAfter and unlocks it at unlockAfter; checks no data changed while ' +
    'locked and that non-lock-aware transactions got no read version meanwhile (database_locked).',
  kind: 'application',
  // While it holds the lock every other workload stalls: rate and latency checks beside it would fail.
  stacking: 'alone',
  options,
  create(ctx) {
    const o = ctx.options;
    let ok = true;
    let refusals = 0;
    let lockedAt = -1;

    /** Locks and saves every user key; retries as FoundationDB's lockAndSave loop. */
    const lockAndSave = async (lockId: Bytes): Promise<KeyValue[]> => {
      for (;;) {
        try {
          await ctx.db.lockDatabase(lockId);
          lockedAt = ctx.now();
          ctx.trace('LockDatabaseLocked', { LockID: printable(lockId) });
          const tr = ctx.db.createTransaction();
          for (;;) {
            try {
              const data = await readAll(tr);
              if (data.length >= MAX_ROWS) {
                ctx.fail('LockDatabase: more user keys than it can save', { Rows: data.length });
                ok = false;
              }
              return data;
            } catch (e) {
              await tr.onError(e);
            }
          }
        } catch (e) {
          if (!(e instanceof FdbError) || !e.retryable) throw e;
          await ctx.delay(0.1);
        }
      }
    };

    /** While locked: a non-lock-aware transaction must fail every attempt with database_locked. */
    const checkLocked = async (until: number): Promise<void> => {
      const tr = ctx.db.createTransaction();
      while (ctx.now() < until) {
        const v = await Promise.race([
          tr.getReadVersion().then(
            (rv) => ({ rv }),
            (e: unknown) => ({ e }),
          ),
          ctx.delay(Math.max(0, until - ctx.now())).then(() => undefined),
        ]);
        if (v === undefined) return;
        if ('rv' in v) {
          ctx.fail(
            'Got a read version while the database was locked',
            { Version: v.rv },
            'GotVersionWhileLocked',
          );
          ok = false;
          return;
        }
        if (v.e instanceof FdbError && v.e.code === ErrorCodes.database_locked) refusals++;
        ctx.sometimes(
          'Database confirmed locked',
          v.e instanceof FdbError && v.e.code === ErrorCodes.database_locked,
        );
        await tr.onError(v.e);
      }
    };

    /** Reads every key again, compares with the saved copy, then unlocks (FoundationDB's unlockAndCheck). */
    const unlockAndCheck = async (lockId: Bytes, data: readonly KeyValue[]): Promise<void> => {
      const tr = ctx.db.createTransaction();
      for (;;) {
        try {
          if ((await ctx.db.databaseLock()) === undefined) return;
          const after = await readAll(tr);
          const i = firstDifference(data, after);
          if (data.length !== after.length) {
            ctx.fail(
              'Data changed while the database was locked',
              { BeforeSize: data.length, AfterSize: after.length },
              'DataChangedWhileLocked',
            );
            ok = false;
          } else if (i >= 0) {
            ctx.fail(
              'Data changed while the database was locked',
              {
                Size: data.length,
                I: i,
                Before: printable(data[i]!.value),
                After: printable(after[i]!.value),
                Key: printable(data[i]!.key),
              },
              'DataChangedWhileLocked',
            );
            ok = false;
          }
          await ctx.db.unlockDatabase(lockId);
          ctx.trace('LockDatabaseUnlocked', { LockID: printable(lockId), LockedFor: ctx.now() - lockedAt });
          return;
        } catch (e) {
          await tr.onError(e);
        }
      }
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        if (o.onlyCheckLocked) return checkLocked(ctx.now() + CHECK_ONLY_SECONDS);
        if (o.unlockAfter <= o.lockAfter) {
          ctx.fail('LockDatabase: unlockAfter must be greater than lockAfter', {
            LockAfter: o.lockAfter,
            UnlockAfter: o.unlockAfter,
          });
          ok = false;
          return;
        }
        const lockId = randomLockId(ctx.random);
        await ctx.delay(o.lockAfter);
        const data = await lockAndSave(lockId);
        // As FoundationDB: locked for unlockAfter - lockAfter from when the lock took hold, checked meanwhile.
        const unlockAt = ctx.now() + o.unlockAfter - o.lockAfter;
        await checkLocked(unlockAt);
        if (ctx.now() < unlockAt) await ctx.delay(unlockAt - ctx.now());
        await unlockAndCheck(lockId, data);
      },
      async check() {
        return ok;
      },
      metrics: () => [{ name: 'Refused read versions while locked', value: refusals }],
    };
  },
});
