// The resolver's conflict set answers exactly as a scan of every remembered write would, and forgets
// writes older than the MVCC window without changing any answer a reader inside the window can get.
import { describe, expect, it } from 'vitest';
import { ConflictSet } from '../../../src/cluster/conflict-set.js';
import { Random } from '../../../src/core/random.js';

const KEYS = ['', 'a', 'a\x00', 'ab', 'b', 'b\x00', 'c', 'cz', 'd', '\xff'];

/** A random non-empty range over a small key space (so ranges overlap often). */
function range(r: Random): [string, string] {
  for (;;) {
    const a = KEYS[r.int(0, KEYS.length)]!;
    const b = r.chance(0.5) ? `${a}\x00` : KEYS[r.int(0, KEYS.length)]!;
    if (a < b) return [a, b];
  }
}

describe('ConflictSet', () => {
  // Chunks of 2 and 3 segments split, empty and span a range on almost every write.
  it.each([
    128, 2, 3,
  ])('agrees with a scan of all writes, with and without forgetting old ones (chunks of %s segments)', (chunk) => {
    const r = new Random(7);
    const set = new ConflictSet(chunk);
    const writes: { b: string; e: string; v: number }[] = [];
    let conflicts = 0;
    for (let version = 1; version <= 3000; version++) {
      for (let n = r.int(0, 3); n > 0; n--) {
        const [b, e] = range(r);
        set.write(b, e, version);
        writes.push({ b, e, v: version });
      }
      const oldest = version - 50;
      set.forgetBefore(oldest);
      for (let q = 0; q < 3; q++) {
        const [b, e] = range(r);
        const after = r.int(oldest, version + 1);
        const expected = writes.some((w) => w.v > after && b < w.e && w.b < e);
        expect(set.writtenAfter(b, e, after)).toBe(expected);
        if (expected) conflicts++;
      }
    }
    // Both answers occur, and the set stays small although 3000 versions of writes went in.
    expect(conflicts).toBeGreaterThan(100);
    expect(conflicts).toBeLessThan(9000);
    expect(set.size).toBeLessThanOrEqual(2 * KEYS.length + 2);
  });

  it('agrees with a scan of all writes over thousands of keys, ranges across many chunks', () => {
    const r = new Random(11);
    const set = new ConflictSet(8);
    const key = () => `k${r.int(0, 3000).toString().padStart(4, '0')}`;
    const writes: { b: string; e: string; v: number }[] = [];
    let conflicts = 0;
    for (let version = 1; version <= 1500; version++) {
      for (let n = r.int(1, 6); n > 0; n--) {
        const b = key();
        const e = r.chance(0.9) ? `${b}\x00` : key();
        if (b < e) {
          set.write(b, e, version);
          writes.push({ b, e, v: version });
        }
      }
      set.forgetBefore(version - 400);
      for (let q = 0; q < 4; q++) {
        const b = key();
        const other = key();
        const e = r.chance(0.5) || other <= b ? `${b}\x00` : other;
        const after = r.int(version - 400, version + 1);
        const expected = writes.some((w) => w.v > after && b < w.e && w.b < e);
        expect(set.writtenAfter(b, e, after)).toBe(expected);
        if (expected) conflicts++;
      }
    }
    expect(conflicts).toBeGreaterThan(500);
    expect(set.size).toBeGreaterThan(100); // a dozen chunks and more
  });

  it('forgets versions below the window: a reader at the window edge sees no old write', () => {
    const set = new ConflictSet();
    for (let v = 1; v <= 200; v++) set.write(`k${v}`, `k${v}\x00`, v);
    expect(set.writtenAfter('k1', 'k1\x00', 0)).toBe(true);
    set.forgetBefore(150);
    expect(set.size).toBeLessThan(120);
    expect(set.writtenAfter('k1', 'k1\x00', 0)).toBe(false);
    expect(set.writtenAfter('k160', 'k160\x00', 159)).toBe(true);
    expect(set.writtenAfter('k160', 'k160\x00', 160)).toBe(false);
  });
});
