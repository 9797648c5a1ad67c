// ConflictRange against the reference model: conflicts are reported exactly when results change on a
// correct database; a resolver that ignores range reads, or one that conflicts on everything, is
// reported as ConflictRangeError with FoundationDB's two messages.
import { describe, expect, it } from 'vitest';
import { bytes, defineWorkload, type Transaction } from '../../../src/index.js';
import conflictRange from '../../../workloads/conflict-range.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { testDuration: 5 } as const;

/** A database whose every transaction conflicts on the whole key space (false conflicts). */
class OvereagerDatabase extends ModelDatabase {
  override createTransaction(): Transaction {
    const tr = super.createTransaction();
    tr.addReadConflictRange(new Uint8Array(0), new Uint8Array([0xff]));
    return tr;
  }
}

/** A database that silently ignores setReadVersion (reads see the latest data). */
class IgnoresReadVersionDatabase extends ModelDatabase {
  override createTransaction(): Transaction {
    const tr = super.createTransaction();
    tr.setReadVersion = () => {};
    return tr;
  }
}

/**
 * Another application's writes just outside ConflictRange's keys, on both sides: `\x02...` sorts before
 * its `0...` keys (WriteDuringRead's prefix, swarm seed 35), `1...` after them.
 */
const neighbour = defineWorkload({
  name: 'Neighbour',
  description: 'Rewrites two keys outside ConflictRange keys every few milliseconds.',
  kind: 'application',
  options: {},
  create(ctx) {
    return {
      async start() {
        for (let i = 0; ctx.now() < 5; i++) {
          await ctx.db.run(async (tr) => {
            tr.set(bytes(`\x02${i}`), bytes('v'));
            tr.clear(bytes(`\x02${i - 1}`));
            tr.set(bytes(`1${i}`), bytes('v'));
            tr.clear(bytes(`1${i - 1}`));
          });
          await ctx.delay(0.005);
        }
      },
    };
  },
});

describe('ConflictRange workload', () => {
  it.each([1, 2, 3])('finds conflicts exactly where results change (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({ workload: conflictRange, options: base, clientCount: 2, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('WithConflicts')).toBeGreaterThan(50);
    expect(r.metrics.get('withoutConflicts')).toBeGreaterThan(50);
  });

  it.each([1, 2, 3])('stays exact beside a neighbour writing next to its keys (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workloads: [{ workload: conflictRange, options: base }, { workload: neighbour }],
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.metrics.get('ConflictRange.withoutConflicts')).toBeGreaterThan(50);
  });

  it('restarts iterations after commit_unknown_result and stays exact', async () => {
    const r = await runWorkloadForTest({
      workload: conflictRange,
      options: base,
      seed: 4,
      commitUnknownResultProbability: 0.1,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(5);
    expect(r.metrics.get('Retries')).toBeGreaterThan(5);
    expect(r.failures).toEqual([]);
  });

  it('reports a missed conflict when the database ignores range-read conflicts', async () => {
    const r = await runWorkloadForTest({
      workload: conflictRange,
      options: base,
      seed: 5,
      db: { plantedBug: 'ignoreRangeReadConflicts' },
    });
    const reasons = r.failures.filter((f) => f.type === 'ConflictRangeError').map((f) => f.details.Reason);
    expect(reasons).toContain('No conflict returned, however results do not match');
    expect(r.passed).toBe(false);
  });

  it('reports a false conflict when the database conflicts on everything', async () => {
    const r = await runWorkloadForTest({
      workload: conflictRange,
      options: base,
      seed: 6,
      db: (env) => new OvereagerDatabase(env),
    });
    const reasons = r.failures.filter((f) => f.type === 'ConflictRangeError').map((f) => f.details.Reason);
    expect(reasons).toContain('Conflict returned, however results are the same');
  });

  it('reports reads that ignore the pinned read version', async () => {
    const r = await runWorkloadForTest({
      workload: conflictRange,
      options: base,
      seed: 7,
      db: (env) => new IgnoresReadVersionDatabase(env),
    });
    const reasons = r.failures.filter((f) => f.type === 'ConflictRangeError').map((f) => f.details.Reason);
    expect(reasons).toContain('A read at an older read version returned different results');
  });
});
