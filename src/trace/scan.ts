// Reading a trace file someone handed us: streamed in chunks (memory bounded by the chunk and the longest
// line allowed), malformed lines counted and set aside rather than fatal, and a one-line BadInputError for
// what is not a trace at all (missing, a folder, empty, binary, a line too long to be a trace event).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { BadInputError } from '../core/errors.js';
import type { TraceEvent } from './event.js';
import { parseTraceLine } from './reader.js';

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 20;
/** Longest line accepted, in characters: FoundationDB caps a detail at a few KB, so 1 MiB is no event. */
export const MAX_LINE_CHARS = 1 << 20;
/** Malformed lines quoted by number; the rest are only counted. */
export const MALFORMED_SHOWN = 5;

/** One malformed line: its number and what was wrong. */
export interface MalformedLine {
  readonly line: number;
  readonly message: string;
}

/** What scanning a trace file found besides its events. */
export interface ScanStats {
  readonly file: string;
  /** Non-blank lines read. */
  readonly lines: number;
  /** Events parsed and handed on. */
  readonly events: number;
  /** Lines that were not trace events. */
  readonly malformed: number;
  /** The first {@link MALFORMED_SHOWN} malformed lines. */
  readonly firstMalformed: readonly MalformedLine[];
  /** True when the file does not end with a newline (a run killed mid-write). */
  readonly cutOff: boolean;
}

function openTrace(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
    throw new BadInputError(
      `cannot read the trace: ${why}`,
      { file },
      'give the path of a .jsonl or .xml trace',
    );
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new BadInputError(
      'this is a folder, not a trace file',
      { file },
      'name the trace files inside it, or pass the folder to render on its own',
    );
  }
  return fd;
}

/** True when a chunk looks binary: a NUL byte, or many control bytes. */
function looksBinary(bytes: Uint8Array): boolean {
  let control = 0;
  for (const b of bytes) {
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control > bytes.length / 10;
}

/**
 * Streams the lines of a text file to `onLine` (1-based line numbers, blank lines skipped). Throws a
 * BadInputError for a missing file, a folder, an empty or binary file, or a line over {@link MAX_LINE_CHARS}.
 * Returns whether the file ended without a newline.
 */
export function streamLines(
  file: string,
  onLine: (text: string, lineNo: number) => void,
): { cutOff: boolean } {
  const fd = openTrace(file);
  try {
    const decoder = new StringDecoder('utf8');
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let pending = '';
    let lineNo = 0;
    let total = 0;
    let nonBlank = false;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (total === 0 && n > 0 && looksBinary(chunk.subarray(0, Math.min(n, 4096)))) {
        throw new BadInputError(
          'this is a binary file, not a trace',
          { file },
          'traces are JSON lines or XML text',
        );
      }
      total += n;
      const text = n > 0 ? pending + decoder.write(chunk.subarray(0, n)) : pending + decoder.end();
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        lineNo++;
        const line = text.slice(start, nl);
        start = nl + 1;
        if (line.length > MAX_LINE_CHARS) throw longLine(file, lineNo);
        if (line.trim() !== '') {
          nonBlank = true;
          onLine(line, lineNo);
        }
      }
      pending = text.slice(start);
      if (pending.length > MAX_LINE_CHARS) throw longLine(file, lineNo + 1);
      if (n === 0) break;
    }
    if (pending.trim() !== '') {
      nonBlank = true;
      onLine(pending, lineNo + 1);
    }
    if (!nonBlank) {
      throw new BadInputError(
        'the trace is empty',
        { file },
        'a run that was killed before it started writes no events',
      );
    }
    return { cutOff: pending.trim() !== '' };
  } finally {
    closeSync(fd);
  }
}

function longLine(file: string, line: number): BadInputError {
  return new BadInputError(
    `a line longer than ${MAX_LINE_CHARS} characters: this is not a trace`,
    { file, line },
    'traces are one event per line',
  );
}

/**
 * Reads one JSON-lines trace (ours or FoundationDB's `--trace-format json`), handing each event to
 * `onEvent` as it is parsed. Malformed lines are counted, never fatal.
 */
export function scanJsonTrace(file: string, onEvent: (e: TraceEvent) => void): ScanStats {
  let lines = 0;
  let events = 0;
  let malformed = 0;
  const firstMalformed: MalformedLine[] = [];
  const { cutOff } = streamLines(file, (text, lineNo) => {
    lines++;
    let e: TraceEvent;
    try {
      e = parseTraceLine(text, file, lineNo);
    } catch (err) {
      if (!(err instanceof BadInputError)) throw err;
      malformed++;
      if (firstMalformed.length < MALFORMED_SHOWN)
        firstMalformed.push({ line: lineNo, message: err.message });
      return;
    }
    events++;
    onEvent(e);
  });
  return { file, lines, events, malformed, firstMalformed, cutOff };
}
