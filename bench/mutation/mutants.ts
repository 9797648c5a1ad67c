// The mutants of bench/mutation/mutants.json and how one is applied: a text patch of one file, whose
// snippet must occur exactly once (a snippet found zero or several times is stale, never guessed at).
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One small defect: in `file`, the snippet `find` becomes `replace`. */
export interface Mutant {
  readonly id: string;
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  readonly defect: string;
}

/** The patched text, or why the mutant does not apply to `text` (a stale mutant). */
export type Patched =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: string };

/** Reads the mutant list from `root`/bench/mutation/mutants.json. */
export function loadMutants(root: string): Mutant[] {
  const data = JSON.parse(readFileSync(path.join(root, 'bench', 'mutation', 'mutants.json'), 'utf8')) as {
    mutants: Mutant[];
  };
  return data.mutants;
}

/** Counts the non-overlapping occurrences of `snippet` in `text`. */
function occurrences(text: string, snippet: string): number {
  if (snippet.length === 0) return 0;
  let n = 0;
  for (let i = text.indexOf(snippet); i >= 0; i = text.indexOf(snippet, i + snippet.length)) n++;
  return n;
}

/** Applies `m` to `text` (the current content of `m.file`). */
export function applyMutant(m: Mutant, text: string): Patched {
  if (m.find === m.replace) return { ok: false, reason: 'the replacement equals the snippet' };
  const n = occurrences(text, m.find);
  if (n !== 1) {
    return { ok: false, reason: n === 0 ? 'snippet not found' : `snippet found ${n} times` };
  }
  const at = text.indexOf(m.find);
  return { ok: true, text: text.slice(0, at) + m.replace + text.slice(at + m.find.length) };
}
