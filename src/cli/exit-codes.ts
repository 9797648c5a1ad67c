// The one place errors and outcomes become exit codes (architecture.md): 0 passed, 1 a test failed,
// 2 bad input, 3 did not finish, 4 determinism mismatch, 70 internal error (a bug in faultline), 74 an
// output file could not be written (disk full, permission), 130 / 143 interrupted by SIGINT / SIGTERM.
import { BadInputError, FaultlineError } from '../core/errors.js';
import type { RunOutcome } from '../run/result.js';

/** faultline's exit codes. */
export const EXIT = {
  passed: 0,
  failed: 1,
  badInput: 2,
  didNotFinish: 3,
  determinism: 4,
  internal: 70,
  /** An output file (trace, report) could not be written: sysexits' EX_IOERR. */
  output: 74,
} as const;

/** The exit code of a run that ended with `outcome`. */
export function exitCodeForOutcome(outcome: RunOutcome): number {
  if (outcome === 'passed') return EXIT.passed;
  if (outcome === 'failed') return EXIT.failed;
  return EXIT.didNotFinish;
}

/** The exit code of an error that escaped a command. Anything not faultline's own is an internal error. */
export function exitCodeForError(e: unknown): number {
  if (!(e instanceof FaultlineError)) return EXIT.internal;
  switch (e.code) {
    case 'bad-input':
      return EXIT.badInput;
    case 'did-not-finish':
      return EXIT.didNotFinish;
    case 'determinism':
      return EXIT.determinism;
    case 'internal':
      return EXIT.internal;
  }
}

/**
 * What to print for an error: bad input is one line (`file:line: key: message (hint)`, no stack);
 * anything else says it is a bug in faultline and carries the stack.
 */
export function describeError(e: unknown): string {
  if (e instanceof BadInputError) return `error: ${e.format()}`;
  if (e instanceof FaultlineError && e.code !== 'internal') return `error: ${e.message}`;
  const stack = e instanceof Error && e.stack ? e.stack : String(e);
  return `internal error (a bug in faultline; please report it with the command that ran):\n${stack}`;
}
