// The one fold from trace events to the report's data: `faultline run` feeds it every event as the trace
// writer writes it, `faultline render` feeds it the events read back from a file, and both print what it
// returns. Memory stays bounded: chaos events and failures are kept up to a limit and counted beyond it.
import { RollingHash } from '../core/hash.js';
import { toSeconds } from '../core/time.js';
import {
  CHAOS_EVENT_TYPES,
  type ConfigSummary,
  type DidNotFinish,
  type FailureInjectionResult,
  type FailureRecord,
  failureRecord,
  type InvariantResult,
  type InvariantStatus,
  type MetricResult,
  type RunOutcome,
  type RunResult,
  type TestResult,
  type WorkloadResult,
} from '../run/result.js';
import {
  type DetailValue,
  SevError,
  TRACED_TOO_MANY_LINES,
  type TraceEvent,
  type TraceSink,
} from '../trace/event.js';
import { DEFAULT_NONDETERMINISTIC_FIELDS, detailString, formatTraceLine } from '../trace/writer.js';

/** Default most chaos events the fold keeps (the rest are counted). */
export const FOLD_MAX_CHAOS_EVENTS = 20_000;
/** Default most Severity-40 events the fold keeps (the rest are counted). */
export const FOLD_MAX_FAILURES = 1000;

/** What a trace file adds that its events do not carry. */
export interface FoldContext {
  /** Wall-clock seconds of the run, when the caller measured them; absent in `render` (shown as `-`). */
  readonly realTime?: number;
  /** The trace file the events came from. */
  readonly tracePath?: string;
}

/** Options of a {@link ReportFold}. */
export interface ReportFoldOptions {
  readonly maxChaosEvents?: number;
  readonly maxFailures?: number;
}

interface MutableTest {
  summary: Omit<TestResult, 'workloads' | 'cluster'>;
  workloads: {
    base: Omit<WorkloadResult, 'invariants' | 'metrics'>;
    inv: InvariantResult[];
    met: MetricResult[];
  }[];
  cluster: InvariantResult[];
}

const STATUSES: ReadonlySet<string> = new Set(['pass', 'fail', 'warn', 'unmet', 'skipped']);

function str(d: Readonly<Record<string, DetailValue>>, key: string): string | undefined {
  const v = d[key];
  return v === undefined ? undefined : detailString(v);
}

function num(d: Readonly<Record<string, DetailValue>>, key: string, fallback = 0): number {
  const v = d[key];
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : Number(detailString(v));
  return Number.isFinite(n) ? n : fallback;
}

function bool(d: Readonly<Record<string, DetailValue>>, key: string): boolean {
  const v = d[key];
  return v === true || v === '1' || v === 'true';
}

/** Parses a JSON detail written by run/result-trace.ts; undefined when absent or not an object. */
function json<T>(d: Readonly<Record<string, DetailValue>>, key: string): T | undefined {
  const s = str(d, key);
  if (s === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

function stringRecord(v: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

function invariantOf(d: Readonly<Record<string, DetailValue>>): InvariantResult {
  const status = str(d, 'Status') ?? 'skipped';
  const reason = str(d, 'Reason');
  const evidence = stringRecord(json<Record<string, unknown>>(d, 'Evidence'));
  return {
    name: str(d, 'Check') ?? '?',
    status: (STATUSES.has(status) ? status : 'skipped') as InvariantStatus,
    ...(reason !== undefined ? { reason } : {}),
    ...(evidence !== undefined ? { evidence } : {}),
    ...(d.FailedAt !== undefined ? { time: num(d, 'FailedAt') } : {}),
    ...(d.Count !== undefined ? { count: num(d, 'Count') } : {}),
  };
}

function configOf(d: Readonly<Record<string, DetailValue>>): ConfigSummary {
  const bug = str(d, 'PlantedBug');
  return {
    replication: str(d, 'Replication') ?? '?',
    replicationFactor: num(d, 'ReplicationFactor'),
    datacenters: num(d, 'Datacenters'),
    machines: num(d, 'Machines'),
    processesPerMachine: num(d, 'ProcessesPerMachine'),
    processes: num(d, 'Processes'),
    coordinators: num(d, 'Coordinators'),
    testers: num(d, 'Testers'),
    logs: num(d, 'Logs'),
    commitProxies: num(d, 'CommitProxies'),
    grvProxies: num(d, 'GrvProxies'),
    resolvers: num(d, 'Resolvers'),
    storageEngine: str(d, 'StorageEngine') ?? '?',
    configString: str(d, 'ConfigString') ?? '',
    ...(bug !== undefined ? { plantedBug: bug } : {}),
  };
}

/** The cluster shape shown when a trace has no `ClusterShape` event (FoundationDB's, or a truncated one). */
const UNKNOWN_CONFIG: ConfigSummary = configOf({});

/**
 * Folds trace events into the data the report shows (a {@link RunResult}). Feed it with `emit`, then call
 * `result()`. Events of the report's own types (`ClusterShape`, `TestSummary`, `WorkloadSummary`,
 * `InvariantResult`, `MetricResult`, `RunNote`, `DidNotFinish`, `StuckTask`, `RunSummary`) fill the
 * tables; every Severity-40 event is a failure; chaos events feed the timeline.
 */
export class ReportFold implements TraceSink {
  private readonly maxChaos: number;
  private readonly maxFailures: number;
  private readonly omit: ReadonlySet<string> = new Set(DEFAULT_NONDETERMINISTIC_FIELDS);
  private readonly hasher = new RollingHash();
  private readonly chaos: TraceEvent[] = [];
  private readonly failures: FailureRecord[] = [];
  private readonly tests: MutableTest[] = [];
  private readonly notes: string[] = [];
  private readonly stuck: { name: string; waitingOn: string }[] = [];
  private readonly seen = new Set<string>();
  private start: Readonly<Record<string, DetailValue>> = {};
  private config: ConfigSummary | undefined;
  private dnf: { reason: string; duringTest?: string } | undefined;
  private title: string | undefined;
  private elapsed: { simTime: number; unseed: number } | undefined;
  private chaosDropped = 0;
  private failuresDropped = 0;
  private lines = 0;
  private lastTime = 0;
  private capped = false;
  private started = false;
  /** FoundationDB's own facts, used when the trace has none of faultline's report events. */
  private readonly fdb: {
    testFile: string | undefined;
    configString: string | undefined;
    machines?: number;
    processesPerMachine?: number;
    datacenters?: number;
    coordinators?: number;
    testers?: number;
    tests: { title: string; passed: boolean; time: number; metrics: MetricResult[] }[];
    metrics: MetricResult[];
  } = { testFile: undefined, configString: undefined, tests: [], metrics: [] };

  constructor(options: ReportFoldOptions = {}) {
    this.maxChaos = options.maxChaosEvents ?? FOLD_MAX_CHAOS_EVENTS;
    this.maxFailures = options.maxFailures ?? FOLD_MAX_FAILURES;
  }

  emit(e: TraceEvent): void {
    this.lines++;
    this.hasher.update(formatTraceLine(e, this.omit));
    if (e.time > this.lastTime) this.lastTime = e.time;
    this.seen.add(e.type);
    if (e.severity >= SevError) this.failure(e);
    if (CHAOS_EVENT_TYPES.has(e.type)) {
      if (this.chaos.length < this.maxChaos) this.chaos.push(e);
      else this.chaosDropped++;
    }
    this.fact(e);
  }

  /** Whether an event of this type was folded. */
  has(type: string): boolean {
    return this.seen.has(type);
  }

  /** True when the trace is FoundationDB's (none of faultline's own report events in it). */
  isFoundationDb(): boolean {
    return (
      !this.seen.has('ClusterShape') &&
      !this.seen.has('RunSummary') &&
      str(this.start, 'TestFileSHA256') === undefined
    );
  }

  /** What a complete trace of its dialect has that this one lacks (empty for a complete trace). */
  missing(): string[] {
    const wanted = this.isFoundationDb()
      ? ['ProgramStart', 'TestResults', 'ElapsedTime']
      : ['ProgramStart', 'ClusterShape', 'RunSummary', 'ElapsedTime'];
    return wanted.filter((t) => !this.seen.has(t));
  }

  private failure(e: TraceEvent): void {
    if (e.type === TRACED_TOO_MANY_LINES) this.capped = true;
    if (this.failures.length >= this.maxFailures) {
      this.failuresDropped++;
      return;
    }
    // The writer puts ErrorKind (default Unset) on every Severity-40 line: the same record live and read back.
    const r = failureRecord(
      e.details.ErrorKind === undefined ? { ...e, details: { ErrorKind: 'Unset', ...e.details } } : e,
    );
    if (e.type === TRACED_TOO_MANY_LINES) {
      this.failures.push({ ...r, reason: `the trace reached its cap of ${r.details.MaxLines ?? '?'} lines` });
    } else this.failures.push(r);
  }

  private fact(e: TraceEvent): void {
    const d = e.details;
    switch (e.type) {
      case 'ProgramStart':
        // FoundationDB logs another ProgramStart at every simulated reboot; the first describes the run.
        if (!this.started) this.start = d;
        this.started = true;
        return;
      case 'TestConfiguring':
      case 'Simulation':
        this.fdb.testFile ??= str(d, 'TestFile');
        return;
      case 'SimulatorConfig':
        this.fdb.configString = str(d, 'ConfigString');
        return;
      case 'SimulatedClusterStarted':
        this.fdb.machines = num(d, 'ServerMachineCount');
        this.fdb.processesPerMachine = num(d, 'ProcessesPerServer', 1);
        this.fdb.datacenters = num(d, 'DataCenters', 1);
        return;
      case 'SimulatedConnectionString':
        this.fdb.coordinators = (str(d, 'Coordinators') ?? str(d, 'ConnectionString') ?? '')
          .split(',')
          .filter(Boolean).length;
        return;
      case 'TestRunning':
        this.fdb.testers = num(d, 'TesterCount');
        return;
      case 'Metric':
        this.fdb.metrics.push({
          name: str(d, 'Name') ?? '?',
          value: num(d, 'Value'),
          averaged: false,
          formatted: str(d, 'Formatted') ?? str(d, 'Value') ?? '',
        });
        return;
      case 'TestResults':
        this.fdb.tests.push({
          title: str(d, 'Workload') ?? '?',
          passed: bool(d, 'Passed'),
          time: toSeconds(e.time),
          metrics: this.fdb.metrics.splice(0),
        });
        return;
      case 'ClusterShape':
        this.config = configOf(d);
        return;
      case 'TestSummary':
        this.tests.push({
          summary: {
            title: str(d, 'Title') ?? '?',
            line: num(d, 'Line'),
            ran: bool(d, 'Ran'),
            passed: bool(d, 'Passed'),
            startTime: num(d, 'StartTime'),
            endTime: num(d, 'EndTime'),
            timedOut: bool(d, 'TimedOut'),
            ...injectionOf(d),
          },
          workloads: [],
          cluster: [],
        });
        return;
      case 'WorkloadSummary':
        this.tests.at(-1)?.workloads.push({
          base: {
            name: str(d, 'Name') ?? '?',
            index: num(d, 'Position'),
            kind: str(d, 'Kind') === 'chaos' ? 'chaos' : 'application',
            line: num(d, 'Line'),
            passed: bool(d, 'Passed'),
            ...(bool(d, 'Injected') ? { injected: true } : {}),
          },
          inv: [],
          met: [],
        });
        return;
      case 'InvariantResult': {
        const t = this.tests.at(-1);
        const w = num(d, 'WorkloadIndex', -1);
        if (w < 0) t?.cluster.push(invariantOf(d));
        else t?.workloads[w]?.inv.push(invariantOf(d));
        return;
      }
      case 'MetricResult':
        this.tests.at(-1)?.workloads[num(d, 'WorkloadIndex', -1)]?.met.push({
          name: str(d, 'Name') ?? '?',
          value: num(d, 'Value'),
          averaged: bool(d, 'Averaged'),
          formatted: str(d, 'Formatted') ?? '',
        });
        return;
      case 'RunNote':
        this.notes.push(str(d, 'Message') ?? '');
        return;
      case 'DidNotFinish': {
        const during = str(d, 'DuringTest');
        this.dnf = {
          reason: str(d, 'Reason') ?? 'did not finish',
          ...(during !== undefined ? { duringTest: during } : {}),
        };
        return;
      }
      case 'StuckTask':
        this.stuck.push({ name: str(d, 'Name') ?? '?', waitingOn: str(d, 'WaitingOn') ?? '?' });
        return;
      case 'RunSummary':
        this.title = str(d, 'Title');
        return;
      case 'ElapsedTime':
        this.elapsed = {
          simTime: num(d, 'SimTime', toSeconds(this.lastTime)),
          unseed: num(d, 'RandomUnseed', -1),
        };
        return;
    }
  }

  /** How the traced run ended: did not finish (a `DidNotFinish` event, or no `ElapsedTime`), failed (any Severity-40 event), passed. */
  outcome(): RunOutcome {
    // A trace cut at its line cap ends early on purpose: its TracedTooManyLines fails the run.
    if (this.dnf !== undefined || (this.elapsed === undefined && !this.capped)) return 'did-not-finish';
    return this.failures.length > 0 || this.failuresDropped > 0 ? 'failed' : 'passed';
  }

  private didNotFinish(): DidNotFinish | undefined {
    if (this.dnf !== undefined) return { ...this.dnf, stuck: this.stuck };
    if (this.elapsed !== undefined || this.capped) return undefined;
    return { reason: `the trace ends early (no ${this.missing().join(', no ')})`, stuck: [] };
  }

  /** FoundationDB's tests: one per `TestResults` event, its metrics the `Metric` events before it. */
  private fdbTests(): TestResult[] {
    let start = 0;
    return this.fdb.tests.map((t) => {
      const test: TestResult = {
        title: t.title,
        line: 0,
        ran: true,
        passed: t.passed,
        startTime: start,
        endTime: t.time,
        timedOut: false,
        workloads: [
          {
            name: t.title,
            index: 0,
            kind: 'application',
            line: 0,
            passed: t.passed,
            invariants: [
              t.passed
                ? { name: 'TestResults', status: 'pass' }
                : { name: 'TestResults', status: 'warn', reason: 'Passed=0 (see the Severity-40 events)' },
            ],
            metrics: t.metrics,
          },
        ],
        cluster: [],
      };
      start = t.time;
      return test;
    });
  }

  /** The cluster's shape from FoundationDB's SimulatorConfig, SimulatedClusterStarted and friends. */
  private fdbConfig(): ConfigSummary {
    const f = this.fdb;
    const cs = f.configString ?? '';
    const words = cs.split(/\s+/);
    const count = (k: string) => {
      const m = new RegExp(`(?:^|\\s)${k}:=(\\d+)`).exec(cs);
      return m ? Number(m[1]) : 0;
    };
    const replication =
      words.find((w) => /^(single|double|triple|three_data_hall|three_datacenter)$/.test(w)) ?? '?';
    const factor: Record<string, number> = { single: 1, double: 2, triple: 3 };
    const machines = f.machines ?? 0;
    return {
      ...UNKNOWN_CONFIG,
      replication,
      replicationFactor: factor[replication] ?? 0,
      datacenters: f.datacenters ?? 0,
      machines,
      processesPerMachine: f.processesPerMachine ?? 0,
      processes: machines * (f.processesPerMachine ?? 0),
      coordinators: f.coordinators ?? 0,
      testers: f.testers ?? 0,
      logs: count('logs'),
      commitProxies: count('commit_proxies'),
      grvProxies: count('grv_proxies'),
      resolvers: count('resolvers'),
      storageEngine: words.find((w) => /^(memory|ssd|ssd-[\w-]+|memory-[\w-]+)$/.test(w)) ?? '?',
      configString: cs,
    };
  }

  /** The report's data, as far as the events go. */
  result(ctx: FoldContext = {}): RunResult {
    const s = this.start;
    const sha = str(s, 'TestFileSHA256');
    const dnf = this.didNotFinish();
    const tests: TestResult[] =
      this.tests.length > 0 || !this.isFoundationDb()
        ? this.tests.map((t) => ({
            ...t.summary,
            workloads: t.workloads.map((w) => ({ ...w.base, invariants: w.inv, metrics: w.met })),
            cluster: t.cluster,
          }))
        : this.fdbTests();
    return {
      faultlineVersion: str(s, 'Version') ?? 'unknown',
      seed: num(s, 'RandomSeed'),
      specPath:
        str(s, 'TestFile') ??
        this.fdb.testFile ??
        /(?:^|\s)-f\s+(\S+)/.exec(str(s, 'CommandLine') ?? '')?.[1] ??
        '?',
      ...(sha !== undefined && sha !== '' ? { specSha256: sha } : {}),
      title: this.title ?? tests[0]?.title ?? str(s, 'TestFile') ?? '?',
      buggify: bool(s, 'BuggifyEnabled'),
      faultInjection: bool(s, 'FaultInjectionEnabled'),
      config: this.config ?? this.fdbConfig(),
      simTime: this.elapsed?.simTime ?? toSeconds(this.lastTime),
      realTime: ctx.realTime ?? Number.NaN,
      tests,
      failures: this.failures,
      failuresDropped: this.failuresDropped,
      chaosEvents: this.chaos,
      chaosEventsDropped: this.chaosDropped,
      notes: this.notes,
      outcome: this.outcome(),
      ...(dnf !== undefined ? { didNotFinish: dnf } : {}),
      unseed: this.elapsed?.unseed ?? -1,
      traceHash: this.hasher.digest(),
      ...(ctx.tracePath !== undefined ? { tracePath: ctx.tracePath } : {}),
      traceLines: this.lines,
      traceCapped: this.capped,
      reproduce: str(s, 'CommandLine') ?? '(not in the trace)',
    };
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The failure-injection record of a `TestSummary`, checked field by field (a trace is untrusted input). */
function injectionOf(d: Readonly<Record<string, DetailValue>>): {
  failureInjection?: FailureInjectionResult;
} {
  const fi = json<Record<string, unknown>>(d, 'FailureInjection');
  if (fi === undefined) return {};
  const { declared, added, excluded, disabled } = fi;
  const ok =
    Array.isArray(declared) &&
    declared.every(isString) &&
    Array.isArray(added) &&
    added.every((a) => isObject(a) && isString(a.name) && isObject(a.options)) &&
    Array.isArray(excluded) &&
    excluded.every((x) => isObject(x) && isString(x.name) && isString(x.reason)) &&
    (disabled === undefined || isString(disabled));
  return ok ? { failureInjection: fi as unknown as FailureInjectionResult } : {};
}
