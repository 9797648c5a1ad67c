// Serializability against the reference model: merged and sequential runs agree on a correct database
// (also when commits may be reported unknown); a broken read-your-writes or interference between the
// runs is reported as SRL_ResultMismatch.
import { describe, expect, it } from 'vitest';
import { bytes, defineWorkload } from '../../../src/index.js';
import serializability from '../../../workloads/serializability.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

const base = { testDuration: 10, nodes: 60 } as const;

describe('Serializability workload', () => {
  it.each([1, 2, 3])('sequential and merged runs agree (seed %i, 2 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: serializability, options: base, clientCount: 2, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Iterations')).toBeGreaterThan(20);
  });

  it('restarts iterations after commit_unknown_result and still agrees', async () => {
    const r = await runWorkloadForTest({
      workload: serializability,
      options: base,
      clientCount: 1,
      seed: 4,
      commitUnknownResultProbability: 0.1,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(3);
    expect(r.events.some((e) => e.type === 'SRL_Error')).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('reports SRL_ResultMismatch when read-your-writes is broken', async () => {
    const r = await runWorkloadForTest({
      workload: serializability,
      options: base,
      clientCount: 1,
      seed: 5,
      db: { plantedBug: 'noReadYourWrites' },
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.type)).toContain('SRL_ResultMismatch');
  });

  it('reports SRL_ResultMismatch when the data is changed behind its back', async () => {
    let model: ModelDatabase | undefined;
    const vandal = defineWorkload({
      name: 'Vandal',
      description: 'writes into the key space mid-run',
      kind: 'application',
      options: {},
      create: (ctx) => ({
        async start() {
          for (let i = 0; i < 400; i++) {
            await ctx.delay(0.013);
            model!.rawSet(bytes(String(ctx.random.int(0, 60)).padStart(10, '0')), bytes(`v${i}`));
          }
        },
      }),
    });
    const r = await runWorkloadForTest({
      workloads: [{ workload: serializability, options: base }, { workload: vandal }],
      seed: 6,
      db: (env) => (model = new ModelDatabase(env)),
    });
    expect(r.failures.map((f) => f.type)).toContain('SRL_ResultMismatch');
    expect(r.checkResults[0]).toBe(false);
  });
});
