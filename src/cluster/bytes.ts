// Byte-string helpers for keys and values: comparison, conversion, key arithmetic, little-endian integers.
import type { Bytes } from './client-api.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a string. */
export function bytes(s: string): Bytes {
  return encoder.encode(s);
}

/** A string from UTF-8 bytes. */
export function str(b: Bytes): string {
  return decoder.decode(b);
}

/** Lexicographic byte comparison: negative, zero or positive. */
export function compareBytes(a: Bytes, b: Bytes): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when the two byte strings are equal. */
export function equalBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenation of byte strings. */
export function concatBytes(...parts: Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The smallest key strictly after `k` (k + '\x00'). */
export function keyAfter(k: Bytes): Bytes {
  const out = new Uint8Array(k.length + 1);
  out.set(k);
  return out;
}

/** The first key not prefixed by `prefix` (FoundationDB's strinc). Throws on an all-0xff prefix. */
export function strinc(prefix: Bytes): Bytes {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) throw new RangeError('strinc of a key made only of 0xff bytes');
  const out = prefix.slice(0, end);
  out[end - 1]! += 1;
  return out;
}

/** Little-endian signed 64-bit encoding (the format of atomic `add` operands). */
export function encodeInt64LE(n: bigint | number): Bytes {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(n), true);
  return out;
}

/** Decodes up to 8 little-endian bytes as a signed 64-bit integer (missing bytes are zero). */
export function decodeInt64LE(b: Bytes | undefined): bigint {
  if (!b || b.length === 0) return 0n;
  const buf = new Uint8Array(8);
  buf.set(b.subarray(0, 8));
  return new DataView(buf.buffer).getBigInt64(0, true);
}

/** Hex dump of a byte string, for traces and failure evidence (printable ASCII kept, others as \xNN). */
export function printable(b: Bytes): string {
  let s = '';
  for (const c of b)
    s +=
      c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  return s;
}
