// The trace reader: our JSONL traces and FoundationDB's JSON traces (`--trace-format json`) back into events.
// Reading a trace file is outside any simulation, so plain synchronous file I/O is fine here.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { BadInputError } from '../core/errors.js';
import { MICROS_PER_SECOND, type Time } from '../core/time.js';
import { type DetailValue, isSeverity, NO_ID, NO_MACHINE, type Severity, type TraceEvent } from './event.js';

/** Bytes read from the file at a time. */
const READ_CHUNK = 1 << 20;

/** A backslash escape: `\xNN` (FoundationDB's extension) or any other escape, consumed as a pair. */
const ESCAPE = /\\(?:x([0-9a-fA-F]{2})|[\s\S])/g;
const HIGH_LATIN1 = /[\x80-\xff]/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a trace `Time` (seconds, normally with 6 decimals) into integer microseconds, exactly: the
 * decimal digits are read as digits, not through a float.
 */
export function parseTraceTime(s: string): Time | undefined {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(s.trim());
  if (m) {
    const frac = (m[3] ?? '').padEnd(7, '0');
    let micros = Number(m[2]) * MICROS_PER_SECOND + Number(frac.slice(0, 6));
    if (frac.charCodeAt(6) >= 0x35) micros += 1; // round half up on the 7th decimal
    return m[1] === '-' ? -micros : micros;
  }
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? Math.round(n * MICROS_PER_SECOND) : undefined;
}

/**
 * `\xNN` escapes name bytes; runs of high bytes are UTF-8 when they decode as such (what our writer
 * produces) and otherwise stay one character per byte (FoundationDB's binary keys).
 */
function redecode(s: string): string {
  if (!HIGH_LATIN1.test(s)) return s;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return s;
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  try {
    return UTF8.decode(bytes);
  } catch {
    return s;
  }
}

function bad(file: string, line: number, message: string, hint?: string): BadInputError {
  return new BadInputError(message, { file, line }, hint);
}

/**
 * Parses one trace line (our dialect or FoundationDB's) into an event. `Severity` becomes a number,
 * `Time` microseconds; every field other than `Severity`, `Time`, `Type`, `Machine` and `ID` (including
 * `ErrorKind`, `DateTime`, `ThreadID`, ...) becomes a detail, in file order. Throws a BadInputError naming
 * `file` and `lineNo` when the line is not a trace event.
 */
export function parseTraceLine(text: string, file: string, lineNo: number): TraceEvent {
  let src = text.trim();
  if (src.startsWith('<')) {
    throw bad(
      file,
      lineNo,
      'this is an XML trace; only JSON traces can be read',
      'run fdbserver with --trace-format json',
    );
  }
  let hadEscapes = false;
  if (src.includes('\\x')) {
    hadEscapes = true;
    src = src.replace(ESCAPE, (all, hex: string | undefined) => (hex === undefined ? all : `\\u00${hex}`));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(src);
  } catch (e) {
    throw bad(file, lineNo, `malformed trace line: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw bad(file, lineNo, 'malformed trace line: expected one JSON object per line');
  }
  return eventFromFields(
    raw as Record<string, unknown>,
    hadEscapes ? redecode : (x: string) => x,
    file,
    lineNo,
  );
}

/**
 * A trace event from its fields as read (JSON members or XML attributes): `Severity` becomes a number,
 * `Time` microseconds, `Type`, `Machine` and `ID` their own fields, everything else a detail in order.
 * `fix` undoes an escape layer on keys and string values. Throws a BadInputError when it is not an event.
 */
export function eventFromFields(
  raw: Readonly<Record<string, unknown>>,
  fix: (s: string) => string,
  file: string,
  lineNo: number,
): TraceEvent {
  let severity: Severity | undefined;
  let time: Time | undefined;
  let type: string | undefined;
  let machine = NO_MACHINE;
  let id = NO_ID;
  const details: [string, DetailValue][] = [];
  for (const [rawKey, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = fix(rawKey);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw bad(file, lineNo, `malformed trace line: field ${key} is not a string`);
    }
    const value = typeof v === 'string' ? fix(v) : v;
    switch (key) {
      case 'Severity': {
        const n =
          typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : Number.NaN;
        if (!isSeverity(n)) {
          throw bad(
            file,
            lineNo,
            `malformed trace line: Severity ${JSON.stringify(value)} is not 0, 1, 5, 10, 20, 30 or 40`,
          );
        }
        severity = n;
        break;
      }
      case 'Time': {
        time =
          typeof value === 'number' ? Math.round(value * MICROS_PER_SECOND) : parseTraceTime(String(value));
        if (time === undefined)
          throw bad(file, lineNo, `malformed trace line: Time ${JSON.stringify(value)} is not in seconds`);
        break;
      }
      case 'Type':
        type = String(value);
        break;
      case 'Machine':
        machine = String(value);
        break;
      case 'ID':
        id = String(value);
        break;
      default:
        details.push([key, value]);
    }
  }
  if (severity === undefined || time === undefined || type === undefined) {
    const missing = [
      severity === undefined && 'Severity',
      time === undefined && 'Time',
      type === undefined && 'Type',
    ]
      .filter(Boolean)
      .join(', ');
    throw bad(file, lineNo, `malformed trace line: missing ${missing}`);
  }
  // fromEntries defines each key as an own property, so even a detail named __proto__ stays data.
  return { severity, time, type, machine, id, details: Object.fromEntries(details) };
}

/** Parses a whole trace text (blank lines skipped). `file` names the source in errors. */
export function parseTraceText(text: string, file: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() !== '') events.push(parseTraceLine(line, file, i + 1));
  }
  return events;
}

/**
 * The events of a trace file, one at a time, reading the file in 1 MiB chunks (FoundationDB traces run
 * to gigabytes). A missing or unreadable file or a malformed line is a BadInputError naming the file and line.
 */
export function* iterateTrace(path: string): Generator<TraceEvent, void, undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new BadInputError(`cannot read trace file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      file: path,
    });
  }
  try {
    const decoder = new StringDecoder('utf8');
    const chunk = Buffer.alloc(READ_CHUNK);
    let pending = '';
    let lineNo = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      const text = n > 0 ? pending + decoder.write(chunk.subarray(0, n)) : pending + decoder.end();
      const lines = text.split('\n');
      pending = n > 0 ? lines.pop()! : '';
      for (const line of lines) {
        lineNo++;
        if (line.trim() !== '') yield parseTraceLine(line, path, lineNo);
      }
      if (n === 0) break;
    }
  } finally {
    closeSync(fd);
  }
}

/** Every event of a trace file, in file order. See {@link iterateTrace}. */
export function readTrace(path: string): TraceEvent[] {
  return [...iterateTrace(path)];
}
