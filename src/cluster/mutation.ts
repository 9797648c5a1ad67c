// Mutations as the commit path carries them, and FoundationDB's semantics for applying atomic operations.
import type { ByteReader, ByteWriter } from './byte-codec.js';
import type { AtomicOp } from './client-api.js';
import type { BKey } from './keys.js';

/** One mutation. Keys and values are binary strings (see keys.ts). */
export type Mutation =
  | { readonly type: 'set'; readonly key: BKey; readonly value: BKey }
  | { readonly type: 'clearRange'; readonly key: BKey; readonly end: BKey }
  | { readonly type: 'atomic'; readonly op: AtomicOp; readonly key: BKey; readonly value: BKey };

function u8(s: BKey, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

function fromCodes(codes: number[]): BKey {
  let s = '';
  for (const c of codes) s += String.fromCharCode(c);
  return s;
}

/** Little-endian addition with carry, truncated to the operand's length (FoundationDB's `add`). */
function addLE(existing: BKey, param: BKey, dropCarry: boolean): BKey {
  const out: number[] = [];
  let carry = 0;
  for (let i = 0; i < param.length; i++) {
    const sum = u8(existing, i) + u8(param, i) + carry;
    out.push(sum & 0xff);
    carry = dropCarry ? 0 : sum >> 8;
  }
  return fromCodes(out);
}

/** Compares two values as little-endian unsigned integers of the param's length. */
function compareLE(a: BKey, b: BKey, len: number): number {
  for (let i = len - 1; i >= 0; i--) {
    const d = u8(a, i) - u8(b, i);
    if (d !== 0) return d;
  }
  return 0;
}

function padTo(s: BKey, len: number): BKey {
  return s.length >= len ? s.slice(0, len) : s + '\x00'.repeat(len - s.length);
}

/** Largest value appendIfFits may produce (FoundationDB's value size limit). */
export const APPEND_LIMIT = 100_000;

/**
 * Applies an atomic operation to the existing value (undefined when absent). Returns the new value, or
 * undefined when the key must be cleared (compareAndClear on a match). `addDropsCarry` is the planted bug
 * atomicAddDropsCarry (storage servers only).
 */
export function applyAtomic(
  op: AtomicOp,
  existing: BKey | undefined,
  param: BKey,
  addDropsCarry = false,
): BKey | undefined {
  switch (op) {
    case 'add':
      return addLE(existing ?? '', param, addDropsCarry);
    case 'bitAnd': {
      if (existing === undefined) return param;
      const e = padTo(existing, param.length);
      const out: number[] = [];
      for (let i = 0; i < param.length; i++) out.push(u8(e, i) & u8(param, i));
      return fromCodes(out);
    }
    case 'bitOr':
    case 'bitXor': {
      const e = padTo(existing ?? '', param.length);
      const out: number[] = [];
      for (let i = 0; i < param.length; i++) {
        out.push(op === 'bitOr' ? u8(e, i) | u8(param, i) : u8(e, i) ^ u8(param, i));
      }
      return fromCodes(out);
    }
    case 'max': {
      if (existing === undefined) return param;
      const e = padTo(existing, param.length);
      return compareLE(e, param, param.length) >= 0 ? e : param;
    }
    case 'min': {
      if (existing === undefined) return param;
      const e = padTo(existing, param.length);
      return compareLE(e, param, param.length) <= 0 ? e : param;
    }
    case 'byteMin':
      if (existing === undefined) return param;
      return existing < param ? existing : param;
    case 'byteMax':
      if (existing === undefined) return param;
      return existing > param ? existing : param;
    case 'appendIfFits': {
      const e = existing ?? '';
      return e.length + param.length <= APPEND_LIMIT ? e + param : e;
    }
    case 'compareAndClear':
      return existing !== undefined && existing === param ? undefined : existing;
    case 'setVersionstampedKey':
    case 'setVersionstampedValue':
      // Resolved into plain sets by the commit proxy; never reaches storage.
      return param;
  }
}

/** Size of a mutation in bytes, for transaction size limits and batching. */
export function mutationSize(m: Mutation): number {
  return m.type === 'clearRange' ? m.key.length + m.end.length : m.key.length + m.value.length;
}

/** Replaces a 10-byte placeholder (offset in the trailing 4 bytes, little-endian) with the versionstamp. */
export function fillVersionstamp(s: BKey, version: number, batchIndex: number): BKey {
  if (s.length < 4) return s;
  const n = s.length - 4;
  const off =
    s.charCodeAt(n) | (s.charCodeAt(n + 1) << 8) | (s.charCodeAt(n + 2) << 16) | (s.charCodeAt(n + 3) << 24);
  const body = s.slice(0, n);
  if (off < 0 || off + 10 > body.length) return body;
  let vs = '';
  let v = BigInt(version);
  const bytes: number[] = [];
  for (let i = 0; i < 8; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  bytes.push((batchIndex >> 8) & 0xff, batchIndex & 0xff);
  for (const b of bytes) vs += String.fromCharCode(b);
  return body.slice(0, off) + vs + body.slice(off + 10);
}

const SET = 0;
const CLEAR_RANGE = 1;
const ATOMIC = 2;

/** Writes mutations in the binary record form (byte-codec.ts). */
export function writeMutations(w: ByteWriter, muts: readonly Mutation[]): void {
  w.uint(muts.length);
  for (const m of muts) {
    if (m.type === 'set') {
      w.u8(SET);
      w.bstr(m.key);
      w.bstr(m.value);
    } else if (m.type === 'clearRange') {
      w.u8(CLEAR_RANGE);
      w.bstr(m.key);
      w.bstr(m.end);
    } else {
      w.u8(ATOMIC);
      w.bstr(m.op);
      w.bstr(m.key);
      w.bstr(m.value);
    }
  }
}

/** Reads what `writeMutations` wrote. */
export function readMutations(r: ByteReader): Mutation[] {
  const n = r.uint();
  const out: Mutation[] = [];
  for (let i = 0; i < n; i++) {
    const type = r.u8();
    if (type === SET) out.push({ type: 'set', key: r.bstr(), value: r.bstr() });
    else if (type === CLEAR_RANGE) out.push({ type: 'clearRange', key: r.bstr(), end: r.bstr() });
    else if (type === ATOMIC)
      out.push({ type: 'atomic', op: r.bstr() as AtomicOp, key: r.bstr(), value: r.bstr() });
    else throw new RangeError(`unknown mutation type ${type}`);
  }
  return out;
}
