// Sideband against the reference model: every commit the mutator announces is visible to the checker
// on a correct database; a commit that vanishes before the checker reads it is reported as FoundationDB's
// CausalConsistencyError.
import { describe, expect, it } from 'vitest';
import { bytes, defineWorkload, FdbError } from '../../../src/index.js';
import sideband from '../../../workloads/sideband.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

/** Clears every Sideband key, over and over: commits vanish between the message and the checker's read. */
const eraser = defineWorkload({
  name: 'SidebandEraser',
  description: 'Clears the Sideband keys every few milliseconds (test only).',
  kind: 'application',
  options: {},
  create(ctx) {
    return {
      async start() {
        if (ctx.clientId !== 0) return;
        while (ctx.now() < 5) {
          await ctx.delay(0.002);
          const tr = ctx.db.createTransaction();
          for (;;) {
            try {
              tr.clearRange(bytes('sideband/'), bytes('sideband0'));
              await tr.commit();
              break;
            } catch (e) {
              if (!(e instanceof FdbError)) throw e;
              await tr.onError(e);
            }
          }
        }
      },
    };
  },
});

describe('Sideband workload', () => {
  it.each([1, 2, 3])('sees every announced commit on a correct database (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: sideband,
      options: { testDuration: 5 },
      clientCount: 3,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Messages')).toBeGreaterThan(100);
    expect(r.metrics.get('Keys Checked')).toBe(r.metrics.get('Messages'));
    expect(r.metrics.get('Causal Consistency Errors')).toBe(0);
  });

  it('reports a commit the checker cannot see as CausalConsistencyError', async () => {
    const r = await runWorkloadForTest({
      workloads: [{ workload: sideband, options: { testDuration: 5 } }, { workload: eraser }],
      clientCount: 2,
      seed: 1,
      sidebandLatency: 0.01,
    });
    expect(r.passed).toBe(false);
    const errors = r.events.filter((e) => e.type === 'CausalConsistencyError');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.details.MessageKey).toMatch(/^sideband\//);
    expect(Number(errors[0]!.details.LocalReadVersion)).toBeGreaterThan(0);
  });

  it('does nothing, and passes, with a single client', async () => {
    const r = await runWorkloadForTest({ workload: sideband, options: { testDuration: 1 }, clientCount: 1 });
    expect(r.passed).toBe(true);
    expect(r.events.some((e) => e.type === 'SidebandSkipped')).toBe(true);
  });
});
