// The trace event model: what every layer emits and every reporter reads, in FoundationDB's dialect.
import type { Time } from '../core/time.js';

/** FoundationDB severities: 0 Verbose, 1 Sample, 5 Debug, 10 Info, 20 Warn, 30 WarnAlways, 40 Error. */
export type Severity = 0 | 1 | 5 | 10 | 20 | 30 | 40;

export const SevVerbose: Severity = 0;
export const SevSample: Severity = 1;
export const SevDebug: Severity = 5;
export const SevInfo: Severity = 10;
export const SevWarn: Severity = 20;
export const SevWarnAlways: Severity = 30;
export const SevError: Severity = 40;

/** Every severity, ascending. */
export const SEVERITIES: readonly Severity[] = [0, 1, 5, 10, 20, 30, 40];

/** True when `n` is one of FoundationDB's severities (used when reading traces back). */
export function isSeverity(n: number): n is Severity {
  return (SEVERITIES as readonly number[]).includes(n);
}

/** A detail value; written as a string in the file, as FoundationDB writes every value. */
export type DetailValue = string | number | boolean;

/** Event details in insertion order (kept as written; objects preserve string-key insertion order). */
export type Details = Readonly<Record<string, DetailValue>>;

/** One trace event. `time` is simulated microseconds; `machine` is the `ip:port` in whose context it was logged. */
export interface TraceEvent {
  readonly severity: Severity;
  readonly time: Time;
  readonly type: string;
  readonly machine: string;
  readonly id: string;
  readonly details: Details;
}

/** Anything that accepts events: the JSONL writer, an in-memory collector, a fan-out. */
export interface TraceSink {
  emit(event: TraceEvent): void;
}

/** The machine name used for events logged outside any simulated process (FoundationDB's startup events). */
export const NO_MACHINE = '0.0.0.0:0';
/** The id used when an event has no emitting object. */
export const NO_ID = '0000000000000000';

/**
 * The Severity-40 event the trace writer logs once when its line cap is reached (FoundationDB's
 * `MAX_TRACE_LINES` behaviour); it fails the run like any other Severity-40 event.
 */
export const TRACED_TOO_MANY_LINES = 'TracedTooManyLines';

/** faultline's last event of a trace whose run was interrupted (SIGINT, SIGTERM): the file is partial. */
export const TRACE_INTERRUPTED = 'TraceInterrupted';
