// Reading trace files someone handed us: streamed in chunks (memory bounded by the chunk and the longest
// line allowed), malformed lines counted and set aside rather than fatal, and a one-line BadInputError for
// what is not a trace at all (missing, a folder, empty, binary, a line too long to be a trace event).
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { BadInputError, fileErrorReason } from '../core/errors.js';
import type { TraceEvent } from './event.js';
import { parseTraceLine } from './reader.js';
import { createXmlLineParser } from './xml-line.js';

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
    throw new BadInputError(
      `cannot read the trace: ${fileErrorReason(e, 'reading')}`,
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

/** Whether the stream ended without a newline; set once the lines are exhausted. */
interface LineState {
  cutOff: boolean;
}

/**
 * The lines of a text file, streamed (1-based line numbers, blank lines skipped). Throws a BadInputError
 * for a missing file, a folder, an empty or binary file, or a line over {@link MAX_LINE_CHARS}.
 */
function* lines(file: string, state: LineState): Generator<[string, number], void, undefined> {
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
          yield [line, lineNo];
        }
      }
      pending = text.slice(start);
      if (pending.length > MAX_LINE_CHARS) throw longLine(file, lineNo + 1);
      if (n === 0) break;
    }
    if (pending.trim() !== '') {
      nonBlank = true;
      state.cutOff = true;
      yield [pending, lineNo + 1];
    }
    if (!nonBlank) {
      throw new BadInputError(
        'the trace is empty',
        { file },
        'a run that was killed before it started writes no events',
      );
    }
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

/** One trace file being read: its events one at a time, in file order, malformed lines counted. */
class TraceFileReader {
  readonly state: LineState = { cutOff: false };
  private readonly source: Generator<[string, number], void, undefined>;
  private parse: ((text: string, file: string, lineNo: number) => TraceEvent | undefined) | undefined;
  private xml = false;
  private closed = false;
  lines = 0;
  events = 0;
  malformed = 0;
  readonly firstMalformed: MalformedLine[] = [];

  constructor(readonly file: string) {
    this.source = lines(file, this.state);
  }

  /** The next event, or undefined at the end of the file. */
  next(): TraceEvent | undefined {
    for (;;) {
      const r = this.source.next();
      if (r.done) return undefined;
      const [text, lineNo] = r.value;
      this.lines++;
      if (this.parse === undefined) {
        // The first line decides the dialect: XML (FoundationDB's default) or JSON lines.
        this.xml = text.trimStart().startsWith('<');
        this.parse = this.xml ? createXmlLineParser() : parseTraceLine;
      }
      if (this.xml && /^\s*<\/Trace\s*>\s*$/.test(text)) this.closed = true;
      try {
        const e = this.parse(text, this.file, lineNo);
        if (e === undefined) continue;
        this.events++;
        return e;
      } catch (err) {
        if (!(err instanceof BadInputError)) throw err;
        this.malformed++;
        if (this.firstMalformed.length < MALFORMED_SHOWN) {
          this.firstMalformed.push({ line: lineNo, message: err.message });
        }
      }
    }
  }

  stats(): ScanStats {
    return {
      file: this.file,
      lines: this.lines,
      events: this.events,
      malformed: this.malformed,
      firstMalformed: this.firstMalformed,
      // An XML trace is complete only with its closing </Trace>.
      cutOff: this.state.cutOff || (this.xml && !this.closed),
    };
  }
}

/**
 * Reads one or more trace files (ours, FoundationDB's JSON or XML), merged by simulated time (ties keep
 * the order of `files`), handing each event to `onEvent`. FoundationDB rolls a run's trace over several
 * files; each file is read in time order, so only one event per file is held at once.
 */
export function scanTraces(files: readonly string[], onEvent: (e: TraceEvent) => void): ScanStats[] {
  const readers = files.map((f) => new TraceFileReader(f));
  const heads = readers.map((r) => r.next());
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h !== undefined && (best < 0 || h.time < heads[best]!.time)) best = i;
    }
    if (best < 0) break;
    onEvent(heads[best]!);
    heads[best] = readers[best]!.next();
  }
  return readers.map((r) => r.stats());
}

/** The trace files a path names: the file itself, or a folder's `.json`, `.jsonl` and `.xml` files by name. */
export function traceFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // Missing files are reported when they are opened.
    }
    if (!isDir) {
      out.push(p);
      continue;
    }
    const inside = readdirSync(p)
      .filter((n) => /\.(jsonl?|xml)$/i.test(n))
      .sort()
      .map((n) => path.join(p, n));
    if (inside.length === 0) {
      throw new BadInputError(
        'this folder holds no trace files (.jsonl, .json or .xml)',
        { file: p },
        'name a trace file, or a folder of FoundationDB trace files',
      );
    }
    out.push(...inside);
  }
  return out;
}
