// The one command that reproduces a run: the spec, the seed, and every flag that changes what runs.

/** What a reproduce command is made of. */
export interface ReproduceParts {
  /** The spec file as the user named it; undefined for the built-in default spec. */
  readonly specPath: string | undefined;
  readonly seed: number;
  /** The command line's BUGGIFY flag, if it was given (a spec's `buggify` key needs no flag). */
  readonly buggifyFlag?: boolean;
  /** Command-line knob overrides, as `NAME=VALUE`. */
  readonly knobs?: readonly string[];
  /** Plugin files given on the command line. */
  readonly plugins?: readonly string[];
  /** The command line's simulated-time limit, if it was given: a lower limit can end a run early. */
  readonly maxSimSeconds?: number;
  /** The command line's `--no-oracle`. */
  readonly noOracle?: boolean;
  /** How the user invokes faultline: `faultline` (default), or `npx faultline` for a project's local install. */
  readonly command?: string;
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `faultline run SPEC --seed N [--buggify on|off] [--knob NAME=VALUE]... [--plugin FILE]...
 * [--max-sim-seconds S]`.
 */
export function reproduceCommand(p: ReproduceParts): string {
  const words = [p.command ?? 'faultline', 'run'];
  if (p.specPath !== undefined) words.push(shellQuote(p.specPath));
  words.push('--seed', String(p.seed));
  if (p.buggifyFlag !== undefined) words.push('--buggify', p.buggifyFlag ? 'on' : 'off');
  for (const k of p.knobs ?? []) words.push('--knob', shellQuote(k));
  for (const f of p.plugins ?? []) words.push('--plugin', shellQuote(f));
  if (p.maxSimSeconds !== undefined) words.push('--max-sim-seconds', String(p.maxSimSeconds));
  if (p.noOracle) words.push('--no-oracle');
  return words.join(' ');
}
