// The ChaosSurface over the world and the cluster: durations in seconds become windows ending at
// now + seconds, reboot kinds reboot through the lifecycle, the safety policy and faultInjection apply,
// bit flips hit storage files only, ChaosMetrics come from the disk's counters.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { Random } from '../../../src/core/random.js';
import { seconds } from '../../../src/core/time.js';
import { ClusterChaos } from '../../../src/run/chaos.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

const CONFIG = { config: 'double', machineCount: 4, processesPerMachine: 2, testerCount: 2, coordinators: 1 };

describe('ClusterChaos', () => {
  it('clogs for the given seconds from now, and unclogs', async () => {
    const { outcome } = await runScenario({ seed: 5, config: CONFIG }, async ({ world, cluster, delay }) => {
      const chaos = new ClusterChaos(world, cluster, {
        tester: 0,
        faultInjection: true,
        random: new Random(1),
      });
      const ip = cluster.servers[0]!.ip;
      const t0 = world.now();
      chaos.clogInterface(ip, 2.5, 'all');
      const windows = world.network.activeClogs().filter((c) => c.kind === 'interface' && c.ip === ip);
      expect(windows.map((c) => c.until)).toEqual([t0 + seconds(2.5), t0 + seconds(2.5)]);
      await delay(2.6);
      const stillClogged = world.network.isClogged(ip);
      chaos.clogPair(ip, cluster.servers[2]!.ip, 10);
      chaos.unclogPair(ip, cluster.servers[2]!.ip);
      expect(() => chaos.clogInterface(ip, -1, 'send')).toThrow(RangeError);
      return { stillClogged, pairClogged: world.network.isPairClogged(ip, cluster.servers[2]!.ip) };
    });
    expect(finished(outcome)).toEqual({ stillClogged: false, pairClogged: false });
  });

  it('killProcess with a reboot kind reboots the process through the lifecycle', async () => {
    const { outcome, events } = await runScenario(
      { seed: 6, config: CONFIG },
      async ({ world, cluster, delay }) => {
        const chaos = new ClusterChaos(world, cluster, {
          tester: 0,
          faultInjection: true,
          random: new Random(1),
        });
        const victim = cluster.servers.find((p) => !world.lifecycle.protectedAddresses.has(p.address))!;
        const applied = chaos.killProcess(victim.address, 'RebootProcess');
        const downNow = !victim.alive;
        await delay(10);
        return { applied, downNow, upLater: victim.alive, address: victim.address };
      },
    );
    const r = finished(outcome);
    expect(r).toMatchObject({ applied: 'RebootProcess', downNow: true, upLater: true });
    expect(events.some((e) => e.type === 'RebootingProcess' && e.details.Address === r.address)).toBe(true);
    expect(events.some((e) => e.type === 'KillMachineProcess')).toBe(false);
  });

  it('refuses unforced kills when faultInjection is off, and never kills testers', async () => {
    const { outcome, events } = await runScenario({ seed: 7, config: CONFIG }, async ({ world, cluster }) => {
      const off = new ClusterChaos(world, cluster, {
        tester: 1,
        faultInjection: false,
        random: new Random(1),
      });
      const on = new ClusterChaos(world, cluster, { tester: 1, faultInjection: true, random: new Random(1) });
      const server = cluster.servers[1]!;
      return {
        refused: off.killMachine(server.machine.locality.machineId, 'Reboot'),
        tester: on.killProcess(cluster.testers[0]!.address, 'KillInstantly'),
        testers: on
          .processes()
          .filter((p) => p.isTester)
          .map((p) => p.address),
      };
    });
    const r = finished(outcome);
    expect(r.refused).toBe('None');
    expect(r.tester).toBe('None');
    expect(r.testers).toEqual(['3.4.3.1:1', '3.4.3.2:1']);
    const aborted = events.filter((e) => e.type === 'AbortedKill').map((e) => e.details.Reason);
    expect(aborted).toEqual(['Fault injection is off', 'Tester processes are never killed']);
    // Chaos is traced from the tester that asked for it.
    expect(events.find((e) => e.type === 'AbortedKill')!.machine).toBe('3.4.3.2:1');
  });

  it('skews a process clock continuously and reports coordinators', async () => {
    const { outcome } = await runScenario({ seed: 8, config: CONFIG }, async ({ world, cluster, delay }) => {
      const chaos = new ClusterChaos(world, cluster, {
        tester: 0,
        faultInjection: true,
        random: new Random(1),
      });
      const p = cluster.servers[0]!;
      chaos.setClockSkew(p.address, 2, 0);
      const skew1 = p.localTime() - world.now();
      chaos.setClockSkew(p.address, 1, 1000);
      await delay(10);
      const skew2 = p.localTime() - world.now();
      return { skew1, skew2, coordinators: chaos.coordinators() };
    });
    const r = finished(outcome);
    expect(r.skew1).toBe(seconds(2));
    expect(r.skew2).toBe(seconds(3) + seconds(10) / 1000);
    expect(r.coordinators).toHaveLength(1);
  });

  it('flips bits only in storage files and reports the disk counters as ChaosMetrics', async () => {
    const { outcome } = await runScenario(
      { seed: 9, config: CONFIG },
      async ({ world, cluster, db, delay }) => {
        const chaos = new ClusterChaos(world, cluster, {
          tester: 0,
          faultInjection: true,
          random: new Random(3),
        });
        for (let i = 0; i < 20; i++) await db.run(async (tr) => tr.set(bytes(`k${i}`), new Uint8Array(3000)));
        await delay(5);
        // Durable blocks in storage files, and in others (coordinated state, transaction logs).
        type Proc = (typeof cluster.servers)[number];
        const durable = (p: Proc, storage: boolean) =>
          [...p.folder.files].some(([n, f]) => n.startsWith('storage-') === storage && f.blocks.size > 0);
        const proc = cluster.servers.find((p) => durable(p, true) && durable(p, false))!;
        const logOnly = cluster.servers.find((p) => !durable(p, true) && durable(p, false))!;
        const logFlips = chaos.flipBits(logOnly.address, 100);
        const before = chaos.chaosMetrics(proc.address);
        const flipped = chaos.flipBits(proc.address, 100);
        const hit = world.disks.corruptedBlocks(proc.folder).map((c) => c.file);
        const afterFlips = chaos.chaosMetrics(proc.address);
        chaos.setDiskFailure(proc.address, { stallInterval: 0, stallPeriod: 0, throttlePeriod: 10 });
        for (let i = 0; i < 5; i++) await db.run(async (tr) => tr.set(bytes(`t${i}`), bytes('v')));
        await delay(2);
        return {
          logFlips,
          before,
          flipped,
          hit,
          afterFlips,
          afterThrottle: chaos.chaosMetrics(proc.address),
          dataHalls: chaos.processes().map((p) => p.dataHall === p.dcId),
        };
      },
    );
    const r = finished(outcome);
    expect(r.logFlips).toBe(0);
    expect(r.flipped).toBeGreaterThan(0);
    expect(r.hit).toHaveLength(r.flipped);
    for (const file of r.hit) expect(file).toMatch(/^storage-/);
    expect(r.afterFlips).toEqual({
      diskDelays: r.before.diskDelays,
      bitFlips: r.before.bitFlips + r.flipped,
    });
    expect(r.afterThrottle.diskDelays).toBeGreaterThan(r.before.diskDelays);
    expect(r.afterThrottle.bitFlips).toBe(r.afterFlips.bitFlips);
    expect(r.dataHalls.every((same) => same)).toBe(true);
  });

  it('changeConfiguration resolves true once the new configuration is in force', async () => {
    const { outcome, events } = await runScenario(
      { seed: 10, config: CONFIG },
      async ({ world, cluster }) => {
        const chaos = new ClusterChaos(world, cluster, {
          tester: 0,
          faultInjection: true,
          random: new Random(1),
        });
        return chaos.changeConfiguration({ logs: 2, commitProxies: 2 });
      },
    );
    expect(finished(outcome)).toBe(true);
    expect(events.some((e) => e.type === 'ChangeConfigNotInForce')).toBe(false);
  });
});
