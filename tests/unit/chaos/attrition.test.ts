// Attrition: through the run layer (tests/fast/Attrition.toml, Cycle stacked), its kills with the kill
// types FoundationDB chooses, never on testers, and Cycle passing; against a recording surface, the kill
// type choices, machinesToLeave across instances of one test, killDc and killDatahall.
import { describe, expect, it } from 'vitest';
import type { KillType } from '../../../src/index.js';
import { KILL_TYPES } from '../../../src/index.js';
import attrition, { claimableZones } from '../../../workloads/chaos/attrition.js';
import {
  detail,
  FakeChaos,
  runSpecFile,
  runWithFakeChaos,
  serverProcess,
  testerProcess,
} from './chaos-run.js';

const killTypeName = (n: string): KillType => KILL_TYPES[Number(n)]!;

describe('Attrition through the run layer', () => {
  it('kills three zones with KillInstantly or RebootAndDelete, then reboots three, never a tester', async () => {
    const run = await runSpecFile('tests/fast/Attrition.toml', 1);
    expect(run.result.outcome).toBe('passed');
    expect(run.of('AttritionStarting')).toHaveLength(2);
    const assassinations = run.of('Assassination');
    expect(assassinations).toHaveLength(6);
    // Each test kills three distinct zones (no replacement).
    const [killTest, rebootTest] = [assassinations.slice(0, 3), assassinations.slice(3)];
    for (const group of [killTest, rebootTest]) {
      expect(new Set(group.map((e) => detail(e, 'ZoneId'))).size).toBe(3);
    }
    for (const e of assassinations) expect(detail(e, 'ZoneId').startsWith('tester-')).toBe(false);
    // No kill or reboot event ever names a tester.
    for (const type of ['KillMachineProcess', 'RebootingProcess', 'FailMachine']) {
      for (const e of run.of(type)) expect(e.machine.startsWith('3.4.3.')).toBe(false);
    }
    // The first test asks for KillInstantly or RebootAndDelete (allowFaultInjection = false); the
    // simulator applies them or a less destructive Reboot, as its kill-safety policy decides.
    const secondStart = run.of('TestStarting')[1]!.time;
    const kills = run.of('KillMachine').filter((e) => e.time < secondStart);
    expect(kills.length).toBe(3);
    for (const e of kills) {
      expect(['KillInstantly', 'RebootAndDelete']).toContain(killTypeName(detail(e, 'KtOrig')));
      expect(['KillInstantly', 'RebootAndDelete', 'Reboot']).toContain(killTypeName(detail(e, 'Kt')));
    }
    // The reboot test only reboots: Reboot of a zone, or RebootProcess of its processes.
    for (const e of run.of('KillMachine').filter((x) => x.time >= secondStart)) {
      expect(killTypeName(detail(e, 'KtOrig'))).toBe('Reboot');
    }
    const rebootKinds = run
      .of('RebootingProcess')
      .filter((e) => e.time >= secondStart)
      .map((e) => killTypeName(detail(e, 'KillType')));
    expect(rebootKinds.length).toBeGreaterThan(0);
    for (const k of rebootKinds) expect(['Reboot', 'RebootProcess']).toContain(k);
  }, 60_000);
});

/** Six single-machine zones and two testers. */
const PROCS = [1, 2, 3, 4, 5, 6].map((i) => serverProcess(i)).concat([testerProcess(1), testerProcess(2)]);

const requested = (chaos: FakeChaos): KillType[] =>
  chaos.callsOf('killMachine').map((c) => c.args[1] as KillType);

describe('Attrition decisions', () => {
  it("chooses FoundationDB's kill types: 33% RebootAndDelete, else InjectFaults below 0.5, else KillInstantly", async () => {
    const counts = new Map<KillType, number>();
    for (let seed = 1; seed <= 150; seed++) {
      const chaos = new FakeChaos(PROCS);
      chaos.applied = () => 'Reboot';
      await runWithFakeChaos(attrition, chaos, {
        options: { machinesToKill: 1, killDc: 'false', testDuration: 10 },
        seed,
      });
      for (const k of requested(chaos)) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(150);
    expect([...counts.keys()].sort()).toEqual(['InjectFaults', 'KillInstantly', 'RebootAndDelete']);
    expect(counts.get('RebootAndDelete')! / total).toBeGreaterThan(0.2);
    expect(counts.get('RebootAndDelete')! / total).toBeLessThan(0.46);
    expect(counts.get('KillInstantly')! / total).toBeGreaterThan(0.35);
  });

  it('never asks for InjectFaults when allowFaultInjection is false, and only reboots with reboot', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const noFaults = new FakeChaos(PROCS);
      await runWithFakeChaos(attrition, noFaults, {
        options: { machinesToKill: 3, killDc: 'false', allowFaultInjection: false },
        seed,
      });
      expect(requested(noFaults)).not.toContain('InjectFaults');
      const reboots = new FakeChaos(PROCS);
      await runWithFakeChaos(attrition, reboots, {
        options: { machinesToKill: 3, killDc: 'false', reboot: true },
        seed,
      });
      for (const k of requested(reboots)) expect(k).toBe('Reboot');
      expect(reboots.callsOf('killMachine').length + reboots.callsOf('rebootProcess').length).toBeGreaterThan(
        0,
      );
    }
  });

  it('never targets a tester and leaves machinesToLeave zones untouched', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const chaos = new FakeChaos(PROCS);
      await runWithFakeChaos(attrition, chaos, {
        options: { machinesToKill: 10, machinesToLeave: 2, killDc: 'false', testDuration: 10 },
        seed,
      });
      const machines = chaos.callsOf('killMachine').map((c) => c.args[0] as string);
      expect(machines.length).toBe(4);
      for (const m of machines) expect(m.startsWith('tester')).toBe(false);
      expect(new Set(machines).size).toBe(4);
    }
  });

  it('keeps the union of several Attrition instances of one test within the zones it may claim', async () => {
    for (let shared = 1; shared <= 20; shared++) {
      const chaos = new FakeChaos(PROCS);
      chaos.applied = (k) => k;
      // Two instances of one test (same sharedRandomNumber), run one after the other on the same cluster.
      for (const seed of [1, 2]) {
        await runWithFakeChaos(attrition, chaos, {
          options: {
            machinesToKill: 6,
            machinesToLeave: 2,
            killDc: 'false',
            replacement: 'true',
            reboot: true,
          },
          seed: shared * 10 + seed,
          sharedRandomNumber: shared,
        });
      }
      const zones = new Set([
        ...chaos.callsOf('killMachine').map((c) => `z${(c.args[0] as string).slice(1)}`),
        ...chaos
          .callsOf('rebootProcess')
          .map((c) => `z${(c.args[0] as string).split('.')[3]!.split(':')[0]}`),
      ]);
      expect(zones.size).toBeGreaterThan(0);
      expect(zones.size).toBeLessThanOrEqual(4);
      const claimable = new Set(
        claimableZones(
          PROCS.filter((p) => !p.isTester),
          shared,
          2,
        ).map((p) => p.zoneId),
      );
      for (const z of zones) expect(claimable.has(z)).toBe(true);
    }
  });

  it('killDc kills the datacenter of one machine; killDatahall needs exactly one target', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(attrition, chaos, { options: { killDc: 'true' } });
    expect(chaos.callsOf('killDatacenter')).toHaveLength(1);
    expect(chaos.callsOf('killDatacenter')[0]!.args[0]).toBe('0');
    expect(r.events.find((e) => e.type === 'Assassination')?.details.TargetDatacenter).toBe('0');

    const hall = new FakeChaos(PROCS);
    await runWithFakeChaos(attrition, hall, {
      options: { killDc: 'false', killDatahall: true, targetIds: '0' },
    });
    const killed = hall.callsOf('killMachine');
    expect(killed.map((c) => c.args[0]).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    for (const c of killed) expect(c.args[1]).toBe('KillInstantly');

    const bad = new FakeChaos(PROCS);
    const failed = await runWithFakeChaos(attrition, bad, {
      options: { killDc: 'false', killDatahall: true },
    });
    expect(failed.failures).toHaveLength(1);
    expect(bad.calls.filter((c) => c.method !== 'processes')).toEqual([]);
  });
});
