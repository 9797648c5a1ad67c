// In-memory trace sinks: a collector (tests, the report, determinism diffs) and a fan-out to several sinks.
import { SevError, type Severity, type TraceEvent, type TraceSink } from './event.js';

/** Default most events a collector keeps; the rest are counted in `dropped`. */
export const DEFAULT_MAX_COLLECTED = 1_000_000;

/** Options of a {@link TraceCollector}. */
export interface TraceCollectorOptions {
  /** Keep only events for which this returns true. Default: every event. */
  readonly filter?: (event: TraceEvent) => boolean;
  /** Keep only events at or above this severity (applied before `filter`). Default 0 (all). */
  readonly minSeverity?: Severity;
  /** Most events kept; later ones are counted in `dropped`, never silently lost. Default 1,000,000. */
  readonly maxEvents?: number;
}

/** Keeps emitted events in memory, in emission order. */
export class TraceCollector implements TraceSink {
  private readonly kept: TraceEvent[] = [];
  private readonly filter: ((event: TraceEvent) => boolean) | undefined;
  private readonly minSeverity: number;
  private readonly maxEvents: number;
  private droppedCount = 0;

  constructor(options: TraceCollectorOptions = {}) {
    this.filter = options.filter;
    this.minSeverity = options.minSeverity ?? 0;
    this.maxEvents = options.maxEvents ?? DEFAULT_MAX_COLLECTED;
  }

  emit(event: TraceEvent): void {
    if (event.severity < this.minSeverity) return;
    if (this.filter && !this.filter(event)) return;
    if (this.kept.length >= this.maxEvents) {
      this.droppedCount++;
      return;
    }
    this.kept.push(event);
  }

  /** The kept events, in emission order. */
  get events(): readonly TraceEvent[] {
    return this.kept;
  }

  /** Events that passed the filters but were not kept because `maxEvents` was reached. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The kept events of one type, in emission order. */
  ofType(type: string): TraceEvent[] {
    return this.kept.filter((e) => e.type === type);
  }

  /** The kept Severity-40 events: each one fails the run. */
  errors(): TraceEvent[] {
    return this.kept.filter((e) => e.severity >= SevError);
  }

  /** Forgets every kept event and the dropped count. */
  clear(): void {
    this.kept.length = 0;
    this.droppedCount = 0;
  }
}

/** Sends every event to each of its sinks, in the order they were given. */
export class FanOut implements TraceSink {
  private readonly sinks: TraceSink[];

  constructor(sinks: readonly TraceSink[] = []) {
    this.sinks = [...sinks];
  }

  /** Adds a sink; it receives events emitted from now on. */
  add(sink: TraceSink): void {
    this.sinks.push(sink);
  }

  emit(event: TraceEvent): void {
    for (const sink of this.sinks) sink.emit(event);
  }
}
