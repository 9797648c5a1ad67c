// Colours of the terminal report: the one file that imports chalk. Colour is off for NO_COLOR, for
// output that is not a terminal, and whenever the caller says so; FORCE_COLOR turns it on.
import { Chalk, type ChalkInstance } from 'chalk';
import type { InvariantStatus, RunOutcome } from '../run/result.js';

/** The text styles the report uses. Without colour each returns its input unchanged. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  heading(s: string): string;
  good(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  /** A status word (PASS, FAIL, ...) in its colour. */
  status(status: InvariantStatus): string;
  /** A verdict headline in its outcome's colour. */
  verdict(outcome: RunOutcome, s: string): string;
}

/**
 * Whether to colour output: never with NO_COLOR (any non-empty value), always with FORCE_COLOR (other
 * than `0`), otherwise only on a terminal.
 */
export function colorEnabled(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return isTTY;
}

const STATUS_WORDS: Readonly<Record<InvariantStatus, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  unmet: 'UNMET',
  skipped: 'SKIPPED',
};

/** The styles, coloured or plain. */
export function createStyle(color: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  return {
    bold: (s) => c.bold(s),
    dim: (s) => c.dim(s),
    heading: (s) => c.bold.underline(s),
    good: (s) => c.green(s),
    bad: (s) => c.red(s),
    warn: (s) => c.yellow(s),
    status(status) {
      const word = STATUS_WORDS[status];
      if (status === 'pass') return c.green(word);
      if (status === 'fail') return c.red.bold(word);
      if (status === 'skipped') return c.dim(word);
      return c.yellow(word);
    },
    verdict(outcome, s) {
      if (outcome === 'passed') return c.green.bold(s);
      if (outcome === 'failed') return c.red.bold(s);
      return c.yellow.bold(s);
    },
  };
}

/** The status word of an invariant, uncoloured (for JSON and plain text). */
export function statusWord(status: InvariantStatus): string {
  return STATUS_WORDS[status];
}
