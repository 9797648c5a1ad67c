// Output files faultline writes (traces, reports): creating their folder without Node's recursive mkdir,
// which spins forever under /proc, and saying in a sentence why a write failed.
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../core/errors.js';

/** What an errno code means for someone writing a file, in a few words. */
export function writeFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder (ENOTDIR)';
    case 'EEXIST':
      return 'a file of that name is in the way (EEXIST)';
    case 'ENOENT':
      return 'the folder cannot be created there (ENOENT)';
    case 'EISDIR':
      return 'a folder of that name is in the way (EISDIR)';
    default:
      return code ? `the system refused (${code})` : String(e);
  }
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
