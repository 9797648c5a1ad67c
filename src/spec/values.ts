// Reading typed values from spec keys the way FoundationDB does: numbers and booleans may be written as
// strings ('20', 'true'), since FoundationDB turns every TOML value into a string before reading it.
import { BadInputError } from '../core/errors.js';
import type { SpecValue } from './types.js';

/** Where a value was written, for errors. */
export interface ValueSite {
  readonly file: string;
  readonly line: number;
  readonly key: string;
}

function describe(v: SpecValue): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
}

function wrongType(site: ValueSite, v: SpecValue, expected: string): BadInputError {
  return new BadInputError(`expected ${expected}, got ${describe(v)}`, site);
}

/** A boolean: TOML `true`/`false`, or the strings `'true'`/`'false'` (plus `'on'`/`'off'` when `onOff`). */
export function readBool(v: SpecValue, site: ValueSite, onOff = false): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === 'true' || (onOff && s === 'on')) return true;
    if (s === 'false' || (onOff && s === 'off')) return false;
  }
  throw wrongType(site, v, onOff ? 'true or false (or on/off)' : 'true or false');
}

/** A finite number, or a string holding one (`'2500.0'`). */
export function readNumber(v: SpecValue, site: ValueSite, min?: number): number {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.trim() !== '') n = Number(v.trim());
  if (n === undefined || !Number.isFinite(n)) throw wrongType(site, v, 'a number');
  if (min !== undefined && n < min) throw new BadInputError(`must be at least ${min}, got ${n}`, site);
  return n;
}

/** A whole number (`20`, `20.0` or `'20'`). */
export function readInt(v: SpecValue, site: ValueSite, min?: number): number {
  const n = readNumber(v, site);
  if (!Number.isInteger(n)) throw wrongType(site, v, 'a whole number');
  if (min !== undefined && n < min) throw new BadInputError(`must be at least ${min}, got ${n}`, site);
  return n;
}

/** A string; numbers and booleans are accepted and written back as TOML would print them. */
export function readString(v: SpecValue, site: ValueSite): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw wrongType(site, v, 'a string');
}

/** A list of names: a TOML array of strings, or one comma-separated string. Blank items are dropped. */
export function readNameList(v: SpecValue, site: ValueSite): string[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
  if (items === undefined) throw wrongType(site, v, 'a list of names');
  return items
    .map((x: SpecValue) => {
      if (typeof x !== 'string') throw wrongType(site, x, 'a name (string)');
      return x.trim();
    })
    .filter((s) => s !== '');
}
