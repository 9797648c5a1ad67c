// TriggerRecoveryLoop: through the run layer (tests/fast/TriggerRecoveryLoop.toml, Cycle stacked) every
// forced recovery completes (MasterRecoveryState fully_recovered grows), the resolver count is restored
// and Cycle passes; against a recording surface, the toggle and kill-all choices.
import { describe, expect, it } from 'vitest';
import triggerRecoveryLoop from '../../../workloads/chaos/trigger-recovery-loop.js';
import {
  detail,
  FakeChaos,
  runSpecFile,
  runWithFakeChaos,
  serverProcess,
  testerProcess,
} from './chaos-run.js';

describe('TriggerRecoveryLoop through the run layer', () => {
  it('forces recoveries that complete, restores the resolver count, and Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/TriggerRecoveryLoop.toml', 1);
    expect(run.result.outcome).toBe('passed');
    const start = run.of('TestStarting')[0]!.time;
    const recovered = run
      .of('MasterRecoveryState')
      .filter((e) => detail(e, 'Status') === 'fully_recovered' && e.time >= start);
    expect(run.of('TriggerRecoveryLoop_AttempedRecovery')).toHaveLength(4);
    expect(recovered.length).toBeGreaterThanOrEqual(4);
    const original = Number(detail(run.of('TriggerRecoveryLoopSetup')[0]!, 'OriginalResolvers'));
    const changes = run.of('ChangeConfig');
    expect(changes.length).toBeGreaterThan(0);
    const last = JSON.parse(detail(changes[changes.length - 1]!, 'To')) as { resolvers: number };
    expect(last.resolvers).toBe(original);
  }, 60_000);
});

describe('TriggerRecoveryLoop decisions', () => {
  const PROCS = [serverProcess(1, ['RV']), serverProcess(2, ['TL']), serverProcess(3), testerProcess(1)];

  it('toggles resolvers between original and original + 1, then restores the original', async () => {
    const chaos = new FakeChaos(PROCS);
    await runWithFakeChaos(triggerRecoveryLoop, chaos, {
      options: { numRecoveries: 3, killAllProportion: 0 },
    });
    expect(chaos.callsOf('changeConfiguration').map((c) => c.args[0])).toEqual([
      { resolvers: 2 },
      { resolvers: 1 },
      { resolvers: 2 },
      { resolvers: 1 },
    ]);
  });

  it('with killAllProportion 1 reboots every server process (never a tester), keeping data', async () => {
    const chaos = new FakeChaos(PROCS);
    await runWithFakeChaos(triggerRecoveryLoop, chaos, {
      options: { numRecoveries: 1, killAllProportion: 1 },
    });
    const reboots = chaos.callsOf('rebootProcess');
    expect(reboots.map((c) => c.args[0]).sort()).toEqual(['2.0.1.1:1', '2.0.1.2:1', '2.0.1.3:1']);
    for (const c of reboots) expect(c.args[1]).toEqual({ forced: true });
  });

  it('keeps forcing recoveries while another workload holds the database lock (its probe is lock-aware)', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(triggerRecoveryLoop, chaos, {
      options: { numRecoveries: 3, killAllProportion: 0 },
      locked: true,
    });
    expect(r.events.filter((e) => e.type === 'TriggerRecoveryLoop_ClusterVersion')).toHaveLength(2);
    expect(r.events.filter((e) => e.type === 'TriggerRecoveryLoop_Error')).toEqual([]);
    expect(chaos.callsOf('changeConfiguration')).toHaveLength(4);
  });

  it('draws numRecoveries in 1..9 when it is 0', async () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 60; seed++) {
      const chaos = new FakeChaos(PROCS);
      const r = await runWithFakeChaos(triggerRecoveryLoop, chaos, {
        options: { killAllProportion: 1 },
        seed,
      });
      seen.add(Number(r.events.find((e) => e.type === 'TriggerRecoveryLoopSetup')!.details.NumRecoveries));
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...seen)).toBeLessThanOrEqual(9);
    expect(seen.size).toBeGreaterThan(5);
  });
});
