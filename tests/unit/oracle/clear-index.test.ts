// The reference model's clear index answers "the newest clear after a position overlapping a range" exactly
// as a scan of every clear does, for point reads (found by key) and range reads, through pruning.
import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/core/random.js';
import { ClearIndex } from '../../../src/oracle/clear-index.js';

interface Clear {
  seq: number;
  writer: number;
  begin: string;
  end: string;
}

/** The scan the index replaces: the last clear applied above `after` that overlaps [begin, end). */
function scan(clears: readonly Clear[], begin: string, end: string, after: number): Clear | undefined {
  for (let i = clears.length - 1; i >= 0; i--) {
    const c = clears[i]!;
    if (c.seq <= after) break;
    if (c.begin < end && begin < c.end) return c;
  }
  return undefined;
}

/** Short keys over bytes that make prefixes, zero-byte extensions and narrow ranges common. */
function key(r: Random): string {
  let s = '';
  for (let n = r.int(0, 4); n > 0; n--) s += String.fromCharCode(r.pick([0, 1, 0x61, 0x62, 0xff]));
  return s;
}

function randomClear(r: Random, seq: number): Clear {
  const begin = key(r);
  const shape = r.int(0, 4);
  const end =
    shape === 0
      ? `${begin}\x00`
      : shape === 1
        ? `${begin}\x01`
        : shape === 2
          ? `${begin}\x00\x05`
          : `${key(r)}\xff`;
  return { seq, writer: r.int(0, 100), begin, end };
}

describe('ClearIndex', () => {
  it.each([1, 2, 3])('finds the same clear as a scan of every clear (seed %i)', (seed) => {
    const r = new Random(seed);
    const index = new ClearIndex();
    let kept: Clear[] = [];
    let seq = 0;
    let horizon = -1;
    let pointHits = 0;
    for (let step = 0; step < 4000; step++) {
      if (r.chance(0.3)) seq++;
      const c = randomClear(r, seq);
      if (c.begin < c.end) {
        index.add(c.seq, c.writer, c.begin, c.end);
        kept.push(c);
      }
      if (r.chance(0.01)) {
        horizon = Math.max(horizon, seq - r.int(0, 20));
        index.prune(horizon);
        kept = kept.filter((k) => k.seq > horizon);
      }
      const begin = key(r);
      const end = r.chance(0.7) ? `${begin}\x00` : `${begin}${key(r)}\xff`;
      const after = Math.max(horizon, seq - r.int(0, 30));
      const want = scan(kept, begin, end, after);
      const got = index.newestOver(begin, end, after);
      expect(got === undefined ? undefined : { ...got, order: undefined }).toEqual(
        want === undefined ? undefined : { ...want, order: undefined },
      );
      if (want && end === `${begin}\x00`) pointHits++;
    }
    // The point-read path was exercised, not only the fallback scan.
    expect(pointHits).toBeGreaterThan(100);
  });
});
