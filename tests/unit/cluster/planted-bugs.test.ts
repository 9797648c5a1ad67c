// Each planted bug is demonstrably wrong: the scenario shows a concrete violation with the bug, and the
// same scenario holds its guarantee without it.
import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/cluster/bytes.js';
import type { FdbError } from '../../../src/cluster/client-api.js';
import type { PlantedBug } from '../../../src/cluster/planted-bugs.js';
import type { SimProcess } from '../../../src/sim/process.js';
import { finished, runScenario, type ScenarioContext } from '../../support/cluster-scenario.js';

const k = (s: string) => bytes(s);

/** Runs one scenario with and without the bug. */
async function both<T>(
  bug: PlantedBug,
  opts: { seed: number; config: Record<string, unknown>; knobs?: Record<string, number> },
  body: (ctx: ScenarioContext) => Promise<T>,
): Promise<{ withBug: T; without: T }> {
  const a = await runScenario({ ...opts, config: { ...opts.config, plantedBug: bug } }, body);
  const b = await runScenario(opts, body);
  return { withBug: finished(a.outcome), without: finished(b.outcome) };
}

const procWith = (ctx: ScenarioContext, role: string): SimProcess[] => ctx.world.processes().filter((p) => p.alive && p.roles.has(role));

describe('planted bugs', () => {
  it('resolverIgnoresRangeReads lets a phantom through (write skew)', async () => {
    const r = await both('resolverIgnoresRangeReads', { seed: 2, config: { config: 'single', machineCount: 3 } }, async ({ db }) => {
      const reader = db.createTransaction();
      const seen = await reader.getRange(k('p'), k('q'));
      const writer = db.createTransaction();
      writer.set(k('pz'), k('1'));
      await writer.commit();
      reader.set(k('count'), k(String(seen.length)));
      try {
        await reader.commit();
        return 'committed';
      } catch (e) {
        return (e as FdbError).errorName;
      }
    });
    expect(r.withBug).toBe('committed'); // serializability anomaly: it read an empty range that was not empty
    expect(r.without).toBe('not_committed');
  });

  it('grvSkipsEpochCheck serves a stale read version from a dead epoch', async () => {
    const r = await both('grvSkipsEpochCheck', { seed: 4, config: { config: 'double', machineCount: 5, processesPerMachine: 1, testerCount: 2 } }, async (ctx) => {
      const a = ctx.cluster.client(0);
      const b = ctx.cluster.client(1);
      await a.run(async (tr) => {
        tr.set(k('x'), k('old'));
      });
      const staleInfo = await a.clusterInfo();
      await ctx.cluster.triggerRecovery('test');
      for (let i = 0; i < 100; i++) {
        const info = await b.clusterInfo(true);
        if (info.epoch > staleInfo.epoch && info.recoveryState === 'fully_recovered') break;
        await ctx.delay(0.5);
      }
      await b.run(async (tr) => {
        tr.set(k('x'), k('new'));
      });
      // Client a still caches the old epoch's proxies, as a client does until something fails.
      a.info = staleInfo;
      const v = await a.run(async (tr) => tr.get(k('x')));
      return v ? str(v) : null;
    });
    expect(r.withBug).toBe('old'); // a read that began after 'new' was acknowledged returned 'old'
    expect(r.without).toBe('new');
  });

  it('tlogAcksBeforeFsync loses an acknowledged commit when the log machine crashes', async () => {
    const lost: Record<string, number> = { withBug: 0, without: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const r = await both('tlogAcksBeforeFsync', { seed, config: { config: 'single', machineCount: 3, processesPerMachine: 1, desiredTLogCount: 1 } }, async (ctx) => {
        await ctx.db.run(async (tr) => {
          tr.set(k('a'), k('1'));
        });
        await ctx.delay(1);
        await ctx.db.run(async (tr) => {
          tr.set(k('b'), k('acked'));
        });
        // Crash the log's machine the instant the commit is acknowledged.
        for (const p of procWith(ctx, 'TL')) ctx.world.lifecycle.killMachine(p.machine, 'Reboot', { forced: true });
        await ctx.delay(40);
        const v = await ctx.db.run(async (tr) => tr.get(k('b')));
        return v ? str(v) : null;
      });
      if (r.withBug !== 'acked') lost.withBug!++;
      if (r.without !== 'acked') lost.without!++;
    }
    expect(lost.withBug).toBeGreaterThan(0);
    expect(lost.without).toBe(0);
  });
});
