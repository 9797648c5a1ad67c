// Watches against the reference model: changes propagate along the chain on a correct database, also
// under commit_unknown_result; spurious watches and corrupted nodes are reported with FoundationDB's names.
import { describe, expect, it } from 'vitest';
import { bytes, defineWorkload } from '../../../src/index.js';
import watches from '../../../workloads/watches.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { nodeCount: 12, extraPerNode: 20, testDuration: 120 } as const;

function nodeKey(index: number, nodeCount: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, index / nodeCount);
  return bytes(view.getBigUint64(0).toString(16).padStart(16, '0'));
}

describe('Watches workload', () => {
  it.each([1, 2, 3])('propagates every change to the tail (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: watches, options: base, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Cycles')).toBeGreaterThan(2);
    expect(r.metrics.get('Mean Latency (ms)')).toBeGreaterThan(0);
    expect(r.db.stats.watchesFired).toBeGreaterThan(10);
    // the padding keys were written under each node
    expect(r.db.rawDump().length).toBeGreaterThanOrEqual(12 * 20);
  });

  it('tolerates commit_unknown_result', async () => {
    const r = await runWorkloadForTest({
      workload: watches,
      options: base,
      clientCount: 2,
      seed: 4,
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(5);
    expect(r.failures).toEqual([]);
  });

  it('reports WatcherTriggeredWithoutChanging when watches fire spuriously', async () => {
    const r = await runWorkloadForTest({
      workload: watches,
      options: { ...base, testDuration: 10 },
      clientCount: 2,
      seed: 5,
      db: { plantedBug: 'spuriousWatches' },
    });
    expect(r.failures.map((f) => f.type)).toContain('WatcherTriggeredWithoutChanging');
  });

  it('reports WatcherError when a middle node is overwritten during the run', async () => {
    let model: ModelDatabase | undefined;
    const vandal = defineWorkload({
      name: 'Vandal',
      description: 'overwrites chain nodes mid-run',
      kind: 'application',
      options: {},
      create: (ctx) => ({
        async start() {
          if (ctx.clientId !== 0) return;
          for (let i = 0; i < 6; i++) {
            await ctx.delay(15);
            for (let n = 0; n < 12; n++) model!.rawSet(nodeKey(n, 12), bytes(`garbage${i}`));
          }
        },
      }),
    });
    const r = await runWorkloadForTest({
      workloads: [{ workload: watches, options: base }, { workload: vandal }],
      clientCount: 2,
      seed: 6,
      db: (env) => {
        model = new ModelDatabase(env);
        return model;
      },
    });
    expect(r.failures.map((f) => f.type)).toContain('WatcherError');
  });

  it('reports WatcherError in the check when a node is corrupted after the run', async () => {
    const r = await runWorkloadForTest({
      workload: watches,
      options: { ...base, testDuration: 30 },
      clientCount: 2,
      seed: 7,
      beforeCheck: (db) => db.rawSet(nodeKey(5, 12), bytes('corrupt')),
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.type)).toContain('WatcherError');
  });
});
