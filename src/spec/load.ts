// Reading a spec file from disk: the parsed spec plus a content hash, so a run can be reproduced exactly.
// spec/ runs before any simulation, so synchronous file I/O is fine here.
import { createHash } from 'node:crypto';
import { readFileSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError, fileErrorReason } from '../core/errors.js';
import { parseSpec } from './parse.js';
import type { TestSpec } from './types.js';

/** Largest spec file read, in bytes (FoundationDB's own specs are a few kilobytes). */
export const MAX_SPEC_BYTES = 1024 * 1024;

/** A spec read from a file. */
export interface LoadedSpec {
  readonly spec: TestSpec;
  /** The file's text, as read. */
  readonly text: string;
  /** SHA-256 of the file's bytes, 64 lowercase hex digits (recorded in the trace's first event). */
  readonly sha256: string;
}

/**
 * Reads and parses a `.toml` spec. A missing file, another extension (FoundationDB's legacy `.txt`
 * format included) or any spec error is a BadInputError naming `file`.
 */
export function loadSpecFile(file: string): LoadedSpec {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.toml') {
    throw new BadInputError(
      ext === '.txt'
        ? "FoundationDB's legacy .txt spec format is not supported"
        : 'a spec file must end in .toml',
      { file },
      ext === '.txt' ? 'convert it to TOML: [[test]] tables with [[test.workload]] tables' : undefined,
    );
  }
  const bytes = readSpecBytes(file);
  const text = decodeSpecText(bytes, file);
  return { spec: parseSpec(text, file), text, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** What kind of non-regular file `st` is, in words. */
function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The spec's bytes: regular files only (a FIFO or /dev/zero would block or read forever) and at most
 * MAX_SPEC_BYTES. The file is checked with stat before it is opened, so a pipe is never opened.
 */
function readSpecBytes(file: string): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new BadInputError(`cannot read spec file: it is ${fileKind(st)}`, { file });
    size = st.size;
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(`cannot read spec file: ${fileErrorReason(e, 'reading')}`, { file });
  }
  if (size > MAX_SPEC_BYTES) throw tooLarge(file, size);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new BadInputError(`cannot read spec file: ${fileErrorReason(e, 'reading')}`, { file });
  }
  if (bytes.length > MAX_SPEC_BYTES) throw tooLarge(file, bytes.length);
  return bytes;
}

function tooLarge(file: string, size: number): BadInputError {
  return new BadInputError(
    `spec file is ${size} bytes, more than the ${MAX_SPEC_BYTES}-byte limit`,
    { file },
    'a test spec is a short TOML file; is this the right file?',
  );
}

/**
 * UTF-8 text of a spec, without a leading byte-order mark (valid TOML). Binary data (a NUL byte or
 * invalid UTF-8) is rejected up front, so nothing of it is echoed to the terminal.
 */
function decodeSpecText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    if (nul >= 0) throw new Error('NUL byte');
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = nul >= 0 ? nul : firstInvalidUtf8(bytes);
    throw new BadInputError(
      `spec file is not UTF-8 text (binary data at byte ${at})`,
      { file, line: lineOfByte(bytes, at) },
      'a spec is a TOML text file',
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  // The shortest prefix that fails to decode ends at the first bad byte. Streaming mode holds back an
  // incomplete sequence at the end of a prefix instead of failing on it.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

function lineOfByte(bytes: Buffer, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < bytes.length; i++) if (bytes[i] === 10) line++;
  return line;
}
