// What the oracle reports: the property a run broke, the transactions and versions involved, the key,
// and what the committed history says against what the database did.
import type { BKey } from '../cluster/keys.js';

/** The properties the oracle checks (docs/oracle.md explains each). */
export type OracleProperty =
  | 'read'
  | 'serializability'
  | 'external-consistency'
  | 'versionstamp'
  | 'durability'
  | 'commit-outcome'
  | 'watch';

/** One violation, as the OracleViolation trace event carries it. */
export interface OracleViolation {
  readonly property: OracleProperty;
  readonly message: string;
  /** The oracle's ids of the transaction attempts involved (in the order the message names them). */
  readonly attempts: readonly number[];
  readonly version: number;
  /** The key involved, printable ('' when none). */
  readonly key: string;
  readonly expected: string;
  readonly observed: string;
  /** Simulated time the violation was found (or the read happened), µs. */
  readonly time: number;
}

/** A key or value with non-printable bytes escaped as \xNN (long ones cut). */
export function printable(s: BKey, max = 64): string {
  let out = '';
  const n = Math.min(s.length, max);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f && c !== 0x5c ? s[i] : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s.length > max ? `${out}...(${s.length} bytes)` : out;
}

/** The first difference between expected and observed rows, described; undefined when equal. */
export function describeRows(
  want: readonly (readonly [BKey, BKey])[],
  got: readonly (readonly [BKey, BKey])[],
): { what: string; key: BKey; expected: string; observed: string } | undefined {
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    const w = want[i];
    const g = got[i];
    if (w && g && w[0] === g[0] && w[1] === g[1]) continue;
    if (!g)
      return {
        what: `missing key ${printable(w![0])}`,
        key: w![0],
        expected: printable(w![1]),
        observed: 'absent',
      };
    if (!w)
      return {
        what: `extra key ${printable(g[0])}`,
        key: g[0],
        expected: 'absent',
        observed: printable(g[1]),
      };
    if (w[0] !== g[0]) {
      const key = w[0] < g[0] ? w[0] : g[0];
      return {
        what: `row ${i} is ${printable(g[0])} where ${printable(w[0])} was expected`,
        key,
        expected: `key ${printable(w[0])}`,
        observed: `key ${printable(g[0])}`,
      };
    }
    return {
      what: `value of ${printable(w[0])}`,
      key: w[0],
      expected: printable(w[1]),
      observed: printable(g[1]),
    };
  }
  return undefined;
}
