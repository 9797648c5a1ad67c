// The report's facts as trace events: the cluster's shape, every test's, workload's, invariant's and
// metric's result, the notes, and why a run did not finish. With these the trace alone carries
// everything the report shows, so `faultline render TRACE` and the live `run` report are the same fold
// of the same events (report/fold.ts reads them back). Event names and details: docs/trace-format.md.
import type { DetailValue } from '../trace/event.js';
import type { ConfigSummary, DidNotFinish, InvariantResult, TestResult } from './result.js';

/** The event types this file writes (docs/trace-format.md documents each; a test checks). */
export const REPORT_EVENT_TYPES: readonly string[] = [
  'ClusterShape',
  'TestSummary',
  'WorkloadSummary',
  'InvariantResult',
  'MetricResult',
  'RunNote',
  'DidNotFinish',
  'StuckTask',
  'RunSummary',
];

/** Where the events go: `world.trace` (Severity 10, logged outside any process). */
export type EmitEvent = (type: string, details: Readonly<Record<string, DetailValue>>) => void;

/** The `ClusterShape` event: the Simulation Overview's cluster numbers. */
export function traceClusterShape(emit: EmitEvent, c: ConfigSummary): void {
  emit('ClusterShape', {
    Replication: c.replication,
    ReplicationFactor: c.replicationFactor,
    Datacenters: c.datacenters,
    Machines: c.machines,
    ProcessesPerMachine: c.processesPerMachine,
    Processes: c.processes,
    Coordinators: c.coordinators,
    Testers: c.testers,
    Logs: c.logs,
    CommitProxies: c.commitProxies,
    GrvProxies: c.grvProxies,
    Resolvers: c.resolvers,
    StorageEngine: c.storageEngine,
    ConfigString: c.configString,
    ...(c.plantedBug !== undefined ? { PlantedBug: c.plantedBug } : {}),
  });
}

function traceInvariant(emit: EmitEvent, test: number, workload: number, inv: InvariantResult): void {
  emit('InvariantResult', {
    Test: test,
    WorkloadIndex: workload,
    Check: inv.name,
    Status: inv.status,
    ...(inv.reason !== undefined ? { Reason: inv.reason } : {}),
    ...(inv.time !== undefined ? { FailedAt: inv.time } : {}),
    ...(inv.count !== undefined ? { Count: inv.count } : {}),
    ...(inv.evidence !== undefined ? { Evidence: JSON.stringify(inv.evidence) } : {}),
  });
}

/**
 * One test's result: `TestSummary`, then per workload `WorkloadSummary`, its `InvariantResult`s and
 * `MetricResult`s, then the runner's cluster checks (`InvariantResult` with WorkloadIndex -1).
 */
export function traceTestResult(emit: EmitEvent, index: number, t: TestResult): void {
  emit('TestSummary', {
    Test: index,
    Title: t.title,
    Line: t.line,
    Ran: t.ran,
    Passed: t.passed,
    StartTime: t.startTime,
    EndTime: t.endTime,
    TimedOut: t.timedOut,
    ...(t.failureInjection !== undefined ? { FailureInjection: JSON.stringify(t.failureInjection) } : {}),
  });
  t.workloads.forEach((w, i) => {
    emit('WorkloadSummary', {
      Test: index,
      WorkloadIndex: i,
      Name: w.name,
      Position: w.index,
      Kind: w.kind,
      Line: w.line,
      Passed: w.passed,
      ...(w.injected === true ? { Injected: true } : {}),
    });
    for (const inv of w.invariants) traceInvariant(emit, index, i, inv);
    for (const m of w.metrics) {
      emit('MetricResult', {
        Test: index,
        WorkloadIndex: i,
        Name: m.name,
        Value: m.value,
        Averaged: m.averaged,
        Formatted: m.formatted,
      });
    }
  });
  for (const inv of t.cluster) traceInvariant(emit, index, -1, inv);
}

/** The end of the run: notes, why it did not finish (with what was stuck), and the run's title. */
export function traceRunEnd(
  emit: EmitEvent,
  end: { readonly title: string; readonly notes: readonly string[]; readonly didNotFinish?: DidNotFinish },
): void {
  for (const n of end.notes) emit('RunNote', { Message: n });
  const dnf = end.didNotFinish;
  if (dnf !== undefined) {
    emit('DidNotFinish', {
      Reason: dnf.reason,
      Stuck: dnf.stuck.length,
      ...(dnf.duringTest !== undefined ? { DuringTest: dnf.duringTest } : {}),
    });
    for (const s of dnf.stuck) emit('StuckTask', { Name: s.name, WaitingOn: s.waitingOn });
  }
  emit('RunSummary', { Title: end.title });
}
