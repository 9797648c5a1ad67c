// Typed errors with codes. The CLI maps codes to exit codes in one place; nothing else inspects messages.

/** What kind of failure an error reports; each maps to one exit code in `cli/`. */
export type ErrorCode =
  | 'bad-input' // spec, options, flags, plugin: the user can fix it (exit 2)
  | 'did-not-finish' // the simulation could not make progress or hit a limit (exit 3)
  | 'determinism' // two runs of one seed disagreed (exit 4)
  | 'internal'; // a bug in faultline itself (exit 70)

/** Where in a user's file a problem is, for errors that name file, line and key. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly key?: string;
}

/** Base class of faultline's own errors. */
export class FaultlineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'FaultlineError';
    this.code = code;
  }
}

/** A user mistake in a spec, an option, a flag or a plugin. `hint` suggests the fix. */
export class BadInputError extends FaultlineError {
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;
  constructor(message: string, location?: SourceLocation, hint?: string) {
    super('bad-input', message);
    this.name = 'BadInputError';
    this.location = location;
    this.hint = hint;
  }

  /** One line: `file:line: key: message (hint)`. */
  format(): string {
    const loc = this.location;
    const where = loc ? `${loc.file}${loc.line !== undefined ? `:${loc.line}` : ''}: ` : '';
    const key = loc?.key ? `${loc.key}: ` : '';
    return `${where}${key}${this.message}${this.hint ? ` (${this.hint})` : ''}`;
  }
}

/** A failed internal assertion: a bug in faultline, never a user mistake or a system-under-test failure. */
export class InternalError extends FaultlineError {
  constructor(message: string) {
    super('internal', message);
    this.name = 'InternalError';
  }
}

/** Throws an InternalError when `cond` is false. For faultline's own invariants only (see house style 5). */
export function assert(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new InternalError(typeof message === 'function' ? message() : message);
}

/** Levenshtein distance, for did-you-mean suggestions. */
function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + cost);
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `word` if it is close enough to be a plausible typo, else undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist || (d === bestDist && best !== undefined && c < best)) {
      best = c;
      bestDist = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDist <= limit ? best : undefined;
}

/**
 * Why a file operation failed, in words a user reads (the errno name kept in brackets where it helps a
 * search). `reading` words ENOENT as a missing file; writing words it as a folder that cannot be made.
 */
export function fileErrorReason(e: unknown, doing: 'reading' | 'writing'): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return doing === 'reading' ? 'no such file' : 'the folder cannot be created there (ENOENT)';
    case 'EISDIR':
      return doing === 'reading' ? 'it is a folder' : 'a folder of that name is in the way (EISDIR)';
    case 'EACCES':
    case 'EPERM':
      return doing === 'reading' ? 'permission denied' : `permission denied (${code})`;
    case 'ENOTDIR':
      return doing === 'reading'
        ? 'a part of the path is not a folder'
        : 'a part of the path is a file, not a folder (ENOTDIR)';
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)';
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'EEXIST':
      return 'a file of that name is in the way (EEXIST)';
    default:
      return code ? `the system refused (${code})` : String(e);
  }
}
