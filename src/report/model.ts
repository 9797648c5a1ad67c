// The report's content as plain data, built from a RunResult: what the terminal report shows and what
// `--format json` prints. Reporters never look at live simulation objects, only at this and at traces.
import type {
  AddedWorkload,
  FailureRecord,
  InvariantResult,
  InvariantStatus,
  RunOutcome,
  RunResult,
  TestResult,
} from '../run/result.js';
import { formatRealDuration, formatSimDuration, plural, round } from './format.js';
import { chaosSummary, summarizeTimeline, type TimelineRow, timelineRows } from './timeline.js';

/** Default most rows of the chaos timeline before it is summarized. */
export const DEFAULT_TIMELINE_ROWS = 40;
/** Most failures listed under the verdict. */
const VERDICT_FAILURES = 5;

/** Options of the report. */
export interface ReportOptions {
  /** Most timeline rows before summarizing; 0 shows every event. Default 40. */
  readonly maxTimelineRows?: number;
}

/** The Simulation Overview. */
export interface Overview {
  readonly seed: number;
  readonly replication: string;
  readonly simulatedTime: string;
  readonly realTime: string;
  readonly storageEngine: string;
  readonly buggify: boolean;
  readonly machines: number;
  readonly processes: number;
  readonly coordinators: number;
  readonly logs: number;
  readonly commitProxies: number;
  readonly grvProxies: number;
  readonly resolvers: number;
  readonly testers: number;
  readonly configString: string;
  readonly plantedBug?: string;
}

/** One test's chaos workloads: those the spec declares and those automatic failure injection added. */
export interface ChaosWorkloadsRow {
  readonly test: string;
  /** Chaos workloads written in the spec, in file order. */
  readonly declared: readonly string[];
  /** Workloads failure injection added, each with its drawn options: `Rollback (enableFailures=false, multiple=true)`. */
  readonly added: readonly string[];
  /**
   * Why injection could add nothing (`failure injection off: runFailureWorkloads = false`), or which
   * candidates it left out (`not added: Attrition (vetoed by DiskFailureInjection)`); absent otherwise.
   */
  readonly note?: string;
}

/** One row of the Invariant Report. */
export interface InvariantRow {
  readonly test: string;
  /** `Cycle`, `Cycle #2` when a test has several of one workload, or `(cluster)`. */
  readonly workload: string;
  readonly check: string;
  readonly status: InvariantStatus;
  readonly reason?: string;
  readonly evidence?: Readonly<Record<string, string>>;
  /** Simulated seconds of the first failure. */
  readonly time?: number;
  readonly count?: number;
}

/** One row of the Metrics table. */
export interface MetricRow {
  readonly test: string;
  readonly workload: string;
  readonly name: string;
  readonly value: number;
  readonly formatted: string;
}

/** The verdict and what to do next. */
export interface Verdict {
  readonly outcome: RunOutcome;
  /** One line: PASSED / FAILED / DID NOT FINISH with the gist. */
  readonly headline: string;
  /** Supporting lines: the first failures, or what was stuck. */
  readonly details: readonly string[];
}

/** Everything the report shows. */
export interface ReportModel {
  readonly title: string;
  readonly specPath: string;
  readonly overview: Overview;
  /** Timeline rows as shown (summarized unless asked for all). */
  readonly timeline: readonly TimelineRow[];
  /** Events in the full timeline (before summarizing). */
  readonly timelineEvents: number;
  /** Chaos events the run did not keep (they are in the trace file). */
  readonly chaosEventsDropped: number;
  readonly chaosSummary: readonly string[];
  /** Per test, the chaos the spec declared and the chaos failure injection added. */
  readonly chaosWorkloads: readonly ChaosWorkloadsRow[];
  readonly invariants: readonly InvariantRow[];
  readonly metrics: readonly MetricRow[];
  readonly failures: readonly FailureRecord[];
  readonly failureCount: number;
  readonly verdict: Verdict;
  readonly unseed: number;
  readonly reproduce: string;
  readonly trace: {
    readonly path?: string;
    readonly hash: string;
    readonly lines: number;
    readonly capped: boolean;
  };
  readonly notes: readonly string[];
}

/** Workload labels of a test: `Cycle`, `Attrition #2` when several, `RandomClogging (added)` when injected. */
function workloadLabels(
  workloads: readonly { readonly name: string; readonly injected?: boolean }[],
): string[] {
  const total = new Map<string, number>();
  for (const w of workloads) total.set(w.name, (total.get(w.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return workloads.map((w) => {
    const k = (seen.get(w.name) ?? 0) + 1;
    seen.set(w.name, k);
    const label = total.get(w.name)! > 1 ? `${w.name} #${k}` : w.name;
    return w.injected === true ? `${label} (added)` : label;
  });
}

function addedLabel(a: AddedWorkload): string {
  const opts = Object.keys(a.options).map((k) => {
    const v = a.options[k]!;
    return `${k}=${typeof v === 'number' ? round(v, 2) : String(v)}`;
  });
  return opts.length > 0 ? `${a.name} (${opts.join(', ')})` : a.name;
}

/**
 * The chaos of one test: from its failure-injection record, or, for results without one, from its
 * workloads (chaos ones not injected were declared).
 */
function chaosWorkloadsRow(t: TestResult): ChaosWorkloadsRow {
  const fi = t.failureInjection;
  if (fi === undefined) {
    return {
      test: t.title,
      declared: t.workloads.filter((w) => w.kind === 'chaos' && w.injected !== true).map((w) => w.name),
      added: t.workloads.filter((w) => w.injected === true).map((w) => w.name),
    };
  }
  const left = fi.excluded.filter((e) => e.reason !== 'not registered');
  const note =
    fi.disabled !== undefined
      ? `failure injection off: ${fi.disabled}`
      : left.length > 0
        ? `not added: ${left.map((e) => `${e.name} (${e.reason})`).join(', ')}`
        : undefined;
  return {
    test: t.title,
    declared: fi.declared,
    added: fi.added.map(addedLabel),
    ...(note !== undefined ? { note } : {}),
  };
}

function invariantRow(test: string, workload: string, inv: InvariantResult): InvariantRow {
  return {
    test,
    workload,
    check: inv.name,
    status: inv.status,
    ...(inv.reason !== undefined ? { reason: inv.reason } : {}),
    ...(inv.evidence !== undefined ? { evidence: inv.evidence } : {}),
    ...(inv.time !== undefined ? { time: inv.time } : {}),
    ...(inv.count !== undefined ? { count: inv.count } : {}),
  };
}

function failureLine(f: FailureRecord): string {
  const who = f.workload !== undefined ? ` [${f.workload}]` : '';
  return `${round(f.time, 3)}s ${f.type}${who}: ${f.reason} (${f.machine})`;
}

function verdictOf(r: RunResult): Verdict {
  const failures = r.failures.length + r.failuresDropped;
  const tests = r.tests.length;
  if (r.outcome === 'did-not-finish' && r.didNotFinish) {
    const dnf = r.didNotFinish;
    const stuck = dnf.stuck.slice(0, 8).map((s) => `stuck: ${s.name} (waiting on ${s.waitingOn})`);
    if (dnf.stuck.length > 8) stuck.push(`... and ${dnf.stuck.length - 8} more stuck tasks`);
    return {
      outcome: r.outcome,
      headline: `DID NOT FINISH: ${dnf.reason}${dnf.duringTest ? ` (while ${dnf.duringTest})` : ''}`,
      details: [...stuck, ...r.failures.slice(0, VERDICT_FAILURES).map(failureLine)],
    };
  }
  if (r.outcome === 'failed') {
    const more = failures > VERDICT_FAILURES ? [`... ${failures - VERDICT_FAILURES} more in the trace`] : [];
    return {
      outcome: r.outcome,
      headline: `FAILED: ${plural(failures, 'Severity-40 event')} in ${plural(tests, 'test')}`,
      details: [...r.failures.slice(0, VERDICT_FAILURES).map(failureLine), ...more],
    };
  }
  const warned = r.tests
    .flatMap((t) => t.workloads.flatMap((w) => w.invariants))
    .filter((i) => i.status !== 'pass');
  const notes = warned
    .filter((i) => i.status === 'warn' || i.status === 'unmet')
    .map((i) => `${i.status === 'warn' ? 'warning' : 'unmet'}: ${i.name}: ${i.reason ?? ''}`);
  return {
    outcome: r.outcome,
    headline: `PASSED: ${plural(tests, 'test')}, no Severity-40 events`,
    details: notes,
  };
}

/** Builds the report's content from a run's result. */
export function buildReport(r: RunResult, opts: ReportOptions = {}): ReportModel {
  const c = r.config;
  const rows = timelineRows(r.chaosEvents);
  const max = opts.maxTimelineRows ?? DEFAULT_TIMELINE_ROWS;
  const invariants: InvariantRow[] = [];
  const metrics: MetricRow[] = [];
  for (const t of r.tests) {
    const labels = workloadLabels(t.workloads);
    t.workloads.forEach((w, i) => {
      const workload = labels[i]!;
      for (const inv of w.invariants) invariants.push(invariantRow(t.title, workload, inv));
      for (const m of w.metrics) {
        metrics.push({ test: t.title, workload, name: m.name, value: m.value, formatted: m.formatted });
      }
    });
    for (const inv of t.cluster) invariants.push(invariantRow(t.title, '(cluster)', inv));
  }
  return {
    title: r.title,
    specPath: r.specPath,
    overview: {
      seed: r.seed,
      replication: c.replication,
      simulatedTime: formatSimDuration(r.simTime),
      realTime: formatRealDuration(r.realTime),
      storageEngine: c.storageEngine,
      buggify: r.buggify,
      machines: c.machines,
      processes: c.processes,
      coordinators: c.coordinators,
      logs: c.logs,
      commitProxies: c.commitProxies,
      grvProxies: c.grvProxies,
      resolvers: c.resolvers,
      testers: c.testers,
      configString: c.configString,
      ...(c.plantedBug !== undefined ? { plantedBug: c.plantedBug } : {}),
    },
    timeline: summarizeTimeline(rows, max),
    timelineEvents: rows.length,
    chaosEventsDropped: r.chaosEventsDropped,
    chaosSummary: chaosSummary(r.chaosEvents),
    chaosWorkloads: r.tests.map(chaosWorkloadsRow),
    invariants,
    metrics,
    failures: r.failures,
    failureCount: r.failures.length + r.failuresDropped,
    verdict: verdictOf(r),
    unseed: r.unseed,
    reproduce: r.reproduce,
    trace: {
      ...(r.tracePath !== undefined ? { path: r.tracePath } : {}),
      hash: r.traceHash,
      lines: r.traceLines,
      capped: r.traceCapped,
    },
    notes: r.notes,
  };
}
