// RunResult: everything one run of one spec with one seed produced, as plain JSON-able data. Reporters,
// sweeps and the CLI read only this (and trace events); nothing in it refers to live simulation objects.
import { toSeconds } from '../core/time.js';
import { CHAOS_EVENTS } from '../trace/catalog.js';
import type { TraceEvent } from '../trace/event.js';
import { detailString } from '../trace/writer.js';

/** How a run ended. */
export type RunOutcome = 'passed' | 'failed' | 'did-not-finish';

/** The cluster's shape, as the Simulation Overview shows it. */
export interface ConfigSummary {
  /** `single`, `double` or `triple`. */
  readonly replication: string;
  readonly replicationFactor: number;
  readonly datacenters: number;
  readonly machines: number;
  readonly processesPerMachine: number;
  /** Server processes (machines × processes per machine). */
  readonly processes: number;
  readonly coordinators: number;
  /** Tester processes: the `clientCount` every workload sees. */
  readonly testers: number;
  readonly logs: number;
  readonly commitProxies: number;
  readonly grvProxies: number;
  readonly resolvers: number;
  /** `memory` or `ssd`. */
  readonly storageEngine: string;
  /** FoundationDB's configure string (`new triple ssd logs:=3 ...`). */
  readonly configString: string;
  /** The planted bug switched on for this run, if any. */
  readonly plantedBug?: string;
}

/**
 * Status of one invariant check. `fail` comes with a Severity-40 event and fails the run. `warn`: a check
 * returned false without one (FoundationDB counts the tester failed but not the run). `unmet`: a
 * `sometimes` that never held. Neither `warn` nor `unmet` fails the run.
 */
export type InvariantStatus = 'pass' | 'fail' | 'warn' | 'unmet' | 'skipped';

/** One checked invariant: a workload's check, an assertion, the consistency check, ... */
export interface InvariantResult {
  /** What was checked: `check`, `always: <name>`, `sometimes: <name>`, `consistency check`, ... */
  readonly name: string;
  readonly status: InvariantStatus;
  /** Why it failed (the first failure's reason), or why it was skipped. */
  readonly reason?: string;
  /** The failure's evidence: the details of the first failing event, as strings. */
  readonly evidence?: Readonly<Record<string, string>>;
  /** Simulated seconds of the first failure. */
  readonly time?: number;
  /** How many failures (or evaluations, for assertions) there were in all. */
  readonly count?: number;
}

/** One folded metric of a workload instance. */
export interface MetricResult {
  readonly name: string;
  readonly value: number;
  readonly averaged: boolean;
  /** The value as shown (the workload's format hint applied). */
  readonly formatted: string;
}

/** One `[[test.workload]]` of a test. */
export interface WorkloadResult {
  /** The `testName`. */
  readonly name: string;
  /** 0-based position in the test. */
  readonly index: number;
  readonly kind: 'application' | 'chaos';
  /** Line of the `[[test.workload]]` header. */
  readonly line: number;
  readonly passed: boolean;
  readonly invariants: readonly InvariantResult[];
  readonly metrics: readonly MetricResult[];
  /**
   * True when automatic failure injection added this workload (it is not in the spec; `line` is then
   * the `[[test]]` header's). Absent for workloads the spec declares.
   */
  readonly injected?: boolean;
}

/** One workload automatic failure injection added to a test, with the options drawn for it. */
export interface AddedWorkload {
  /** The `testName`. */
  readonly name: string;
  /** The options drawn for it (every other option keeps its default), by name in sorted order. */
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

/**
 * What automatic failure injection (FoundationDB's addFailureInjection) did to one test: the chaos the
 * spec declared and the chaos it added.
 */
export interface FailureInjectionResult {
  /** The chaos workloads the spec declares for the test, in file order (a name twice when declared twice). */
  readonly declared: readonly string[];
  /** The workloads injection added, in the order added. */
  readonly added: readonly AddedWorkload[];
  /**
   * Why injection could add nothing to this test: `runFailureWorkloads = false`, `useDB = false`, or
   * `vetoed by <workload>`. Absent when injection ran (whether or not it added anything).
   */
  readonly disabled?: string;
  /**
   * Candidates left out and why: `disabledFailureInjectionWorkloads`, `vetoed by <workload>` (a veto of
   * one injector), or `not registered`.
   */
  readonly excluded: readonly { readonly name: string; readonly reason: string }[];
}

/** One `[[test]]`. */
export interface TestResult {
  readonly title: string;
  /** Line of the `[[test]]` header. */
  readonly line: number;
  /** False when the test did not run (an earlier test's clear failed, or the run ended first). */
  readonly ran: boolean;
  readonly passed: boolean;
  /** Simulated seconds when the test began and ended. */
  readonly startTime: number;
  readonly endTime: number;
  readonly timedOut: boolean;
  readonly workloads: readonly WorkloadResult[];
  /** Checks the runner made after the workloads: quiescence, the consistency check, the clear. */
  readonly cluster: readonly InvariantResult[];
  /** The chaos declared in the spec and the chaos failure injection added (absent in older results). */
  readonly failureInjection?: FailureInjectionResult;
}

/** A Severity-40 event, summarized (every one fails the run). */
export interface FailureRecord {
  /** Simulated seconds. */
  readonly time: number;
  readonly type: string;
  readonly machine: string;
  readonly reason: string;
  readonly workload?: string;
  readonly details: Readonly<Record<string, string>>;
}

/** Why a run did not finish. */
export interface DidNotFinish {
  /** The limit hit or the reason the simulation stopped. */
  readonly reason: string;
  /** What was still waiting, and on what. */
  readonly stuck: readonly { readonly name: string; readonly waitingOn: string }[];
  /** How far it got: the test that was running, if any. */
  readonly duringTest?: string;
}

/** Everything one run produced. */
export interface RunResult {
  readonly faultlineVersion: string;
  readonly seed: number;
  /** The spec file as given, or `<default>` for the built-in default spec. */
  readonly specPath: string;
  /** SHA-256 of the spec text, when known. */
  readonly specSha256?: string;
  /** The first test's title (the file's test class name). */
  readonly title: string;
  readonly buggify: boolean;
  readonly faultInjection: boolean;
  readonly config: ConfigSummary;
  /** Simulated seconds the run took. */
  readonly simTime: number;
  /** Wall-clock seconds the run took (as measured by the caller's clock; 0 without one). */
  readonly realTime: number;
  readonly tests: readonly TestResult[];
  /** Every Severity-40 event (up to a limit; `failuresDropped` counts the rest). */
  readonly failures: readonly FailureRecord[];
  readonly failuresDropped: number;
  /** Chaos events (clogs, kills, reboots, recoveries, coordinator changes, disk faults), in order. */
  readonly chaosEvents: readonly TraceEvent[];
  /** Chaos events beyond the kept limit (still in the trace file). */
  readonly chaosEventsDropped: number;
  /** Things the user should know: spec warnings, workloads left out of the default spec, ... */
  readonly notes: readonly string[];
  readonly outcome: RunOutcome;
  readonly didNotFinish?: DidNotFinish;
  /** FoundationDB's RandomUnseed: one more draw at the end; -1 when a workload turned the check off. */
  readonly unseed: number;
  /** Rolling hash of the written trace lines (real-time fields excepted). */
  readonly traceHash: string;
  /** The trace file, when one was written. */
  readonly tracePath?: string;
  readonly traceLines: number;
  /** True when the trace hit its line cap. */
  readonly traceCapped: boolean;
  /** The one command that reproduces this run. */
  readonly reproduce: string;
  /** Simulation events the kernel processed (absent in older results). */
  readonly events?: number;
}

/**
 * Trace event types the report's chaos timeline and summary are built from (FoundationDB's names, and
 * faultline's own for what FoundationDB does not trace), from the catalogue in trace/catalog.ts. The run
 * keeps these in `RunResult.chaosEvents`.
 */
export const CHAOS_EVENT_TYPES: ReadonlySet<string> = new Set(Object.keys(CHAOS_EVENTS));

/** A Severity-40 event as a failure record: its reason is `Reason`, `FailedAssertion` or `Error`, else its type. */
export function failureRecord(e: TraceEvent): FailureRecord {
  const details: Record<string, string> = {};
  for (const k of Object.keys(e.details)) details[k] = detailString(e.details[k]!);
  const reason = details.Reason ?? details.FailedAssertion ?? details.Error ?? e.type;
  return {
    time: toSeconds(e.time),
    type: e.type,
    machine: e.machine,
    reason,
    ...(details.Workload !== undefined ? { workload: details.Workload } : {}),
    details,
  };
}
