// TargetedKill: through the run layer (tests/fast/TargetedKill.toml, Cycle stacked) the master's process
// is rebooted at killAt, the cluster recovers and Cycle passes; against a recording surface, which
// process each machineToKill name targets.
import { describe, expect, it } from 'vitest';
import targetedKill from '../../../workloads/chaos/targeted-kill.js';
import {
  detail,
  FakeChaos,
  runSpecFile,
  runWithFakeChaos,
  serverProcess,
  testerProcess,
} from './chaos-run.js';

describe('TargetedKill through the run layer', () => {
  it('reboots the current master, the cluster recovers, and Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/TargetedKill.toml', 1);
    expect(run.result.outcome).toBe('passed');
    const marks = run.of('IsolatedMark');
    expect(marks.map((e) => detail(e, 'Role'))).toEqual(['master', 'storage']);
    const mark = marks[0]!;
    const target = detail(mark, 'TargetedMachine');
    // The target is the process the latest recovery state came from: the master at that moment.
    const masterEvents = run.of('MasterRecoveryState').filter((e) => e.time <= mark.time);
    expect(masterEvents[masterEvents.length - 1]!.machine).toBe(target);
    const reboot = run.of('RebootingProcess').find((e) => e.time === mark.time);
    expect(reboot?.machine).toBe(target);
    const recoveredAfter = run
      .of('MasterRecoveryState')
      .filter((e) => e.time > mark.time && detail(e, 'Status') === 'fully_recovered');
    expect(recoveredAfter.length).toBeGreaterThan(0);
  }, 60_000);
});

const PROCS = [
  serverProcess(1, ['CC', 'SS']),
  serverProcess(2, ['MS', 'CP']),
  serverProcess(3, ['GP', 'TL', 'SS']),
  serverProcess(4, ['RV', 'TL', 'SS']),
  serverProcess(5, ['SS']),
  testerProcess(1),
];

async function target(options: Record<string, string | number | boolean>, seed = 1): Promise<FakeChaos> {
  const chaos = new FakeChaos(PROCS);
  await runWithFakeChaos(targetedKill, chaos, { options, seed });
  return chaos;
}

describe('TargetedKill decisions', () => {
  it('kills the process holding each role, at killAt, with KillInstantly by default', async () => {
    const expected: Record<string, string> = {
      master: '2.0.1.2:1',
      commitproxy: '2.0.1.2:1',
      grvproxy: '2.0.1.3:1',
      resolver: '2.0.1.4:1',
      clustercontroller: '2.0.1.1:1',
      cc: '2.0.1.1:1',
    };
    for (const [name, address] of Object.entries(expected)) {
      const chaos = await target({ machineToKill: name });
      expect(chaos.callsOf('killProcess').map((c) => c.args.slice(0, 2))).toEqual([
        [address, 'KillInstantly'],
      ]);
    }
    const tlog = await target({ machineToKill: 'tlog' });
    expect(['2.0.1.3:1', '2.0.1.4:1']).toContain(tlog.callsOf('killProcess')[0]!.args[0]);
  });

  it('never picks a storage server on the cluster controller, and kills numKillStorages of them', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const chaos = await target({ machineToKill: 'storage', numKillStorages: 2 }, seed);
      const killed = chaos.callsOf('killProcess').map((c) => c.args[0]);
      expect(killed).toHaveLength(2);
      expect(new Set(killed).size).toBe(2);
      expect(killed).not.toContain('2.0.1.1:1');
    }
  });

  it('honours killType, reboot and killWholeMachine', async () => {
    const reboot = await target({ machineToKill: 'master', reboot: true });
    expect(reboot.callsOf('killProcess')[0]!.args[1]).toBe('RebootProcess');
    const typed = await target({ machineToKill: 'master', killType: 'RebootAndDelete' });
    expect(typed.callsOf('killProcess')[0]!.args[1]).toBe('RebootAndDelete');
    const whole = await target({ machineToKill: 'master', killWholeMachine: true });
    expect(whole.callsOf('killMachine').map((c) => c.args.slice(0, 2))).toEqual([['m2', 'KillInstantly']]);
  });

  it('traces a refused kill instead of pretending it happened', async () => {
    const chaos = new FakeChaos(PROCS);
    chaos.applied = () => 'None';
    const r = await runWithFakeChaos(targetedKill, chaos, { options: { machineToKill: 'master' } });
    expect(r.events.map((e) => e.type)).toEqual(['IsolatedMark', 'TargetedKillRefused']);
  });
});
