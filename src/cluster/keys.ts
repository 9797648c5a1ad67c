// Internal key representation: byte strings as "binary strings" (one char per byte, 0-255), so that keys
// can be Map keys and compare with `<` in byte order without allocation. Only cluster code uses this.
import type { Bytes } from './client-api.js';

/** A key or value as a binary string (each char code is one byte). */
export type BKey = string;

/** Most char codes passed to one String.fromCharCode call (its arguments go on the stack). */
export const CHAR_CODE_CHUNK = 4096;

/** Bytes → binary string. */
export function toB(b: Bytes): BKey {
  // Keys and most values fit one call: no subarray view to allocate (a measurable share of a run's garbage).
  if (b.length <= CHAR_CODE_CHUNK) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = '';
  for (let i = 0; i < b.length; i += CHAR_CODE_CHUNK) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + CHAR_CODE_CHUNK) as unknown as number[]);
  }
  return s;
}

/** Binary string → bytes. */
export function fromB(s: BKey): Bytes {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Whether [begin, end) holds only the key `begin` (`end` is `begin` and a zero byte), told without a new string. */
export function isSingleKey(begin: BKey, end: BKey): boolean {
  return end.length === begin.length + 1 && end.charCodeAt(begin.length) === 0 && end.startsWith(begin);
}

/** Index of the first element of sorted `keys` that is >= k. */
export function lowerBound(keys: readonly BKey[], k: BKey): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A half-open key range [begin, end). */
export interface KeyRange {
  readonly begin: BKey;
  readonly end: BKey;
}

/** True when two half-open ranges intersect. */
export function rangesIntersect(a: KeyRange, b: KeyRange): boolean {
  return a.begin < b.end && b.begin < a.end;
}
