// The report fold on its own: what it makes of a trace cut at its line cap, of a run's facts read back
// from text (every value a string) versus live (typed values), and of duplicated reboot ProgramStarts.
import { describe, expect, it } from 'vitest';
import { ReportFold } from '../../../src/report/fold.js';
import type { Details, TraceEvent } from '../../../src/trace/event.js';
import { parseTraceLine } from '../../../src/trace/reader.js';
import { formatTraceLine, TraceWriter } from '../../../src/trace/writer.js';

function ev(time: number, type: string, details: Details, severity: 10 | 40 = 10): TraceEvent {
  return {
    severity,
    time: Math.round(time * 1e6),
    type,
    machine: '0.0.0.0:0',
    id: '0000000000000000',
    details,
  };
}

const RUN: TraceEvent[] = [
  ev(0, 'ProgramStart', {
    RandomSeed: 5,
    TestFile: 'a.toml',
    TestFileSHA256: 'ab',
    BuggifyEnabled: true,
    CommandLine: 'faultline run a.toml --seed 5',
  }),
  ev(0, 'ClusterShape', {
    Replication: 'double',
    Machines: 4,
    Processes: 4,
    Logs: 2,
    ConfigString: 'new double memory',
  }),
  ev(1, 'ClogInterface', { IP: '2.0.1.1', Delay: 0.5, Queue: 'All' }),
  ev(2, 'TestFailure', { Reason: 'broken', Workload: 'Cycle' }, 40),
  ev(3, 'TestSummary', {
    Test: 0,
    Title: 'A',
    Line: 1,
    Ran: true,
    Passed: false,
    StartTime: 0.5,
    EndTime: 3,
    TimedOut: false,
  }),
  ev(3, 'WorkloadSummary', {
    Test: 0,
    WorkloadIndex: 0,
    Name: 'Cycle',
    Position: 0,
    Kind: 'application',
    Line: 3,
    Passed: false,
  }),
  ev(3, 'InvariantResult', {
    Test: 0,
    WorkloadIndex: 0,
    Check: 'check',
    Status: 'fail',
    Reason: 'broken',
    FailedAt: 2,
    Count: 1,
    Evidence: '{"Key":"k"}',
  }),
  ev(3, 'MetricResult', {
    Test: 0,
    WorkloadIndex: 0,
    Name: 'Transactions',
    Value: 12.5,
    Averaged: false,
    Formatted: '12.5',
  }),
  ev(3, 'InvariantResult', { Test: 0, WorkloadIndex: -1, Check: 'consistency check', Status: 'pass' }),
  ev(3, 'RunNote', { Message: 'a note' }),
  ev(3, 'RunSummary', { Title: 'A' }),
  ev(3, 'ElapsedTime', { SimTime: 3, RandomUnseed: 77 }),
];

describe('ReportFold', () => {
  it('gives the same result for live events and the same events read back from their lines', () => {
    const live = new ReportFold();
    const read = new ReportFold();
    for (const e of RUN) {
      live.emit(e);
      read.emit(parseTraceLine(formatTraceLine(e), 't', 1));
    }
    // Chaos events are kept as events (typed live, strings read back): compare them as trace lines.
    const lines = (f: ReportFold) => {
      const r = f.result();
      return { ...r, chaosEvents: r.chaosEvents.map((e) => formatTraceLine(e)) };
    };
    expect(lines(read)).toEqual(lines(live));
    const r = live.result();
    expect(r.outcome).toBe('failed');
    expect(r.buggify).toBe(true);
    expect(r.tests[0]!.workloads[0]!.invariants[0]).toEqual({
      name: 'check',
      status: 'fail',
      reason: 'broken',
      evidence: { Key: 'k' },
      time: 2,
      count: 1,
    });
    expect(r.tests[0]!.workloads[0]!.metrics[0]!.value).toBe(12.5);
    expect(r.tests[0]!.cluster[0]!.name).toBe('consistency check');
    expect(r.notes).toEqual(['a note']);
    expect(r.unseed).toBe(77);
    expect(r.chaosEvents).toHaveLength(1);
  });

  it('computes the hash the writer computes', () => {
    const fold = new ReportFold();
    const writer = new TraceWriter({ downstream: fold });
    for (const e of RUN) writer.emit(e);
    const summary = writer.finish();
    expect(fold.result().traceHash).toBe(summary.hash);
    expect(fold.result().traceLines).toBe(summary.written);
  });

  it('a trace cut at its line cap failed (TracedTooManyLines), it did not "not finish"', () => {
    const fold = new ReportFold();
    const writer = new TraceWriter({ downstream: fold, maxLines: 4 });
    for (const e of RUN) writer.emit(e);
    writer.finish();
    const r = fold.result();
    expect(r.outcome).toBe('failed');
    expect(r.traceCapped).toBe(true);
    expect(r.didNotFinish).toBeUndefined();
    expect(r.failures.map((f) => f.reason)).toContain('the trace reached its cap of 4 lines');
  });

  it('keeps the first ProgramStart (FoundationDB logs one per reboot) and ignores a malformed FailureInjection', () => {
    const fold = new ReportFold();
    fold.emit(ev(0, 'ProgramStart', { RandomSeed: 9 }));
    fold.emit(ev(1, 'ProgramStart', { Cycles: 1 }));
    fold.emit(
      ev(2, 'TestSummary', { Test: 0, Title: 'T', FailureInjection: '{"declared":[1],"added":"x"}' }),
    );
    const r = fold.result();
    expect(r.seed).toBe(9);
    expect(r.tests[0]!.failureInjection).toBeUndefined();
  });
});
