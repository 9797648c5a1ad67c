// Output files faultline writes (traces, reports): creating their folder without Node's recursive mkdir,
// which spins forever under /proc, and saying in a sentence why a write failed.
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BadInputError, fileErrorReason } from '../core/errors.js';

/** Why writing a file failed, in words (see fileErrorReason). */
export function writeFailure(e: unknown): string {
  return fileErrorReason(e, 'writing');
}

/**
 * Creates `folder` and its missing parents one level at a time. A folder that cannot be created is a
 * BadInputError naming it with the reason in words.
 */
export function ensureFolder(folder: string): void {
  const missing: string[] = [];
  let at = path.resolve(folder);
  for (;;) {
    try {
      if (statSync(at).isDirectory()) break;
      throw new BadInputError(`cannot create the folder: ${at} is a file`, { file: folder });
    } catch (e) {
      if (e instanceof BadInputError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw folderError(folder, e);
    }
    missing.push(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw folderError(folder, e);
    }
  }
}

function folderError(folder: string, e: unknown): BadInputError {
  return new BadInputError(
    `cannot create the folder: ${writeFailure(e)}`,
    { file: folder },
    'choose another folder',
  );
}

/** Writes `text` to `file`; a failure is a BadInputError naming the file, the reason in words, and `hint`. */
export function writeOutputFile(file: string, text: string, hint: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new BadInputError(`cannot write: ${writeFailure(e)}`, { file }, hint);
  }
}

/**
 * Whether `file` exists and is not a regular file or folder: a device such as /dev/null, a FIFO or a
 * socket. Such a destination is written in place: writing beside it and renaming over it would replace
 * the device with a plain file.
 */
export function isSpecialFile(file: string): boolean {
  try {
    const st = statSync(file);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

/** Writes `text` to `file` whole: through a temporary file and a rename, or in place for a device. */
export function writeWhole(file: string, text: string): void {
  if (isSpecialFile(file)) return writeFileSync(file, text);
  ensureFolder(path.dirname(path.resolve(file)));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
