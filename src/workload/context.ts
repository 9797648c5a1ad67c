// The WorkloadContext a workload instance is given, and the log of what its invariants reported
// (`fail`, `always`, `sometimes`). The orchestration in run/ builds one context per (workload, client)
// from an explicit environment, so the context itself holds no simulation state of its own.

import type { Database } from '../cluster/client-api.js';
import type { Random } from '../core/random.js';
import { type Details, type DetailValue, SevError, type Severity, SevInfo } from '../trace/event.js';
import type { ChaosSurface } from './chaos-surface.js';
import type { Sideband, WorkloadContext } from './contract.js';

/** Trace fields the writer puts on every line; a workload's detail of that name is renamed `<name>_`. */
const RESERVED_FIELDS: ReadonlySet<string> = new Set(['Severity', 'Time', 'Type', 'Machine', 'ID']);

/** One `ctx.fail` (or failed `always`) as the invariant log keeps it. */
export interface RecordedFailure {
  /** The trace event type (TestFailure unless the workload named another). */
  readonly type: string;
  readonly reason: string;
  readonly details: Details;
  /** Simulated seconds. */
  readonly time: number;
  readonly clientId: number;
  /** The tester address it was traced from. */
  readonly machine: string;
}

/** A `sometimes` or `always` assertion folded over every client of one workload instance. */
export interface RecordedAssertion {
  readonly kind: 'sometimes' | 'always';
  readonly name: string;
  /** Times the assertion was evaluated. */
  evaluations: number;
  /** Times the condition held. */
  hits: number;
  /** First time (simulated seconds) an `always` did not hold. */
  firstFailureTime: number | undefined;
  firstFailureDetails: Details | undefined;
}

/** Most failures kept per workload instance; the rest are counted (each is still traced). */
export const MAX_RECORDED_FAILURES = 100;

/**
 * What one workload instance (all of its clients) reported: its `fail` calls and its assertions, in
 * the order they first happened. One log per workload instance of a test.
 */
export class InvariantLog {
  readonly failures: RecordedFailure[] = [];
  /** Failures beyond {@link MAX_RECORDED_FAILURES}. */
  droppedFailures = 0;
  private readonly assertions = new Map<string, RecordedAssertion>();

  /** Records one failure. */
  recordFailure(f: RecordedFailure): void {
    if (this.failures.length < MAX_RECORDED_FAILURES) this.failures.push(f);
    else this.droppedFailures++;
  }

  /** Counts one evaluation of an assertion; returns its record. */
  evaluate(kind: 'sometimes' | 'always', name: string, held: boolean): RecordedAssertion {
    const key = `${kind}\u0000${name}`;
    let a = this.assertions.get(key);
    if (a === undefined) {
      a = {
        kind,
        name,
        evaluations: 0,
        hits: 0,
        firstFailureTime: undefined,
        firstFailureDetails: undefined,
      };
      this.assertions.set(key, a);
    }
    a.evaluations++;
    if (held) a.hits++;
    return a;
  }

  /** The assertions in the order they were first evaluated. */
  assertionList(): RecordedAssertion[] {
    return [...this.assertions.values()];
  }
}

/** Everything a context is built from. */
export interface ContextEnvironment<O> {
  readonly db: Database;
  readonly clientId: number;
  readonly clientCount: number;
  readonly sharedRandomNumber: number;
  readonly random: Random;
  readonly options: O;
  readonly testTitle: string;
  /** The workload's name (`Workload` detail of its failures). */
  readonly workloadName: string;
  /** The tester's address: every event the workload traces is logged from it. */
  readonly machine: string;
  /** Simulated time, seconds. */
  readonly now: () => number;
  /** Sleeps `seconds` of simulated time (negative or non-finite: no wait). */
  readonly delay: (seconds: number) => Promise<void>;
  /** Emits a trace event at the current simulated time. */
  readonly emit: (severity: Severity, type: string, details: Details, machine: string) => void;
  /** Where this instance's failures and assertions are recorded (shared by its clients). */
  readonly log: InvariantLog;
  readonly chaos: ChaosSurface;
  readonly sideband: Sideband;
  /**
   * False once the instance is torn down (its test ended or timed out): from then on it traces and
   * records nothing, as FoundationDB cancels a finished workload's actors. Default: always true.
   */
  readonly active?: () => boolean;
}

/** Details as given, with reserved trace field names renamed so the trace writer never refuses them. */
export function safeDetails(details: Details | undefined): Record<string, DetailValue> {
  const out: Record<string, DetailValue> = {};
  if (details === undefined) return out;
  for (const key of Object.keys(details)) {
    const v = details[key]!;
    const value: DetailValue =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    out[RESERVED_FIELDS.has(key) ? `${key}_` : key] = value;
  }
  return out;
}

/**
 * Builds the context of one workload instance on one client. `fail` traces a Severity-40 event
 * (`TestFailure` unless `type` names another) with `Workload` and `Reason` and records it; `always`
 * does the same when its condition is false; `sometimes` is only recorded (the run reports the ones
 * that never held).
 */
export function createWorkloadContext<O>(env: ContextEnvironment<O>): WorkloadContext<O> {
  const active = env.active ?? (() => true);
  const fail = (reason: string, details?: Details, type = 'TestFailure'): void => {
    if (!active()) return;
    const rest = safeDetails(details);
    delete rest.Workload;
    delete rest.Reason;
    const all: Record<string, DetailValue> = { Workload: env.workloadName, Reason: reason, ...rest };
    env.emit(SevError, type, all, env.machine);
    env.log.recordFailure({
      type,
      reason,
      details: rest,
      time: env.now(),
      clientId: env.clientId,
      machine: env.machine,
    });
  };
  return {
    db: env.db,
    clientId: env.clientId,
    clientCount: env.clientCount,
    sharedRandomNumber: env.sharedRandomNumber,
    random: env.random,
    options: env.options,
    testTitle: env.testTitle,
    now: env.now,
    delay: env.delay,
    trace(type: string, details?: Details, severity: Severity = SevInfo): void {
      if (!active()) return;
      env.emit(severity, type, safeDetails(details), env.machine);
    },
    fail,
    sometimes(name: string, cond: boolean): void {
      if (!active()) return;
      env.log.evaluate('sometimes', name, Boolean(cond));
    },
    always(name: string, cond: boolean, details?: Details): void {
      if (!active()) return;
      const a = env.log.evaluate('always', name, Boolean(cond));
      if (cond) return;
      if (a.firstFailureTime === undefined) {
        a.firstFailureTime = env.now();
        a.firstFailureDetails = safeDetails(details);
      }
      fail(`always assertion '${name}' failed`, { Assertion: name, ...details });
    },
    chaos: env.chaos,
    sideband: env.sideband,
  };
}
