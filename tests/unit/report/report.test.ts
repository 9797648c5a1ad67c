// The report rendered from a fixed RunResult: every section of cli.md, the chaos summary counts, the
// timeline summarizing, colour only when asked, and the JSON form carrying the same content.
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/report/json.js';
import { buildReport } from '../../../src/report/model.js';
import { colorEnabled } from '../../../src/report/style.js';
import { renderText } from '../../../src/report/text.js';
import { chaosSummary, summarizeTimeline, timelineRows } from '../../../src/report/timeline.js';
import type { RunResult } from '../../../src/run/result.js';
import type { Details, TraceEvent } from '../../../src/trace/event.js';

/** The escape sequence that starts every ANSI colour. */
const ANSI = new RegExp(String.fromCharCode(27) + '\\[');

function ev(time: number, type: string, details: Details, machine = '3.4.3.1:1'): TraceEvent {
  return { severity: 10, time: Math.round(time * 1e6), type, machine, id: '0000000000000000', details };
}

const proc = (address: string) =>
  `name: fdbd address: ${address} zone: z datahall: 0 class: unset excluded: 0 cleared: 0`;

const CHAOS: TraceEvent[] = [
  // The cluster booting: not chaos.
  ev(0.1, 'LeaderChanged', { NewLeader: '2.0.1.1:1' }, '2.0.1.1:1'),
  ev(0.5, 'MasterRecoveryState', { Status: 'reading_coordinated_state', Epoch: 0 }, '2.0.1.1:1'),
  ev(0.8, 'MasterRecoveryState', { Status: 'fully_recovered', Epoch: 1 }, '2.0.1.1:1'),
  ev(12.5, 'ClogInterface', { IP: '2.0.1.3', Delay: 5.2, Queue: 'All' }),
  ev(12.5, 'CloggingPair', { From: '2.0.1.3', To: '2.0.1.4', Seconds: 1 }),
  ev(87.234, 'CoordinatorsChangeBeforeCommit', { Auto: 0, NewCoordinatorsKey: '2.0.1.2:1,2.0.1.5:1' }),
  ev(92.156, 'KillMachineProcess', { KillType: 0, Process: proc('10.0.4.2:3') }, '10.0.4.2:3'),
  ev(92.156, 'FailMachine', { Address: '10.0.4.2:3' }, '10.0.4.2:3'),
  ev(92.156, 'KillMachineProcess', { KillType: 0, Process: proc('10.0.4.2:1') }, '10.0.4.2:1'),
  ev(95.871, 'CoordinatorsChangeBeforeCommit', { Auto: 0, NewCoordinatorsKey: '2.0.1.1:1' }),
  ev(103.445, 'KillMachineProcess', { KillType: 3, Process: proc('10.0.2.1:4') }, '10.0.2.1:4'),
  ev(103.445, 'KillMachineProcess', { KillType: 3, Process: proc('10.0.2.1:2') }, '10.0.2.1:2'),
  ev(103.445, 'RebootingProcess', { KillType: 3, Address: '10.0.2.1:2' }, '10.0.2.1:2'),
  ev(110, 'RebootingProcess', { KillType: 7, Address: '2.0.1.6:1' }, '2.0.1.6:1'),
  ev(111, 'MasterRecoveryState', { Status: 'fully_recovered', Epoch: 2 }, '2.0.1.2:1'),
  ev(110.5, 'TLogRollback', { Epoch: 2, From: 4_000_000, To: 4_250_000, Versions: 250_000 }, '2.0.1.2:1'),
  ev(112, 'StorageServerRollback', { StorageID: 'ab', From: 5_000_000, To: 4_000_000 }, '2.0.1.2:1'),
];

const RESULT: RunResult = {
  faultlineVersion: '0.1.0',
  seed: 1876983470,
  specPath: 'tests/fast/CycleTest.toml',
  title: 'CycleWithAttrition',
  buggify: true,
  faultInjection: true,
  config: {
    replication: 'triple',
    replicationFactor: 3,
    datacenters: 1,
    machines: 8,
    processesPerMachine: 2,
    processes: 16,
    coordinators: 3,
    testers: 5,
    logs: 4,
    commitProxies: 3,
    grvProxies: 1,
    resolvers: 1,
    storageEngine: 'ssd',
    configString: 'new triple ssd logs:=4 commit_proxies:=3 grv_proxies:=1 resolvers:=1',
  },
  simTime: 347.2,
  realTime: 18.891,
  tests: [
    {
      title: 'CycleWithAttrition',
      line: 5,
      ran: true,
      passed: false,
      startTime: 1,
      endTime: 340,
      timedOut: false,
      workloads: [
        {
          name: 'Cycle',
          index: 0,
          kind: 'application',
          line: 8,
          passed: false,
          invariants: [
            {
              name: 'check',
              status: 'fail',
              reason: 'Cycle got shorter',
              evidence: { ClientId: '0', Before: '2500', After: '2499' },
              time: 335.25,
              count: 1,
            },
          ],
          metrics: [
            { name: 'Transactions', value: 74_000, averaged: false, formatted: '74000' },
            { name: 'Avg Latency (ms)', value: 12.5, averaged: true, formatted: '12.500' },
          ],
        },
        {
          name: 'Attrition',
          index: 1,
          kind: 'chaos',
          line: 14,
          passed: true,
          invariants: [{ name: 'check', status: 'pass' }],
          metrics: [],
        },
        {
          name: 'Attrition',
          index: 2,
          kind: 'chaos',
          line: 18,
          passed: true,
          invariants: [
            {
              name: 'sometimes: killed a coordinator',
              status: 'unmet',
              reason: 'never held in 4 evaluations',
            },
          ],
          metrics: [],
        },
      ],
      cluster: [{ name: 'consistency check', status: 'pass', count: 4 }],
    },
  ],
  failures: [
    {
      time: 335.25,
      type: 'TestFailure',
      machine: '3.4.3.1:1',
      reason: 'Cycle got shorter',
      workload: 'Cycle',
      details: { Workload: 'Cycle', Reason: 'Cycle got shorter' },
    },
  ],
  failuresDropped: 0,
  chaosEvents: CHAOS,
  chaosEventsDropped: 0,
  notes: ['the default spec runs without Rollback: no workload of that name is registered in this build'],
  outcome: 'failed',
  unseed: 4242,
  traceHash: '0123456789abcdef',
  tracePath: 'traces/CycleWithAttrition.1876983470.jsonl',
  traceLines: 1234,
  traceCapped: false,
  reproduce: 'faultline run tests/fast/CycleTest.toml --seed 1876983470',
};

describe('text report', () => {
  const text = renderText(RESULT);

  it('has every section in order, without colour by default', () => {
    const sections = [
      'Simulation Overview',
      'Timeline of Chaos Events',
      'Chaos Summary',
      'Invariant Report',
      'Metrics',
      'Notes',
      'FAILED: 1 Severity-40 event in 1 test',
      'Reproduce: faultline run tests/fast/CycleTest.toml --seed 1876983470',
    ];
    const at = sections.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(text).not.toMatch(ANSI);
  });

  it('shows the overview as the post does', () => {
    expect(text).toMatch(/│ 1876983470 +│ triple +│ 5m 47s +│ 18s 891ms +│ ssd +│ on +│/);
    expect(text).toMatch(/│ 8 +│ 16 +│ 3 +│ 4 +│ 3 +│ 1 +│ 1 +│ 5 +│/);
  });

  it('lists chaos events, not the cluster booting, and kills once per process', () => {
    expect(text).toMatch(/│ 87\.234 +│ Coordinator Change +│ new coordinators 2\.0\.1\.2:1,2\.0\.1\.5:1/);
    expect(text).toMatch(/│ 92\.156 +│ Process Kill +│ KillInstantly process at 10\.0\.4\.2:3/);
    expect(text).toMatch(/│ 103\.445 +│ Process Reboot +│ RebootAndDelete process at 10\.0\.2\.1:4/);
    expect(text).toMatch(/│ 110\.000 +│ Process Reboot +│ RebootProcess process at 2\.0\.1\.6:1/);
    expect(text).not.toContain('Leader Change');
    expect(text).not.toContain('epoch 1 fully recovered');
    expect(text).toContain('epoch 2 fully recovered');
    expect(text).toMatch(
      /│ 110\.500 +│ Rollback +│ epoch 2 discards versions 4000000\.\.4250000 \(250000 versions/,
    );
    expect(text.match(/10\.0\.4\.2:3/g)).toHaveLength(1);
  });

  it('summarizes the chaos with counts and extremes', () => {
    expect(chaosSummary(CHAOS)).toEqual([
      'Network Partitions: 2 events (max duration: 5.2s)',
      'Process Kills: 2 KillInstantly',
      'Process Reboots: 2 RebootAndDelete, 1 RebootProcess',
      'Recoveries: 1',
      'Rollbacks: 1 (250000 versions rolled back)',
      'Storage Rollbacks: 1 storage server rolled back (up to 1000000 versions)',
      'Coordinator Changes: 2',
    ]);
    for (const line of chaosSummary(CHAOS)) expect(text).toContain(line);
  });

  it('reports invariants with reason, evidence and time, and the metrics', () => {
    expect(text).toMatch(
      /│ CycleWithAttrition │ Cycle +│ check +│ FAIL +│ Cycle got shorter at 335\.25s evidence:/,
    );
    expect(text).toContain('ClientId=0 Before=2500');
    expect(text).toContain('After=2499');
    expect(text).toMatch(
      /│ Attrition #2 +│ sometimes: killed a coordinator +│ UNMET +│ never held in 4 evaluations/,
    );
    expect(text).toMatch(/│ \(cluster\) +│ consistency check +│ PASS/);
    expect(text).toMatch(/│ Cycle +│ Transactions +│ +74000 │/);
    expect(text).toContain('335.25s TestFailure [Cycle]: Cycle got shorter (3.4.3.1:1)');
    expect(text).toContain(
      'Unseed: 4242   Trace: traces/CycleWithAttrition.1876983470.jsonl (1234 lines, hash 0123456789abcdef)',
    );
  });

  it('colours only when asked', () => {
    expect(renderText(RESULT, { color: true })).toMatch(ANSI);
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
  });

  it('says PASSED and DID NOT FINISH with what was stuck', () => {
    const passed = renderText({ ...RESULT, outcome: 'passed', failures: [] });
    expect(passed).toContain('PASSED: 1 test, no Severity-40 events');
    expect(passed).toContain('unmet: sometimes: killed a coordinator: never held in 4 evaluations');
    const dnf = renderText({
      ...RESULT,
      outcome: 'did-not-finish',
      failures: [],
      didNotFinish: {
        reason: 'simulated time limit of 5400.000000 s reached',
        stuck: [{ name: 'Cycle#0/client0 start', waitingOn: 'delay until 12.000000' }],
        duringTest: "running test 'CycleWithAttrition'",
      },
    });
    expect(dnf).toContain(
      "DID NOT FINISH: simulated time limit of 5400.000000 s reached (while running test 'CycleWithAttrition')",
    );
    expect(dnf).toContain('stuck: Cycle#0/client0 start (waiting on delay until 12.000000)');
  });
});

describe('timeline summarizing', () => {
  const clogs = Array.from({ length: 60 }, (_, i) =>
    ev(10 + i * 0.1, i % 2 === 0 ? 'ClogInterface' : 'CloggingPair', {
      IP: '2.0.1.1',
      Queue: 'All',
      Delay: i === 30 ? 7.5 : 0.5,
      From: '2.0.1.1',
      To: '2.0.1.2',
      Seconds: 0.25,
    }),
  );
  const kill = ev(20, 'KillMachineProcess', { KillType: 6, Process: proc('2.0.1.3:1') }, '2.0.1.3:1');
  const rows = timelineRows([...clogs.slice(0, 40), kill, ...clogs.slice(40)]);

  it('folds runs of frequent events between significant ones, keeping every kill', () => {
    const short = summarizeTimeline(rows, 40);
    expect(short.map((r) => [r.type, r.count])).toEqual([
      ['Network Faults', 40],
      ['Process Reboot', 1],
      ['Network Faults', 20],
    ]);
    expect(short[0]!.details).toBe(
      '40 events from 10.000 to 13.900 s: 20 Clog Interface, 20 Clog Pair (longest 7.5s)',
    );
  });

  it('keeps everything when asked (max 0) or when short enough', () => {
    expect(summarizeTimeline(rows, 0)).toHaveLength(61);
    expect(summarizeTimeline(rows.slice(0, 5), 40)).toHaveLength(5);
  });

  it('elides the middle when folding is not enough, saying how many events are hidden', () => {
    const kills = Array.from({ length: 50 }, (_, i) =>
      ev(i, 'KillMachineProcess', { KillType: 0, Process: proc(`2.0.1.${i}:1`) }, `2.0.1.${i}:1`),
    );
    const short = summarizeTimeline(timelineRows(kills), 11);
    expect(short).toHaveLength(11);
    expect(short[5]).toMatchObject({ type: '...', count: 40 });
    expect(short[5]!.details).toBe('40 more events (run with --all-events to see them)');
  });
});

describe('json report', () => {
  it('carries the same content as the text report, with the whole timeline', () => {
    const doc = JSON.parse(renderJson(RESULT));
    const model = buildReport(RESULT, { maxTimelineRows: 0 });
    expect(doc).toMatchObject({
      reportVersion: 1,
      outcome: 'failed',
      seed: 1876983470,
      reproduce: RESULT.reproduce,
      unseed: 4242,
      chaosSummary: model.chaosSummary,
      overview: { replication: 'triple', simulatedTime: '5m 47s', machines: 8 },
    });
    expect(doc.timeline).toHaveLength(model.timeline.length);
    expect(doc.invariants).toContainEqual(
      expect.objectContaining({
        test: 'CycleWithAttrition',
        workload: 'Cycle',
        check: 'check',
        status: 'fail',
      }),
    );
    expect(doc.metrics).toContainEqual({
      test: 'CycleWithAttrition',
      workload: 'Cycle',
      name: 'Transactions',
      value: 74000,
      formatted: '74000',
    });
    expect(doc.verdict.headline).toBe('FAILED: 1 Severity-40 event in 1 test');
  });
});
