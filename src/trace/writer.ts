// The JSONL trace writer: FoundationDB's JSON dialect, a rolling hash for determinism checks, a line cap.
// Writing is synchronous on purpose: the simulation never waits on real I/O. A file trace is written
// beside its final name (`NAME.partial`) and renamed into place only when complete, so an earlier
// complete trace of the same seed is never destroyed and a partial one is never taken for complete.
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { assert } from '../core/errors.js';
import { RollingHash } from '../core/hash.js';
import { formatTime } from '../core/time.js';
import {
  type DetailValue,
  NO_ID,
  NO_MACHINE,
  SevDebug,
  SevError,
  type Severity,
  SevVerbose,
  SevWarnAlways,
  TRACE_INTERRUPTED,
  TRACED_TOO_MANY_LINES,
  type TraceEvent,
  type TraceSink,
} from './event.js';
import { ensureFolder, isSpecialFile, writeFailure } from './output-file.js';

/** FoundationDB's `MAX_TRACE_LINES`: the default line cap of one trace file. */
export const DEFAULT_MAX_TRACE_LINES = 1_000_000;

/**
 * Detail names that carry real (wall-clock) time in FoundationDB's traces. faultline writes none of them
 * (its traces are byte-identical for one seed); they stay out of the hash and the determinism comparison
 * so that traces written by an earlier faultline, whose `ElapsedTime` carried `RealTime`, still match.
 */
export const DEFAULT_NONDETERMINISTIC_FIELDS: readonly string[] = ['ActualTime', 'RealTime', 'DateTime'];

/** Flush threshold of the file buffer, in characters (lines are ASCII after escaping, so bytes). */
const DEFAULT_BUFFER_CHARS = 64 * 1024;

/**
 * Field names the writer itself puts on every line; a detail may not reuse them. (`ErrorKind` is not
 * refused: on Severity-40 events the writer moves it to its place, below 40 it is an ordinary detail.)
 */
const RESERVED_FIELDS: ReadonlySet<string> = new Set(['Severity', 'Time', 'Type', 'Machine', 'ID']);

/** Options of a {@link TraceWriter}. Without `path` the lines are kept in memory (see `memory`). */
export interface TraceWriterOptions {
  /** File to write (truncated; its parent folder is created). Absent: no file. */
  readonly path?: string;
  /** Keep every written line in memory (for tests and `render` without a file). Default: true when there is no `path`. */
  readonly memory?: boolean;
  /** Most lines in the output, the final `TracedTooManyLines` included. Default 1,000,000 (FoundationDB's). */
  readonly maxLines?: number;
  /** Keep per-transaction detail: sets the default `minSeverity` to 0 (everything). Default false. */
  readonly verbose?: boolean;
  /**
   * Events below this severity are dropped (not written, not hashed, not counted). Default 5 (`SevDebug`),
   * or 0 with `verbose`: chaos, recoveries, results and failures are logged at 5 and above, and
   * per-transaction detail at `SevVerbose`/`SevSample`, so default files stay small.
   */
  readonly minSeverity?: Severity;
  /** Detail names left out of the hash (real-time fields). Default `ActualTime`, `RealTime`, `DateTime`. */
  readonly nondeterministicFields?: readonly string[];
  /** Flush the file buffer when it holds this many characters. Default 64 KiB. */
  readonly bufferChars?: number;
  /**
   * Receives every event exactly as written (after the severity filter and the line cap, the
   * `TracedTooManyLines` line included), so a live consumer sees what a reader of the file will see.
   */
  readonly downstream?: TraceSink;
}

/** What a finished trace holds. */
export interface TraceSummary {
  /** Events accepted after the severity filter, including those dropped by the line cap. */
  readonly lines: number;
  /** Lines actually in the output (at most `maxLines`, the `TracedTooManyLines` line included). */
  readonly written: number;
  /** Rolling hash (16 hex digits) of every written line minus the non-deterministic fields. */
  readonly hash: string;
  /** True when the line cap was reached and `TracedTooManyLines` was written. */
  readonly capped: boolean;
  /** The file written, or undefined for an in-memory trace. */
  readonly path: string | undefined;
  /** Why the file could not be written (disk full, permission), in a sentence; the file is removed. */
  readonly writeError?: string;
}

/** Suffix of a trace file while it is being written. */
export const PARTIAL_SUFFIX = '.partial';

/** Characters written as themselves: printable ASCII except `"` and `\`. */
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

function hex2(b: number): string {
  return (b < 16 ? '\\x0' : '\\x') + b.toString(16);
}

/**
 * Escapes a string the way FoundationDB's JSON formatter does: `"` and `\` get a backslash, every other
 * byte outside printable ASCII becomes `\xNN` (non-ASCII characters as their UTF-8 bytes). The result is
 * pure ASCII; `\xNN` is FoundationDB's extension to JSON, undone by the reader.
 */
export function escapeTraceString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else if (c < 0x80) out += hex2(c);
    else {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        } else c = 0xfffd;
      } else if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // a lone surrogate has no UTF-8 form
      if (c < 0x800) out += hex2(0xc0 | (c >> 6)) + hex2(0x80 | (c & 0x3f));
      else if (c < 0x10000)
        out += hex2(0xe0 | (c >> 12)) + hex2(0x80 | ((c >> 6) & 0x3f)) + hex2(0x80 | (c & 0x3f));
      else {
        out +=
          hex2(0xf0 | (c >> 18)) +
          hex2(0x80 | ((c >> 12) & 0x3f)) +
          hex2(0x80 | ((c >> 6) & 0x3f)) +
          hex2(0x80 | (c & 0x3f));
      }
    }
  }
  return out;
}

/** A detail value as FoundationDB writes it: numbers via `String()`, booleans as `1`/`0`. */
export function detailString(v: DetailValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

function field(name: string, value: string): string {
  return `"${escapeTraceString(name)}":"${escapeTraceString(value)}"`;
}

/**
 * One event as one JSON line (no newline) in FoundationDB's dialect: `Severity`, `ErrorKind` (severity 40
 * only: the `ErrorKind` detail, else `Unset`), `Time` (seconds, 6 decimals), `Type`, `Machine`, `ID`, then
 * the details in insertion order; every value a string. Details named in `omit` are left out (used to
 * build the hash input without the real-time fields).
 */
export function formatTraceLine(event: TraceEvent, omit?: ReadonlySet<string>): string {
  const d = event.details;
  let line = `{"Severity":"${event.severity}"`;
  const isError = event.severity >= SevError;
  if (isError) {
    const kind = d.ErrorKind;
    line += `,${field('ErrorKind', kind === undefined ? 'Unset' : detailString(kind))}`;
  }
  line += `,"Time":"${formatTime(event.time)}",${field('Type', event.type)},${field('Machine', event.machine)},${field('ID', event.id)}`;
  for (const key in d) {
    if (isError && key === 'ErrorKind') continue;
    if (omit?.has(key)) continue;
    assert(
      !RESERVED_FIELDS.has(key),
      () => `trace event ${event.type} has a detail named ${key}, a reserved field`,
    );
    line += `,${field(key, detailString(d[key]!))}`;
  }
  return `${line}}`;
}

/**
 * Writes trace events as JSON Lines, hashing each written line for the determinism check. A `TraceSink`,
 * so the simulation emits into it directly; `finish()` flushes, closes and reports.
 */
export class TraceWriter implements TraceSink {
  /** Events below this severity are dropped. */
  readonly minSeverity: Severity;
  /** Most lines in the output. */
  readonly maxLines: number;
  private readonly path: string | undefined;
  private fd: number | undefined;
  /** The file being written: NAME.partial, renamed to NAME when complete, or NAME itself for a device. */
  private working = '';
  private failure: string | undefined;
  private lastTime = 0;
  private readonly kept: string[] | undefined;
  private readonly omit: ReadonlySet<string>;
  private readonly bufferChars: number;
  private readonly downstream: TraceSink | undefined;
  private readonly hasher = new RollingHash();
  private buffer: string[] = [];
  private bufferedChars = 0;
  private accepted = 0;
  private writtenLines = 0;
  private cappedAt = false;
  private closed = false;

  constructor(options: TraceWriterOptions = {}) {
    this.minSeverity = options.minSeverity ?? (options.verbose ? SevVerbose : SevDebug);
    this.maxLines = options.maxLines ?? DEFAULT_MAX_TRACE_LINES;
    assert(
      Number.isInteger(this.maxLines) && this.maxLines >= 1,
      `trace maxLines must be >= 1, got ${this.maxLines}`,
    );
    this.bufferChars = options.bufferChars ?? DEFAULT_BUFFER_CHARS;
    this.downstream = options.downstream;
    this.omit = new Set(options.nondeterministicFields ?? DEFAULT_NONDETERMINISTIC_FIELDS);
    this.path = options.path;
    if (options.path !== undefined) {
      ensureFolder(path.dirname(options.path));
      // A device (a trace sent to /dev/null) is written in place; renaming over it would replace it.
      this.working = isSpecialFile(options.path) ? options.path : options.path + PARTIAL_SUFFIX;
      this.fd = openSync(this.working, 'w');
    }
    if (options.memory ?? options.path === undefined) this.kept = [];
  }

  /** Writes one event (unless filtered by severity or past the cap). */
  emit(event: TraceEvent): void {
    assert(!this.closed, () => `trace event ${event.type} emitted after the trace was closed`);
    if (event.severity < this.minSeverity) return;
    this.accepted++;
    if (this.cappedAt) return;
    if (this.writtenLines === this.maxLines - 1) {
      // The last line the cap allows says why the trace ends here, as FoundationDB does.
      this.cappedAt = true;
      this.write({
        severity: SevError,
        time: event.time,
        type: TRACED_TOO_MANY_LINES,
        machine: NO_MACHINE,
        id: NO_ID,
        details: { MaxLines: this.maxLines },
      });
      return;
    }
    this.write(event);
  }

  /** True once the line cap was reached. */
  get capped(): boolean {
    return this.cappedAt;
  }

  /** Lines written so far. */
  get written(): number {
    return this.writtenLines;
  }

  /** The rolling hash of the lines written so far (16 hex digits). */
  get hash(): string {
    return this.hasher.digest();
  }

  /** The lines kept in memory (without newlines); empty when the writer keeps none. */
  lines(): readonly string[] {
    return this.kept ?? [];
  }

  /**
   * Writes buffered lines to the file now. A write error (disk full, permission) never reaches the
   * simulation: the partial file is removed, the error kept for `finish()`, and the run goes on in memory.
   */
  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const bytes = Buffer.from(this.buffer.join(''), 'utf8');
    this.buffer = [];
    this.bufferedChars = 0;
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    } catch (e) {
      this.abandonFile(e);
    }
  }

  /** Why the file could not be written, once a write failed; else undefined. */
  get writeError(): string | undefined {
    return this.failure;
  }

  /** Flushes, closes and renames the file into place. Idempotent; no event may be emitted afterwards. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd === undefined || this.path === undefined) return;
    try {
      closeSync(this.fd);
      this.fd = undefined;
      if (this.working !== this.path) renameSync(this.working, this.path);
    } catch (e) {
      this.abandonFile(e);
    }
  }

  /**
   * Ends an interrupted trace: a last `TraceInterrupted` event naming `signal`, flushed and closed, and the
   * file left under its `.partial` name. Returns that name (undefined for an in-memory trace).
   */
  interrupt(signal: string): string | undefined {
    if (this.closed) return undefined;
    this.write({
      severity: SevWarnAlways,
      time: this.lastTime,
      type: TRACE_INTERRUPTED,
      machine: NO_MACHINE,
      id: NO_ID,
      details: { Signal: signal, Lines: this.writtenLines },
    });
    this.flush();
    this.closed = true;
    if (this.fd === undefined || this.path === undefined) return undefined;
    closeSync(this.fd);
    this.fd = undefined;
    return this.working;
  }

  private abandonFile(e: unknown): void {
    this.failure = `cannot write the trace file ${this.path}: ${writeFailure(e)}`;
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // The descriptor is gone either way.
      }
    }
    this.fd = undefined;
    this.buffer = [];
    this.bufferedChars = 0;
    try {
      if (this.path !== undefined && this.working !== this.path) unlinkSync(this.working);
    } catch {
      // Nothing left to remove.
    }
  }

  /** Closes the trace and reports what it holds. */
  finish(): TraceSummary {
    this.close();
    return {
      lines: this.accepted,
      written: this.writtenLines,
      hash: this.hasher.digest(),
      capped: this.cappedAt,
      path: this.path,
      ...(this.failure !== undefined ? { writeError: this.failure } : {}),
    };
  }

  private write(event: TraceEvent): void {
    const line = formatTraceLine(event);
    let hashed = line;
    for (const key in event.details) {
      if (this.omit.has(key)) {
        hashed = formatTraceLine(event, this.omit);
        break;
      }
    }
    this.hasher.update(hashed);
    this.writtenLines++;
    this.lastTime = event.time;
    this.kept?.push(line);
    this.downstream?.emit(event);
    if (this.fd !== undefined) {
      this.buffer.push(line, '\n');
      this.bufferedChars += line.length + 1;
      if (this.bufferedChars >= this.bufferChars) this.flush();
    }
  }
}
