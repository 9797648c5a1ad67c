// The oracle's atomic-operation and versionstamp semantics (src/oracle/semantics.ts) are written apart
// from the cluster's (src/cluster/mutation.ts), so that a defect in the database's atomic operations is
// not repeated in the reference it is checked against. Here: FoundationDB's documented examples, and
// the two implementations compared on random operands.
import { describe, expect, it } from 'vitest';
import { VALUE_ATOMIC_OPS } from '../../../src/cluster/client-api.js';
import { applyAtomic, fillVersionstamp } from '../../../src/cluster/mutation.js';
import { Random } from '../../../src/core/random.js';
import { referenceAtomic, referenceVersionstamp, VALUE_SIZE_LIMIT } from '../../../src/oracle/semantics.js';

const VALUE_OPS = VALUE_ATOMIC_OPS;

/** A random binary string, biased towards the edge bytes 0x00 and 0xff. */
function operand(r: Random, maxLength: number): string {
  let s = '';
  const n = r.int(0, maxLength + 1);
  for (let i = 0; i < n; i++) {
    const b = r.chance(0.3) ? 0xff : r.chance(0.3) ? 0 : r.int(0, 256);
    s += String.fromCharCode(b);
  }
  return s;
}

describe('reference atomic operations', () => {
  it("follow FoundationDB's documented behaviour", () => {
    expect(referenceAtomic('add', '\xff\x00', '\x01\x00')).toBe('\x00\x01');
    expect(referenceAtomic('add', '\xff', '\x01')).toBe('\x00'); // the carry out of the param is lost
    expect(referenceAtomic('add', '\x01\x02\x03', '\x01')).toBe('\x02'); // cut to the param's length
    expect(referenceAtomic('add', undefined, '\x05\x00')).toBe('\x05\x00');
    expect(referenceAtomic('bitAnd', undefined, '\x0f')).toBe('\x0f'); // absent: the param is stored
    expect(referenceAtomic('bitAnd', '\xff', '\x0f\x0f')).toBe('\x0f\x00'); // shorter: zero-extended
    expect(referenceAtomic('max', '\x01\x02', '\x02\x01')).toBe('\x01\x02'); // little-endian: 0x0201 > 0x0102
    expect(referenceAtomic('min', '\x01\x02', '\x02\x01')).toBe('\x02\x01');
    expect(referenceAtomic('min', undefined, '\x07')).toBe('\x07');
    expect(referenceAtomic('byteMin', 'b', 'ab')).toBe('ab');
    expect(referenceAtomic('byteMax', 'b', 'ab')).toBe('b');
    expect(referenceAtomic('compareAndClear', 'x', 'x')).toBeUndefined();
    expect(referenceAtomic('compareAndClear', 'x', 'y')).toBe('x');
    expect(referenceAtomic('compareAndClear', undefined, 'y')).toBeUndefined();
    const big = 'a'.repeat(VALUE_SIZE_LIMIT - 1);
    expect(referenceAtomic('appendIfFits', big, 'b')).toBe(`${big}b`);
    expect(referenceAtomic('appendIfFits', `${big}b`, 'c')).toBe(`${big}b`); // past the limit: unchanged
  });

  it("agree with the cluster's implementation on 20,000 random operands", () => {
    const r = new Random(20261207);
    const differ: string[] = [];
    for (let i = 0; i < 20_000 && differ.length < 5; i++) {
      const op = r.pick(VALUE_OPS);
      const existing = r.chance(0.2) ? undefined : operand(r, 10);
      const param = operand(r, 10);
      const want = referenceAtomic(op, existing, param);
      const got = applyAtomic(op, existing, param);
      if (got !== want) differ.push(`${op}(${JSON.stringify(existing)}, ${JSON.stringify(param)})`);
    }
    expect(differ).toEqual([]);
  });
});

describe('reference versionstamps', () => {
  it('write the commit version big-endian and the batch index after it, at the offset', () => {
    const param = `ab${'\0'.repeat(10)}z\x02\x00\x00\x00`;
    expect(referenceVersionstamp(param, 0x0102030405, 0x0607)).toBe(
      'ab\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07z',
    );
  });

  it("agree with the cluster's implementation on random placeholders and versions", () => {
    const r = new Random(7);
    for (let i = 0; i < 2_000; i++) {
      const body = operand(r, 6) + '\0'.repeat(10) + operand(r, 6);
      const offset = r.int(0, body.length - 9);
      const le = String.fromCharCode(offset & 0xff, (offset >> 8) & 0xff, 0, 0);
      const version = Math.floor(r.next() * 2 ** 52);
      const index = r.int(0, 65536);
      expect(referenceVersionstamp(body + le, version, index)).toBe(
        fillVersionstamp(body + le, version, index),
      );
    }
  });
});
