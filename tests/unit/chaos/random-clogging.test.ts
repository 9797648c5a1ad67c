// RandomClogging: through the run layer (tests/fast/RandomClogging.toml, Cycle stacked), the clogs it
// traces and that clogs really delay the database; against a recording surface, FoundationDB's draws
// (modes, lengths, the swizzle schedule) and the end of the window.
import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/core/random.js';
import randomClogging, {
  clogMode,
  clogSeconds,
  swizzleSchedule,
} from '../../../workloads/chaos/random-clogging.js';
import {
  detail,
  FakeChaos,
  runChaosSpec,
  runSpecFile,
  runWithFakeChaos,
  serverProcess,
  testerProcess,
} from './chaos-run.js';

const PROCS = [1, 2, 3, 4, 5].map((i) => serverProcess(i)).concat([testerProcess(1), testerProcess(2)]);

/**
 * Cycle alone or under heavy clogging, for the latency comparison. runFailureWorkloads = false: the
 * comparison needs exactly the chaos declared here, none injected automatically.
 */
const cycleSpec = (clogging: boolean) => `
[configuration]
machineCount = 5
config = 'double'

[[test]]
testTitle = 'ClogLatency'
runFailureWorkloads = false

    [[test.workload]]
    testName = 'Cycle'
    testDuration = 10.0
    transactionsPerSecond = 200.0
    nodeCount = 100
${
  clogging
    ? `
    [[test.workload]]
    testName = 'RandomClogging'
    testDuration = 10.0
    scale = 1.0
    clogginess = 8.0
`
    : ''
}`;

function avgLatency(events: ReturnType<typeof Array.prototype.slice>): number {
  const m = events.find(
    (e: { details: Record<string, unknown> }) => e.details.Name === 'Cycle.Avg Latency (ms)',
  );
  return Number(m?.details.Value);
}

describe('RandomClogging through the run layer', () => {
  it('clogs interfaces in every mode and IP pairs within the window, and Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/RandomClogging.toml', 1);
    expect(run.result.outcome).toBe('passed');
    const interfaceClogs = run.of('ClogInterface');
    const pairClogs = run.of('CloggingPair');
    expect(interfaceClogs.length).toBeGreaterThan(20);
    expect(pairClogs.length).toBeGreaterThan(20);
    expect(new Set(interfaceClogs.map((e) => detail(e, 'Queue')))).toEqual(
      new Set(['Send', 'Receive', 'All']),
    );
    // FoundationDB's lengths: interface clogs at most 10*scale s, pair clogs at most 20*scale s.
    for (const e of interfaceClogs) expect(Number(detail(e, 'Delay'))).toBeLessThanOrEqual(10);
    for (const e of pairClogs) {
      expect(Number(detail(e, 'Seconds'))).toBeLessThanOrEqual(20);
      expect(detail(e, 'From')).not.toBe(detail(e, 'To'));
    }
    // Every clog ends by the end of its test's window (testDuration after the start phase began).
    const starts = run.of('TestStarting').map((e) => e.time / 1e6);
    for (const e of interfaceClogs) {
      const t = e.time / 1e6;
      const windowStart = Math.max(...starts.filter((s) => s <= t));
      expect(t + Number(detail(e, 'Delay'))).toBeLessThanOrEqual(windowStart + 15 + 1e-6);
    }
  }, 60_000);

  it('delays the database: Cycle transactions take longer under clogging (same seed)', async () => {
    const calm = await runChaosSpec(cycleSpec(false), 3);
    const clogged = await runChaosSpec(cycleSpec(true), 3);
    expect(calm.result.outcome).toBe('passed');
    expect(clogged.result.outcome).toBe('passed');
    expect(clogged.of('ClogInterface').length).toBeGreaterThan(50);
    const before = avgLatency(calm.of('Metric'));
    const after = avgLatency(clogged.of('Metric'));
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(2 * before);
  }, 60_000);
});

describe('RandomClogging decisions', () => {
  it('draws clog modes 30% send, 30% receive, 40% both, and lengths as base * e^(-10U)', () => {
    const random = new Random('modes');
    const counts = { send: 0, receive: 0, all: 0 };
    for (let i = 0; i < 10_000; i++) counts[clogMode(random)]++;
    expect(counts.send / 10_000).toBeCloseTo(0.3, 1);
    expect(counts.receive / 10_000).toBeCloseTo(0.3, 1);
    expect(counts.all / 10_000).toBeCloseTo(0.4, 1);
    const lengths = Array.from({ length: 10_000 }, () => clogSeconds(random, 10));
    expect(Math.max(...lengths)).toBeLessThanOrEqual(10);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(10 * Math.exp(-10));
    // Heavily skewed to short clogs: the median is 10 * e^-5 ≈ 0.067 s.
    const sorted = [...lengths].sort((a, b) => a - b);
    expect(sorted[5000]!).toBeLessThan(0.1);
  });

  it('stops clogging at testDuration and only client 0 clogs', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(randomClogging, chaos, { options: { testDuration: 20, clogginess: 4 } });
    expect(r.endTime).toBe(20);
    const clogs = r.timedCalls.filter((c) => c.call.method === 'clogInterface');
    expect(clogs.length).toBeGreaterThan(30);
    for (const c of clogs) expect(c.time + (c.call.args[1] as number)).toBeLessThanOrEqual(20 + 1e-9);
    const other = new FakeChaos(PROCS);
    await runWithFakeChaos(randomClogging, other, { options: { testDuration: 20 }, clientId: 1 });
    expect(other.calls).toEqual([]);
  });

  it('swizzle clogs a random half one by one and unclogs them in a different order', () => {
    const random = new Random('swizzle');
    const ips = Array.from({ length: 40 }, (_, i) => `2.0.1.${i + 1}`);
    let reordered = 0;
    for (let round = 0; round < 20; round++) {
      const plan = swizzleSchedule(random, ips, 10);
      expect(plan.length).toBeGreaterThan(8);
      expect(plan.length).toBeLessThan(32);
      expect(new Set(plan.map((c) => c.ip)).size).toBe(plan.length);
      for (const c of plan) {
        expect(c.start).toBeGreaterThanOrEqual(0);
        expect(c.start).toBeLessThan(5);
        expect(c.end).toBeGreaterThanOrEqual(5);
        expect(c.end).toBeLessThan(10);
      }
      const clogOrder = [...plan].sort((a, b) => a.start - b.start).map((c) => c.ip);
      const unclogOrder = [...plan].sort((a, b) => a.end - b.end).map((c) => c.ip);
      if (clogOrder.join() !== unclogOrder.join()) reordered++;
    }
    expect(reordered).toBe(20);
  });

  it('applies each swizzled clog at its start for end - start seconds, plus 10 pair clogs per round', async () => {
    const many = Array.from({ length: 12 }, (_, i) => serverProcess(i + 1));
    const chaos = new FakeChaos(many);
    const r = await runWithFakeChaos(randomClogging, chaos, {
      options: { testDuration: 60, swizzle: 1, scale: 3, clogginess: 0.2 },
      seed: 7,
    });
    const pairRounds = new Map<number, number>();
    for (const c of r.timedCalls.filter((x) => x.call.method === 'clogPair')) {
      pairRounds.set(c.time, (pairRounds.get(c.time) ?? 0) + 1);
    }
    expect(pairRounds.size).toBeGreaterThan(1);
    // clogRandomPair skips a pair of one IP with itself: at most 10 per round.
    for (const n of pairRounds.values()) expect(n).toBeLessThanOrEqual(10);
    const clogs = r.timedCalls.filter((x) => x.call.method === 'clogInterface');
    expect(clogs.length).toBeGreaterThan(pairRounds.size);
    for (const c of clogs) expect(c.time + (c.call.args[1] as number)).toBeLessThanOrEqual(60 + 1e-9);
  });
});
