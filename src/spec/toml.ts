// The one file that imports smol-toml: TOML text to plain data, parser errors to located BadInputErrors.
import { parse, TomlDate, TomlError } from 'smol-toml';
import { BadInputError } from '../core/errors.js';
import type { SpecValue } from './types.js';

/** A TOML table as plain data. */
export type SpecTable = { readonly [key: string]: SpecValue };

/** Nesting limit for tables and arrays, so a hostile file cannot exhaust the stack. */
const MAX_DEPTH = 100;

function plain(v: unknown): SpecValue {
  if (v instanceof TomlDate) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  if (typeof v === 'bigint') return Number(v);
  return v as SpecValue;
}

/**
 * Parses TOML text into plain data. Malformed TOML is a BadInputError naming `file`, the line and the
 * column, with the parser's message in plain words (no code frame, no stack).
 */
export function parseToml(text: string, file: string): SpecTable {
  let doc: unknown;
  try {
    doc = parseStackSafe(text, file);
  } catch (e) {
    if (e instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <what>\n\n<code frame>"; keep only <what>.
      const first = e.message.split('\n', 1)[0] ?? e.message;
      const what = first.replace(/^Invalid TOML document:\s*/, '');
      const source = printable(text.split(/\r\n|\n|\r/)[e.line - 1]?.trim() ?? '');
      throw new BadInputError(
        `malformed TOML at column ${e.column}: ${what}${source ? ` in \`${source}\`` : ''}`,
        { file, line: e.line, column: e.column },
        'check the quotes, brackets and `key = value` syntax on that line',
      );
    }
    throw e;
  }
  return plain(doc) as SpecTable;
}

/**
 * smol-toml skips each run of comment lines by recursion, one frame a line, so a few thousand comment
 * lines in a row overflow the stack. On that overflow, parse again with the comment-only lines emptied
 * (line numbers stay the same); that is only safe when the text has no multi-line strings, whose lines
 * may start with `#`, so otherwise the overflow becomes a clear error.
 */
function parseStackSafe(text: string, file: string): unknown {
  try {
    return parse(text, { maxDepth: MAX_DEPTH });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    if (text.includes('"""') || text.includes("'''")) {
      throw new BadInputError(
        'the spec is too deeply nested or has too many comment lines in a row for the TOML parser',
        { file },
        'shorten the runs of comment lines',
      );
    }
    return parse(text.replace(/^[ \t]*#.*$/gm, ''), { maxDepth: MAX_DEPTH });
  }
}

/** At most 80 characters of `s`, control characters and U+FFFD shown as \xNN / \uNNNN escapes. */
function printable(s: string): string {
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  let out = '';
  for (const c of cut) {
    const code = c.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if (control) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfffd) out += '\\ufffd';
    else out += c;
  }
  return out;
}
