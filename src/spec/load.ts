// Reading a spec file from disk: the parsed spec plus a content hash, so a run can be reproduced exactly.
// spec/ runs before any simulation, so synchronous file I/O is fine here.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../core/errors.js';
import { parseSpec } from './parse.js';
import type { TestSpec } from './types.js';

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
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(e));
    throw new BadInputError(`cannot read spec file: ${why}`, { file });
  }
  const text = bytes.toString('utf8');
  return { spec: parseSpec(text, file), text, sha256: createHash('sha256').update(bytes).digest('hex') };
}
