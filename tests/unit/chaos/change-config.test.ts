// ChangeConfig: through the run layer (tests/fast/ChangeConfig.toml, Cycle stacked) the configuration and
// the coordinators really change and Cycle passes; the configure-string parser; its veto of automatic
// failure injection; and the calls it makes on a recording surface.
import { describe, expect, it } from 'vitest';
import changeConfig, { parseConfigMode, parseCoordinators } from '../../../workloads/chaos/change-config.js';
import { detail, FakeChaos, runSpecFile, runWithFakeChaos, serverProcess } from './chaos-run.js';

describe('ChangeConfig through the run layer', () => {
  it('moves to triple replication with three logs and proxies, then to new coordinators; Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/ChangeConfig.toml', 2);
    expect(run.result.outcome).toBe('passed');
    const change = run.of('ChangeConfig');
    expect(change).toHaveLength(1);
    const to = JSON.parse(detail(change[0]!, 'To')) as Record<string, number>;
    expect(to).toMatchObject({ replication: 3, logs: 3, commitProxies: 3 });
    expect(run.of('ChangeConfigNotInForce')).toEqual([]);
    const before = run.of('CoordinatorsChangeBeforeCommit').filter((e) => e.machine.startsWith('3.4.3.'));
    expect(before.map((e) => detail(e, 'Auto'))).toEqual(['true']);
    const moved = run.of('ChangeQuorumCheckerSetCoordinatorsKey');
    expect(moved.length).toBeGreaterThan(0);
    expect(detail(moved[0]!, 'NewCoordinators')).not.toBe(detail(moved[0]!, 'CurrentCoordinators'));
  }, 60_000);
});

describe('parseConfigMode', () => {
  it("reads FoundationDB's redundancy modes and key:=value counts", () => {
    expect(parseConfigMode('single')).toEqual({ ok: true, change: { replication: 1 }, ignored: [] });
    expect(parseConfigMode('new double')).toEqual({ ok: true, change: { replication: 2 }, ignored: [] });
    expect(parseConfigMode('triple logs:=3 commit_proxies:=2 grv_proxies=1 resolvers:=2')).toEqual({
      ok: true,
      change: { replication: 3, logs: 3, commitProxies: 2, grvProxies: 1, resolvers: 2 },
      ignored: [],
    });
    expect(parseConfigMode('')).toEqual({ ok: true, change: {}, ignored: [] });
  });

  it('skips what faultline does not model, and rejects what FoundationDB does not know', () => {
    expect(parseConfigMode('new single memory usable_regions=1')).toEqual({
      ok: true,
      change: { replication: 1 },
      ignored: ['memory', 'usable_regions=1'],
    });
    const bad = parseConfigMode('tripple');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toContain("'tripple'");
    expect(parseConfigMode('logs:=0').ok).toBe(false);
    expect(parseConfigMode('logs:=two').ok).toBe(false);
    expect(parseConfigMode('log:=3').ok).toBe(false);
  });

  it('reads the coordinators option', () => {
    expect(parseCoordinators('auto')).toBe('auto');
    expect(parseCoordinators('2.0.1.1:1, 2.0.1.2:1,2.0.1.3:1')).toEqual([
      '2.0.1.1:1',
      '2.0.1.2:1',
      '2.0.1.3:1',
    ]);
  });
});

describe('ChangeConfig decisions', () => {
  it('vetoes automatic failure injection', () => {
    expect(changeConfig.vetoesFailureInjection).toBe(true);
  });

  it('waits in [min, max], changes the configuration, then the coordinators coordinatorChanges times 20 s apart', async () => {
    const chaos = new FakeChaos([serverProcess(1)]);
    const r = await runWithFakeChaos(changeConfig, chaos, {
      options: {
        minDelayBeforeChange: 2,
        maxDelayBeforeChange: 4,
        configMode: 'double logs:=2',
        coordinators: 'auto',
        coordinatorChanges: 3,
      },
    });
    const calls = r.timedCalls.filter((c) => c.call.method !== 'processes');
    expect(calls.map((c) => c.call.method)).toEqual([
      'changeConfiguration',
      'changeCoordinators',
      'changeCoordinators',
      'changeCoordinators',
    ]);
    expect(calls[0]!.call.args[0]).toEqual({ replication: 2, logs: 2 });
    expect(calls[0]!.time).toBeGreaterThanOrEqual(2);
    expect(calls[0]!.time).toBeLessThanOrEqual(4);
    expect(calls[2]!.time - calls[1]!.time).toBe(20);
    expect(r.events.filter((e) => e.type === 'CoordinatorsChangeBeforeCommit')).toHaveLength(3);
  });

  it('applies an explicit coordinator list once; bad options fail the test instead of running', async () => {
    const chaos = new FakeChaos([serverProcess(1)]);
    await runWithFakeChaos(changeConfig, chaos, {
      options: { coordinators: '2.0.1.1:1,2.0.1.2:1,2.0.1.3:1', coordinatorChanges: 3 },
    });
    expect(chaos.callsOf('changeCoordinators').map((c) => c.args[0])).toEqual([
      ['2.0.1.1:1', '2.0.1.2:1', '2.0.1.3:1'],
    ]);
    const bad = new FakeChaos([serverProcess(1)]);
    const r = await runWithFakeChaos(changeConfig, bad, { options: { configMode: 'quadruple' } });
    expect(r.failures).toHaveLength(1);
    expect(bad.callsOf('changeConfiguration')).toEqual([]);
    const late = await runWithFakeChaos(changeConfig, new FakeChaos([]), {
      options: { minDelayBeforeChange: 5, maxDelayBeforeChange: 1 },
    });
    expect(late.failures).toHaveLength(1);
  });
});
