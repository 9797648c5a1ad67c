import { describe, expect, it } from 'vitest';
import { fromB, isSingleKey, lowerBound, toB } from '../../../src/cluster/keys.js';

describe('binary-string keys', () => {
  it('round-trip bytes of every value, short and longer than one fromCharCode call', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromB(toB(all))).toEqual(all);
    const long = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) % 256);
    expect(fromB(toB(long))).toEqual(long);
  });

  it('isSingleKey is true exactly when the end is the begin and one zero byte', () => {
    expect(isSingleKey('abc', 'abc\x00')).toBe(true);
    expect(isSingleKey('', '\x00')).toBe(true);
    expect(isSingleKey('abc', 'abc\x01')).toBe(false);
    expect(isSingleKey('abc', 'abd\x00')).toBe(false);
    expect(isSingleKey('abc', 'abc\x00\x00')).toBe(false);
    expect(isSingleKey('abc', 'abd')).toBe(false);
    expect(isSingleKey('abc\x00', 'abc')).toBe(false);
  });

  it('lowerBound finds the first key at or after k', () => {
    const keys = ['', 'a', 'b', 'b\x00', 'c'];
    expect(lowerBound(keys, '')).toBe(0);
    expect(lowerBound(keys, 'b')).toBe(2);
    expect(lowerBound(keys, 'b\x00')).toBe(3);
    expect(lowerBound(keys, 'bb')).toBe(4);
    expect(lowerBound(keys, 'd')).toBe(5);
  });
});
