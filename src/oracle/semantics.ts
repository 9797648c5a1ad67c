// FoundationDB's atomic operations and versionstamps, for the reference model only. Written from
// FoundationDB's documentation of each mutation type, separately from the cluster's own implementation
// (src/cluster/mutation.ts): the oracle checks the database against this code, so a defect in the
// database's atomic operations must not be a defect here too. A unit test compares the two on random
// operands.
import type { AtomicOp } from '../cluster/client-api.js';
import type { BKey } from '../cluster/keys.js';

/** The largest value FoundationDB stores; appendIfFits leaves the value alone past it. */
export const VALUE_SIZE_LIMIT = 100_000;

/** Byte `i` of `s` (a binary string), zero past its end. */
function byteAt(s: BKey, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

/** `s` cut or zero-extended to `n` bytes. */
function resized(s: BKey, n: number): BKey {
  return s.length >= n ? s.slice(0, n) : s + '\0'.repeat(n - s.length);
}

/** Applies `f` byte by byte over the param's length (the existing value fitted to it). */
function bytewise(existing: BKey, param: BKey, f: (a: number, b: number) => number): BKey {
  const out = new Array<string>(param.length);
  for (let i = 0; i < param.length; i++)
    out[i] = String.fromCharCode(f(byteAt(existing, i), param.charCodeAt(i)) & 0xff);
  return out.join('');
}

/** Little-endian unsigned sum, as long as the param; the carry out of the last byte is lost. */
function littleEndianSum(existing: BKey, param: BKey): BKey {
  let carry = 0;
  return bytewise(existing, param, (a, b) => {
    const s = a + b + carry;
    carry = s > 0xff ? 1 : 0;
    return s;
  });
}

/** Sign of a - b for two little-endian unsigned integers of equal length. */
function compareLittleEndian(a: BKey, b: BKey): number {
  for (let i = a.length - 1; i >= 0; i--) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.charCodeAt(i) < b.charCodeAt(i) ? -1 : 1;
  }
  return 0;
}

/**
 * The value after atomic operation `op` with `param` on `existing` (undefined: the key is absent).
 * Undefined means the key is cleared (compareAndClear on a match). Versionstamp operations are not
 * atomic operations on a value and are not accepted here.
 */
export function referenceAtomic(op: AtomicOp, existing: BKey | undefined, param: BKey): BKey | undefined {
  if (op === 'compareAndClear') return existing === param ? undefined : existing;
  // Every other operation stores the param when the key is absent (API version 510 and later).
  if (existing === undefined) return param;
  switch (op) {
    case 'add':
      return littleEndianSum(existing, param);
    case 'bitAnd':
      return bytewise(existing, param, (a, b) => a & b);
    case 'bitOr':
      return bytewise(existing, param, (a, b) => a | b);
    case 'bitXor':
      return bytewise(existing, param, (a, b) => a ^ b);
    case 'max':
      return compareLittleEndian(resized(existing, param.length), param) >= 0
        ? resized(existing, param.length)
        : param;
    case 'min':
      return compareLittleEndian(resized(existing, param.length), param) <= 0
        ? resized(existing, param.length)
        : param;
    case 'byteMax':
      return existing > param ? existing : param;
    case 'byteMin':
      return existing < param ? existing : param;
    case 'appendIfFits':
      return existing.length + param.length <= VALUE_SIZE_LIMIT ? existing + param : existing;
    default:
      throw new Error(`referenceAtomic: ${op} is not an atomic operation on a value`);
  }
}

/**
 * A versionstamped key or value with its placeholder filled: the param's last 4 bytes are the
 * placeholder's offset (little-endian), and the 10 bytes there become the commit version (8 bytes,
 * big-endian) and the transaction's index in its batch (2 bytes, big-endian). A param whose offset does
 * not leave room for the stamp is returned without its offset bytes (the client refuses such a param).
 */
export function referenceVersionstamp(param: BKey, version: number, batchIndex: number): BKey {
  if (param.length < 4) return param;
  const body = param.slice(0, -4);
  let offset = 0;
  for (let i = 3; i >= 0; i--) offset = offset * 256 + param.charCodeAt(body.length + i);
  if (offset + 10 > body.length) return body;
  let stamp = '';
  let v = version;
  for (let i = 0; i < 8; i++) {
    stamp = String.fromCharCode(v % 256) + stamp;
    v = Math.floor(v / 256);
  }
  stamp += String.fromCharCode((batchIndex >> 8) & 0xff, batchIndex & 0xff);
  return body.slice(0, offset) + stamp + body.slice(offset + 10);
}
