// TOML text for the few value kinds a swarm spec writes (numbers, booleans, strings, string lists).
// Written here rather than through a TOML library: the output is a small, fixed shape, and the tests
// parse every generated spec back with the spec parser.

/** A key as TOML writes it: bare when it is letters, digits, `_` and `-`, else quoted. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** A value as TOML writes it. Throws on a non-finite number (TOML has no place for one in a spec). */
export function tomlValue(v: number | boolean | string | readonly string[]): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} in a spec`);
    return Number.isInteger(v) ? String(v) : String(v).replace(/^(-?)\./, '$10.');
  }
  if (typeof v === 'string') return tomlString(v);
  return `[${v.map(tomlString).join(', ')}]`;
}

/** A TOML basic string: quotes, backslashes and control characters escaped. */
function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
