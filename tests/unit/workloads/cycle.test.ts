// Cycle against the reference model: passes on a correct database (also under commit_unknown_result)
// and its check names the broken invariant when the ring is corrupted.
import { describe, expect, it } from 'vitest';
import { type Bytes, bytes, concatBytes } from '../../../src/index.js';
import cycle from '../../../workloads/cycle.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { transactionsPerSecond: 200, nodeCount: 50, testDuration: 3 } as const;

function nodeKey(n: number, nodeCount: number, prefix = ''): Bytes {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n / nodeCount);
  return concatBytes(bytes(prefix), bytes(view.getBigUint64(0).toString(16).padStart(16, '0')));
}
function nodeValue(n: number, prefix = ''): Bytes {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  return concatBytes(bytes(prefix), bytes(view.getBigUint64(0).toString(16).padStart(16, '0')));
}

describe('Cycle workload', () => {
  it.each([1, 2, 3])('keeps the ring intact on a correct database (seed %i, 4 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: cycle, options: base, clientCount: 4, seed });
    expect(r.failures).toEqual([]);
    expect(r.checkResults.every((c) => c)).toBe(true);
    expect(r.metrics.get('Transactions')).toBeGreaterThan(300);
    expect(r.db.stats.conflicts).toBeGreaterThanOrEqual(0);
    expect(r.db.rawDump()).toHaveLength(50);
  });

  it('runs a ring of three when asked for two, and of one when asked for one (quick swarm seed 10)', async () => {
    for (const [asked, ring] of [
      [2, 3],
      [1, 1],
    ] as const) {
      const r = await runWorkloadForTest({
        workload: cycle,
        options: { transactionsPerSecond: 100, nodeCount: asked, testDuration: 2, expectedRate: 0 },
        clientCount: 2,
        seed: 10,
      });
      expect(r.failures).toEqual([]);
      expect(r.metrics.get('Transactions')).toBeGreaterThan(50);
      expect(r.db.rawDump()).toHaveLength(ring);
    }
  });

  it('tolerates commit_unknown_result (applied and dropped commits)', async () => {
    const r = await runWorkloadForTest({
      workload: cycle,
      options: base,
      clientCount: 3,
      seed: 11,
      commitUnknownResultProbability: 0.2,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(10);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('conflicts under contention and still keeps the ring (small ring, many actors)', async () => {
    const r = await runWorkloadForTest({
      workload: cycle,
      options: {
        transactionsPerSecond: 400,
        nodeCount: 6,
        actorsPerClient: 10,
        testDuration: 2,
        expectedRate: 0,
      },
      clientCount: 2,
      seed: 4,
    });
    expect(r.db.stats.conflicts).toBeGreaterThan(0);
    expect(r.metrics.get('Retries.commit_failed')).toBeGreaterThan(0);
    expect(r.passed).toBe(true);
  });

  it('honours keyPrefix with escapes', async () => {
    const r = await runWorkloadForTest({
      workload: cycle,
      options: { ...base, keyPrefix: 'cy\\x01' },
      clientCount: 2,
      seed: 2,
    });
    expect(r.passed).toBe(true);
    for (const kv of r.db.rawDump()) expect([...kv.key.subarray(0, 3)]).toEqual([0x63, 0x79, 0x01]);
  });

  it('fails with "Cycle got shorter" when a node points at itself', async () => {
    const r = await runWorkloadForTest({
      workload: cycle,
      options: base,
      clientCount: 2,
      seed: 5,
      beforeCheck: (db) => {
        // Find node 0's successor and make it point to itself.
        const next = db.rawGet(nodeKey(0, 50))!;
        db.rawSet(nodeKey(0, 50), nodeValue(0));
        expect(next).toBeDefined();
      },
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => [f.type, f.details.Reason])).toContainEqual([
      'TestFailure',
      'Cycle got shorter',
    ]);
    expect(r.events.some((e) => e.type === 'CurrentDataEntry')).toBe(true);
  });

  it('fails with "Node count changed" when a node disappears', async () => {
    const r = await runWorkloadForTest({
      workload: cycle,
      options: base,
      clientCount: 2,
      seed: 6,
      beforeCheck: (db) => db.rawClear(nodeKey(17, 50)),
    });
    expect(r.failures.map((f) => f.details.Reason)).toContain('Node count changed');
  });

  it('fails with "Invalid value" for a value that is not a node number', async () => {
    const r = await runWorkloadForTest({
      workload: cycle,
      options: base,
      clientCount: 1,
      seed: 7,
      beforeCheck: (db) => db.rawSet(nodeKey(0, 50), bytes('garbage')),
    });
    expect(r.failures.map((f) => f.details.Reason)).toContain('Invalid value');
  });

  it('logs CycleBadRead when a transaction reads a missing node during the run', async () => {
    const r = await runWorkloadForTest({
      seed: 8,
      workloads: [
        { workload: cycle, options: { ...base, testDuration: 2 } },
        {
          workload: {
            name: 'Vandal',
            description: 'clears the whole ring mid-run',
            kind: 'application',
            options: {},
            create: (ctx) => ({
              async start() {
                await ctx.delay(1);
                await ctx.db.run(async (tr) => tr.clearRange(bytes(''), new Uint8Array([0xff])));
              },
            }),
          },
        },
      ],
    });
    expect(r.failures.map((f) => f.type)).toContain('CycleBadRead');
  });
});

describe('Cycle determinism', () => {
  it('produces identical events and metrics for the same seed, and different ones for another seed', async () => {
    const run = (seed: number) =>
      runWorkloadForTest({ workload: cycle, options: base, clientCount: 3, seed });
    const [a, b, c] = [await run(31), await run(31), await run(32)];
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    expect([...b.metrics]).toEqual([...a.metrics]);
    expect(b.db.rawDump()).toEqual(a.db.rawDump());
    expect(c.db.rawDump()).not.toEqual(a.db.rawDump());
  });
});

describe('Cycle catches isolation bugs', () => {
  it('fails when the database ignores read conflicts', async () => {
    const r = await runWorkloadForTest({
      workload: cycle,
      options: { transactionsPerSecond: 400, nodeCount: 6, actorsPerClient: 10, testDuration: 2 },
      clientCount: 2,
      seed: 4,
      db: { plantedBug: 'ignoreReadConflicts' },
    });
    expect(r.passed).toBe(false);
    expect(r.failures.length).toBeGreaterThan(0);
  });
  it('fails its check (with a warning, not an error) when the rate is below expectedRate', async () => {
    const slow = await runWorkloadForTest({
      workload: cycle,
      options: { ...base, expectedRate: 5 },
      clientCount: 1,
      seed: 3,
    });
    expect(slow.failures).toEqual([]);
    expect(slow.checkResults).toEqual([false]);
    const warn = slow.events.find((e) => e.type === 'TestFailure');
    expect(warn?.severity).toBe(30);
    expect(warn?.details.Reason).toBe('Rate below desired rate');
    // expectedRate = 0, as FoundationDB's clogged specs set it: no rate is required.
    const off = await runWorkloadForTest({
      workload: cycle,
      options: { ...base, expectedRate: 0 },
      clientCount: 1,
      seed: 3,
    });
    expect(off.checkResults).toEqual([true]);
  });
});
