// Non-cryptographic hashing: a rolling 64-bit FNV-1a for trace fingerprints and seed derivation.

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** A rolling FNV-1a hash over strings; `digest()` is 16 hex digits. Order-sensitive by design. */
export class RollingHash {
  private hi = 0x811c9dc5;
  private lo = 0x01000193;

  /** Feeds a string (its UTF-16 code units) into the hash. */
  update(s: string): void {
    // Two independent 32-bit FNV-1a lanes with different offsets: fast (no BigInt) and 64 bits wide.
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      hi = Math.imul(hi ^ c, 0x01000193) >>> 0;
      lo = Math.imul(lo ^ (c + 0x9e), 0x01000193) >>> 0;
    }
    // Separator so that update('ab') + update('c') differs from update('a') + update('bc').
    this.hi = Math.imul(hi ^ 0xff, 0x01000193) >>> 0;
    this.lo = Math.imul(lo ^ 0x1ff, 0x01000193) >>> 0;
  }

  /** The hash so far, as 16 lowercase hex digits. */
  digest(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** 64-bit FNV-1a of a string, as a bigint. Used to derive stream seeds from labels. */
export function fnv1a64(s: string): bigint {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK64;
  }
  return h;
}

/** A 32-bit hash of arbitrary bytes (FNV-1a), used for disk block checksums. */
export function checksum32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}
