// Hashing: the rolling trace hash is order- and boundary-sensitive; FNV-1a matches its published vectors.
import { describe, expect, it } from 'vitest';
import { checksum32, fnv1a64, RollingHash } from '../../../src/core/hash.js';

const digestOf = (parts: readonly string[]): string => {
  const h = new RollingHash();
  for (const p of parts) h.update(p);
  return h.digest();
};

describe('RollingHash', () => {
  it('is 16 lowercase hex digits and reproducible', () => {
    expect(digestOf(['a', 'b'])).toMatch(/^[0-9a-f]{16}$/);
    expect(digestOf(['ProgramStart', 'ClogInterface'])).toBe(digestOf(['ProgramStart', 'ClogInterface']));
    expect(new RollingHash().digest()).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is order-sensitive: the same events in another order hash differently', () => {
    expect(digestOf(['a', 'b'])).not.toBe(digestOf(['b', 'a']));
    expect(digestOf(['x', 'y', 'z'])).not.toBe(digestOf(['x', 'z', 'y']));
  });

  it('separates updates: the same characters split differently hash differently', () => {
    expect(digestOf(['ab', 'c'])).not.toBe(digestOf(['a', 'bc']));
    expect(digestOf(['abc'])).not.toBe(digestOf(['ab', 'c']));
    expect(digestOf([''])).not.toBe(digestOf([]));
    expect(digestOf(['', ''])).not.toBe(digestOf(['']));
  });

  it('changes when any one character changes', () => {
    const base = digestOf(['{"Type":"ClogInterface","Time":"1.000000"}']);
    expect(digestOf(['{"Type":"ClogInterface","Time":"1.000001"}'])).not.toBe(base);
    expect(digestOf(['{"Type":"ClogInterfacf","Time":"1.000000"}'])).not.toBe(base);
  });

  it('gives distinct digests over many distinct event sequences', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(digestOf([`event ${i}`, `detail ${i % 7}`]));
    expect(seen.size).toBe(5000);
  });
});

describe('FNV-1a', () => {
  it('fnv1a64 matches the published 64-bit test vectors', () => {
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64('foobar')).toBe(0x85944171f73967e8n);
  });

  it('checksum32 matches the published 32-bit test vectors, over a range of the bytes', () => {
    const bytes = new TextEncoder().encode('xfoobarx');
    expect(checksum32(new Uint8Array())).toBe(0x811c9dc5);
    expect(checksum32(new TextEncoder().encode('a'))).toBe(0xe40c292c);
    expect(checksum32(new TextEncoder().encode('foobar'))).toBe(0xbf9cf968);
    expect(checksum32(bytes, 1, 7)).toBe(0xbf9cf968);
  });
});
