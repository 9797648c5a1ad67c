// The argument checks of FoundationDB's client API that faultline's client (and the reference model)
// apply before doing anything: inverted ranges, keys outside the legal range, negative limits, invalid
// read versions, writes into the special key space. One place, so both answer alike.
import { fdbError } from './client-api.js';
import type { BKey } from './keys.js';

/** The end of the normal key space. */
const MAX_KEY: BKey = '\xff';
/** The special key space (FoundationDB's specialKeys): \xff\xff up to \xff\xff\xff. */
const SPECIAL_BEGIN: BKey = '\xff\xff';
const SPECIAL_END: BKey = '\xff\xff\xff';

/** True for a key of the special key space. */
export function isSpecialKey(k: BKey): boolean {
  return k >= SPECIAL_BEGIN && k < SPECIAL_END;
}

/** True when [b, e) lies in the special key space (its end may be the space's end). */
function isSpecialRange(b: BKey, e: BKey): boolean {
  return isSpecialKey(b) && e >= SPECIAL_BEGIN && e <= SPECIAL_END;
}

/**
 * A range read's bounds (plain keys, or the keys of selectors when `selectors`): `special` when it reads the
 * special key space (no module serves it in faultline: it reads nothing), else `normal`. Throws
 * inverted_range (plain keys only) and key_outside_legal_range.
 */
export function checkReadRange(b: BKey, e: BKey, selectors: boolean): 'normal' | 'special' {
  if (!selectors && b > e) throw fdbError('inverted_range');
  if (isSpecialRange(b, e)) return 'special';
  if (b > MAX_KEY || e > MAX_KEY) throw fdbError('key_outside_legal_range');
  return 'normal';
}

/** A range read's row limit: 0 is unlimited, a negative one is invalid. */
export function checkLimit(limit: number): void {
  if (limit < 0) throw fdbError('range_limits_invalid');
}

/** A conflict range's bounds. */
export function checkConflictRange(b: BKey, e: BKey): void {
  if (b > e) throw fdbError('inverted_range');
  if (b > MAX_KEY || e > MAX_KEY) throw fdbError('key_outside_legal_range');
}

/** A cleared range's bounds: the special key space is not writable. */
export function checkClearRange(b: BKey, e: BKey): void {
  if (b > e) throw fdbError('inverted_range');
  if (isSpecialRange(b, e)) throw fdbError('special_keys_write_disabled');
  if (b > MAX_KEY || e > MAX_KEY) throw fdbError('key_outside_legal_range');
}

/** A read version given with setReadVersion: positive, and only once per transaction attempt. */
export function checkSetReadVersion(v: number, alreadySet: boolean): void {
  if (!(v > 0)) throw fdbError('version_invalid');
  if (alreadySet) throw fdbError('read_version_already_set');
}

/**
 * A versionstamp placeholder: the last 4 bytes of `s` are the little-endian offset of 10 bytes to
 * replace in the rest; client_invalid_operation when they do not fit.
 */
export function checkVersionstampPlaceholder(s: BKey): void {
  if (s.length < 4) throw fdbError('client_invalid_operation');
  const n = s.length - 4;
  const off =
    s.charCodeAt(n) | (s.charCodeAt(n + 1) << 8) | (s.charCodeAt(n + 2) << 16) | (s.charCodeAt(n + 3) << 24);
  if (off < 0 || off + 10 > n) throw fdbError('client_invalid_operation');
}
