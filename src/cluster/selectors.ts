// Key selector constructors with FoundationDB's names.
import type { Bytes, KeySelector } from './client-api.js';

/** The last key less than `key`. */
export function lastLessThan(key: Bytes): KeySelector {
  return { key, orEqual: false, offset: 0 };
}
/** The last key less than or equal to `key`. */
export function lastLessOrEqual(key: Bytes): KeySelector {
  return { key, orEqual: true, offset: 0 };
}
/** The first key greater than `key`. */
export function firstGreaterThan(key: Bytes): KeySelector {
  return { key, orEqual: true, offset: 1 };
}
/** The first key greater than or equal to `key`. */
export function firstGreaterOrEqual(key: Bytes): KeySelector {
  return { key, orEqual: false, offset: 1 };
}
