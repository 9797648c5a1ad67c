// Rollback: through the run layer (tests/fast/Rollback.toml, Cycle stacked) an engineered rollback is
// traced by the master (TLogRollback) and Cycle passes; against a recording surface, the clog sequence
// FoundationDB's Rollback performs and when it gives up.
import { describe, expect, it } from 'vitest';
import rollback from '../../../workloads/chaos/rollback.js';
import {
  detail,
  FakeChaos,
  runSpecFile,
  runWithFakeChaos,
  serverProcess,
  testerProcess,
} from './chaos-run.js';

describe('Rollback through the run layer', () => {
  it('makes a recovery roll back versions only one TLog received, and Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/Rollback.toml', 4);
    expect(run.result.outcome).toBe('passed');
    const attempts = run.of('AttemptingToTriggerRollback');
    expect(attempts.length).toBeGreaterThan(0);
    const rollbacks = run.of('TLogRollback');
    expect(rollbacks.length).toBeGreaterThan(0);
    for (const e of rollbacks) expect(Number(detail(e, 'To'))).toBeGreaterThan(Number(detail(e, 'From')));
    // The rollback follows an attempt (the master traces it while recovering from the cut-off TLog).
    expect(rollbacks[0]!.time).toBeGreaterThan(attempts[0]!.time);
    expect(run.of('StorageServerRollback').length + rollbacks.length).toBeGreaterThan(1);
  }, 60_000);
});

/** A proxy, three TLogs on other machines, one TLog sharing the proxy's machine's IP, a tester. */
const PROCS = [
  serverProcess(1, ['CP']),
  serverProcess(2, ['TL']),
  serverProcess(3, ['TL', 'SS']),
  serverProcess(4, ['TL']),
  testerProcess(1),
];

describe('Rollback decisions', () => {
  it('clogs the proxy away from every TLog but one, then clogs both interfaces a third of clogDuration later', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(rollback, chaos, {
      options: { multiple: false, clogDuration: 3, testDuration: 10 },
    });
    const attempt = r.events.find((e) => e.type === 'AttemptingToTriggerRollback')!;
    expect(attempt.details.CommitProxy).toBe('2.0.1.1:1');
    const unclogged = String(attempt.details.UncloggedTLog).split(':')[0]!;
    const pairs = r.timedCalls.filter((c) => c.call.method === 'clogPair');
    expect(pairs.map((c) => c.call.args[1]).sort()).toEqual(
      ['2.0.1.2', '2.0.1.3', '2.0.1.4'].filter((ip) => ip !== unclogged),
    );
    for (const c of pairs) expect(c.call.args).toEqual(['2.0.1.1', c.call.args[1], 3]);
    const interfaces = r.timedCalls.filter((c) => c.call.method === 'clogInterface');
    expect(interfaces.map((c) => c.call.args)).toEqual([
      ['2.0.1.1', 3, 'all'],
      [unclogged, 3, 'all'],
    ]);
    expect(interfaces[0]!.time - pairs[0]!.time).toBeCloseTo(1, 9);
  });

  it('with enableFailures reboots the proxy instead of clogging it', async () => {
    const chaos = new FakeChaos(PROCS);
    await runWithFakeChaos(rollback, chaos, { options: { multiple: false, enableFailures: true } });
    expect(chaos.callsOf('rebootProcess').map((c) => c.args[0])).toEqual(['2.0.1.1:1']);
    expect(chaos.callsOf('clogInterface')).toHaveLength(1);
  });

  it('gives up when another TLog shares the proxy IP, or when there is no TLog', async () => {
    const shared = new FakeChaos([
      { ...serverProcess(1, ['CP']), address: '2.0.1.1:1' },
      { ...serverProcess(1, ['TL']), address: '2.0.1.1:2' },
      { ...serverProcess(2, ['TL']) },
    ]);
    const r = await runWithFakeChaos(rollback, shared, {
      options: { multiple: true, meanDelay: 1, testDuration: 30 },
      seed: 3,
    });
    const reasons = r.events.filter((e) => e.type === 'UnableToTriggerRollback').map((e) => e.details.Reason);
    expect(reasons).toContain('proxy-clogged tLog shared IPs');
    const none = new FakeChaos([serverProcess(1, ['CP']), testerProcess(1)]);
    const r2 = await runWithFakeChaos(rollback, none, { options: { multiple: false } });
    expect(r2.events.map((e) => e.details.Reason)).toEqual(['No tlogs in System Map']);
    expect(none.callsOf('clogPair')).toEqual([]);
  });

  it('stops at testDuration, with multiple attempts at Poisson times of mean meanDelay', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(rollback, chaos, { options: { meanDelay: 2, testDuration: 40 } });
    expect(r.endTime).toBe(40);
    const attempts = r.events.filter((e) => e.type === 'AttemptingToTriggerRollback');
    expect(attempts.length).toBeGreaterThan(5);
    for (const a of attempts) expect(a.time).toBeLessThan(40);
  });
});
