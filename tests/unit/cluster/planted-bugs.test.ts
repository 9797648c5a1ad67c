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

const procWith = (ctx: ScenarioContext, role: string): SimProcess[] =>
  ctx.world.processes().filter((p) => p.alive && p.roles.has(role));

describe('planted bugs', () => {
  it('resolverIgnoresRangeReads lets a phantom through (write skew)', async () => {
    const r = await both(
      'resolverIgnoresRangeReads',
      { seed: 2, config: { config: 'single', machineCount: 3 } },
      async ({ db }) => {
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
      },
    );
    expect(r.withBug).toBe('committed'); // serializability anomaly: it read an empty range that was not empty
    expect(r.without).toBe('not_committed');
  });

  it('grvSkipsEpochCheck serves a stale read version from a dead epoch', async () => {
    const r = await both(
      'grvSkipsEpochCheck',
      {
        seed: 2,
        config: {
          config: 'double',
          machineCount: 6,
          processesPerMachine: 1,
          testerCount: 2,
          grv_proxies: 1,
          commit_proxies: 1,
        },
      },
      async (ctx) => {
        const a = ctx.cluster.client(0);
        const b = ctx.cluster.client(1);
        await a.run(async (tr) => {
          tr.set(k('x'), k('old'));
        });
        const staleInfo = await a.clusterInfo();
        // The old epoch's GRV proxies and master are cut off from the controller, so they never learn of
        // the new epoch and keep serving (the partition FoundationDB's epoch check exists for).
        const ipOf = (addr: string) => addr.slice(0, addr.lastIndexOf(':'));
        const [cc] = await a.leaders();
        const ccIp = ipOf(cc!);
        const cut = [...new Set([...staleInfo.grvProxies, staleInfo.master!].map((r) => ipOf(r.address)))];
        expect(cut).not.toContain(ccIp); // otherwise the scenario tests nothing
        const until = ctx.world.now() + 60_000_000;
        for (const ip of cut) {
          ctx.world.network.disconnectPair(ip, ccIp, until);
          ctx.world.network.disconnectPair(ccIp, ip, until);
        }
        await ctx.cluster.triggerRecovery('test');
        let recovered = false;
        for (let i = 0; i < 100 && !recovered; i++) {
          const info = await b.clusterInfo(true);
          recovered = info.epoch > staleInfo.epoch && info.recoveryState === 'fully_recovered';
          if (!recovered) await ctx.delay(0.5);
        }
        expect(recovered).toBe(true);
        await b.run(async (tr) => {
          tr.set(k('x'), k('new'));
        });
        // Client a still caches the old epoch's proxies, as a client does until something fails.
        a.info = staleInfo;
        const v = await a.run(async (tr) => tr.get(k('x')));
        return v ? str(v) : null;
      },
    );
    expect(r.withBug).toBe('old'); // a read that began after 'new' was acknowledged returned 'old'
    expect(r.without).toBe('new');
  });

  it('tlogAcksBeforeFsync loses an acknowledged commit when the log machine crashes', async () => {
    const lost: Record<string, number> = { withBug: 0, without: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const r = await both(
        'tlogAcksBeforeFsync',
        { seed, config: { config: 'single', machineCount: 3, processesPerMachine: 1, desiredTLogCount: 1 } },
        async (ctx) => {
          await ctx.db.run(async (tr) => {
            tr.set(k('a'), k('1'));
          });
          await ctx.delay(1);
          await ctx.db.run(async (tr) => {
            tr.set(k('b'), k('acked'));
          });
          // Crash the log's machine the instant the commit is acknowledged.
          for (const p of procWith(ctx, 'TL'))
            ctx.world.lifecycle.killMachine(p.machine, 'Reboot', { forced: true });
          await ctx.delay(40);
          const v = await ctx.db.run(async (tr) => tr.get(k('b')));
          return v ? str(v) : null;
        },
      );
      if (r.withBug !== 'acked') lost.withBug!++;
      if (r.without !== 'acked') lost.without!++;
    }
    expect(lost.withBug).toBeGreaterThan(0);
    expect(lost.without).toBe(0);
  });
});

/**
 * Makes the commit proxies push to the first log of the epoch in vain (their connection to it drops
 * everything) while the second log receives and persists: a commit reaches one log only. The proxy then
 * times out and dies, and the recovery must roll back what only the second log had.
 */
async function rollbackScenario(ctx: ScenarioContext): Promise<'skip' | 'consistent' | 'diverged'> {
  const state = ctx.cluster.rt.observedState;
  if (!state || state.logs.length < 2) return 'skip';
  const lagging = ctx.world.process(state.logs[0]!.address)!;
  const cps = procWith(ctx, 'CP');
  if (cps.some((cp) => cp.ip === lagging.ip)) return 'skip';
  const counter = k('counter');
  const one = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
  await ctx.db.run(async (tr) => {
    tr.add(counter, one);
  });
  await ctx.delay(1);
  for (const cp of cps) ctx.world.network.disconnectPair(cp.ip, lagging.ip, ctx.world.now() + 10_000_000);
  const tr = ctx.db.createTransaction();
  tr.add(counter, one);
  await tr.commit().catch(() => undefined); // commit_unknown_result: it reached one log only
  await ctx.delay(20);
  await ctx.cluster.waitForQuiescence(0, 60);
  const report = await ctx.cluster.consistencyCheck(0);
  return report.ok ? 'consistent' : 'diverged';
}

describe('planted bugs that break rollback', () => {
  const config = {
    config: 'triple',
    machineCount: 7,
    processesPerMachine: 1,
    desiredTLogCount: 2,
    commitProxyCount: 1,
  };

  for (const bug of ['storageSkipsRollback', 'recoveryTakesLargestLogEnd'] as const) {
    it(`${bug} leaves replicas that disagree after a rollback`, async () => {
      const seen = { withBug: [] as string[], without: [] as string[] };
      for (let seed = 1; seed <= 8; seed++) {
        const r = await both(bug, { seed, config }, rollbackScenario);
        seen.withBug.push(r.withBug);
        seen.without.push(r.without);
      }
      expect(seen.withBug).toContain('diverged');
      expect(seen.without).not.toContain('diverged');
      expect(seen.without).toContain('consistent');
    });
  }

  it('proxyAcksAfterFirstTLog loses an acknowledged commit when that log is lost', async () => {
    const outcomes = { withBug: [] as string[], without: [] as string[] };
    for (let seed = 1; seed <= 8; seed++) {
      const r = await both('proxyAcksAfterFirstTLog', { seed, config }, async (ctx) => {
        const state = ctx.cluster.rt.observedState;
        if (!state || state.logs.length < 2) return 'skip';
        const lagging = ctx.world.process(state.logs[0]!.address)!;
        const durable = ctx.world.process(state.logs[1]!.address)!;
        const cps = procWith(ctx, 'CP');
        if (cps.some((cp) => cp.ip === lagging.ip)) return 'skip';
        for (const cp of cps)
          ctx.world.network.disconnectPair(cp.ip, lagging.ip, ctx.world.now() + 30_000_000);
        await ctx.db.run(async (tr) => {
          tr.set(k('acked'), k('yes'));
        });
        // The only log that has the commit loses its data.
        const applied = ctx.world.lifecycle.killMachine(durable.machine, 'RebootAndDelete', { forced: true });
        if (applied !== 'RebootAndDelete') return 'skip';
        await ctx.delay(60);
        const v = await ctx.db.run(async (tr) => tr.get(k('acked')));
        return v ? 'kept' : 'lost';
      });
      outcomes.withBug.push(r.withBug);
      outcomes.without.push(r.without);
    }
    expect(outcomes.withBug).toContain('lost');
    expect(outcomes.without).not.toContain('lost');
    expect(outcomes.without).toContain('kept');
  });
});

describe('planted bugs of storage and stamping', () => {
  const config = { config: 'single', machineCount: 3 };
  /** Writes `a`, `b`, `c`, then runs `body` in a new transaction and returns what it returns. */
  const seeded =
    <T>(body: (ctx: ScenarioContext) => Promise<T>) =>
    async (ctx: ScenarioContext) => {
      await ctx.db.run(async (tr) => {
        for (const key of ['a', 'b', 'c']) tr.set(k(key), k(key));
      });
      return body(ctx);
    };

  it('clearRangeEndInclusive also clears the end key', async () => {
    const r = await both(
      'clearRangeEndInclusive',
      { seed: 1, config },
      seeded(async ({ db }) => {
        await db.run(async (tr) => tr.clearRange(k('a'), k('c')));
        const v = await db.run(async (tr) => tr.get(k('c')));
        return v ? str(v) : 'gone';
      }),
    );
    expect(r.withBug).toBe('gone');
    expect(r.without).toBe('c');
  });

  it('reverseRangeSkipsBegin leaves the first key out of a reverse read', async () => {
    const r = await both(
      'reverseRangeSkipsBegin',
      { seed: 1, config },
      seeded(async ({ db }) => {
        const rows = await db.run(async (tr) => tr.getRange(k('a'), k('z'), { reverse: true }));
        return rows.map((kv) => str(kv.key)).join('');
      }),
    );
    expect(r.withBug).toBe('cb');
    expect(r.without).toBe('cba');
  });

  it('atomicAddDropsCarry loses the carry between bytes', async () => {
    const r = await both('atomicAddDropsCarry', { seed: 1, config }, async ({ db }) => {
      await db.run(async (tr) => tr.set(k('n'), new Uint8Array([0xff, 0x00])));
      await db.run(async (tr) => tr.add(k('n'), new Uint8Array([0x01, 0x00])));
      const v = await db.run(async (tr) => tr.get(k('n')));
      return [...(v ?? [])].join(',');
    });
    expect(r.withBug).toBe('0,0');
    expect(r.without).toBe('0,1'); // 0x00ff + 1 = 0x0100, little-endian
  });

  it("versionstampUsesPrevVersion stamps a key that is not the commit's versionstamp", async () => {
    const r = await both('versionstampUsesPrevVersion', { seed: 1, config }, async ({ db }) => {
      const tr = db.createTransaction();
      // A 10-byte placeholder at offset 1, the offset in the trailing 4 bytes (little-endian).
      tr.setVersionstampedKey(new Uint8Array([0x76, ...new Array(10).fill(0), 1, 0, 0, 0]), k('x'));
      const stamp = tr.getVersionstamp();
      await tr.commit();
      const want = [0x76, ...(await stamp)].join(',');
      const rows = await db.run(async (t) => t.getRange(k('v'), k('w')));
      return rows.some((kv) => [...kv.key].join(',') === want) ? 'matches' : 'differs';
    });
    expect(r.withBug).toBe('differs');
    expect(r.without).toBe('matches');
  });
});
