// Random: seeded streams forked by label are reproducible and independent of each other's draws.
import { describe, expect, it } from 'vitest';
import { Random, seedFromLabel } from '../../../src/core/random.js';

const draws = (r: Random, n: number): number[] => Array.from({ length: n }, () => r.next());

describe('Random', () => {
  it('gives the same sequence for the same seed, and different sequences for different seeds', () => {
    expect(draws(new Random(42), 20)).toEqual(draws(new Random(42), 20));
    expect(draws(new Random('run-7'), 20)).toEqual(draws(new Random('run-7'), 20));
    expect(draws(new Random(42), 20)).not.toEqual(draws(new Random(43), 20));
    expect(draws(new Random(1), 20)).not.toEqual(draws(new Random(2), 20));
  });

  it('forks are independent: drawing from one fork or the parent does not shift another fork', () => {
    const untouched = draws(new Random(9).fork('network'), 50);

    const root = new Random(9);
    const cluster = root.fork('cluster');
    const network = root.fork('network');
    draws(cluster, 1000);
    draws(root, 1000);
    expect(draws(network, 50)).toEqual(untouched);

    // A fork made after the parent drew is the same as one made before: forks come from the seed, not the state.
    expect(draws(root.fork('network'), 50)).toEqual(untouched);
  });

  it('forks with different labels, or from different seeds, differ', () => {
    const root = new Random(9);
    expect(draws(root.fork('a'), 20)).not.toEqual(draws(root.fork('b'), 20));
    expect(draws(root.fork('a'), 20)).not.toEqual(draws(root, 20));
    expect(draws(new Random(9).fork('a'), 20)).not.toEqual(draws(new Random(10).fork('a'), 20));
    expect(draws(root.fork('a').fork('b'), 20)).not.toEqual(draws(root.fork('b').fork('a'), 20));
  });

  it('a label with a separator in it never names the same stream as a chain of forks', () => {
    const root = new Random(9);
    expect(draws(root.fork('a/b'), 20)).not.toEqual(draws(root.fork('a').fork('b'), 20));
    expect(draws(root.fork('a%2Fb'), 20)).not.toEqual(draws(root.fork('a/b'), 20));
    expect(draws(root.fork('a%2Fb'), 20)).not.toEqual(draws(root.fork('a').fork('b'), 20));
    expect(root.fork('a/b').seedLabel).toBe('9/a%2Fb');
    // Labels without a separator keep their seed material, so existing seeds replay unchanged.
    expect(root.fork('network').fork('client0').seedLabel).toBe('9/network/client0');
  });

  it('next() and uniform() stay in their half-open ranges', () => {
    const r = new Random(3);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const u = r.uniform(-2, 5);
      expect(u >= -2 && u < 5).toBe(true);
    }
  });

  it('int(lo, hi) returns integers in [lo, hi) and reaches every one of them', () => {
    const r = new Random(5);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const v = r.int(-3, 4);
      expect(Number.isInteger(v)).toBe(true);
      expect(v >= -3 && v < 4).toBe(true);
      seen.add(v);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(r.int(7, 8)).toBe(7);
  });

  it('pick returns only elements of the array, reaches all of them, and rejects an empty array', () => {
    const r = new Random(11);
    const items = ['a', 'b', 'c', 'd'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(r.pick(items));
    expect([...seen].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(r.pick(['only'])).toBe('only');
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('shuffle returns a permutation, leaves its input alone, and is reproducible', () => {
    const input = Array.from({ length: 50 }, (_, i) => i);
    const copy = input.slice();
    const a = new Random(13).shuffle(input);
    expect(input).toEqual(copy);
    expect(a).not.toEqual(input);
    expect([...a].sort((x, y) => x - y)).toEqual(input);
    expect(new Random(13).shuffle(input)).toEqual(a);
    expect(new Random(14).shuffle(input)).not.toEqual(a);
    expect(new Random(1).shuffle([])).toEqual([]);
  });

  it('shuffle puts every element in every position over many shuffles', () => {
    const r = new Random(17);
    const positions = Array.from({ length: 4 }, () => new Set<number>());
    for (let i = 0; i < 500; i++) {
      r.shuffle([0, 1, 2, 3]).forEach((v, pos) => {
        positions[v]!.add(pos);
      });
    }
    for (const p of positions) expect(p.size).toBe(4);
  });

  it('chance(p) is never true at 0 and always true at 1', () => {
    const r = new Random(19);
    for (let i = 0; i < 1000; i++) {
      expect(r.chance(0)).toBe(false);
      expect(r.chance(1)).toBe(true);
    }
  });

  it('uid is 16 hex digits, unseed is in FoundationDB’s [0, 100000] range', () => {
    const r = new Random(23);
    for (let i = 0; i < 1000; i++) {
      expect(r.uid()).toMatch(/^[0-9a-f]{16}$/);
      const u = r.unseed();
      expect(Number.isInteger(u) && u >= 0 && u <= 100_000).toBe(true);
    }
  });

  it('seedFromLabel is a stable non-negative 31-bit integer per label', () => {
    const a = seedFromLabel('CycleWithAttrition');
    expect(seedFromLabel('CycleWithAttrition')).toBe(a);
    expect(Number.isInteger(a) && a >= 0 && a < 2 ** 31).toBe(true);
    expect(seedFromLabel('CycleWithAttritio')).not.toBe(a);
  });

  it('familyUnseed fingerprints every stream: one extra draw anywhere, or another extra, changes it', () => {
    const family = (extraDraws: number, extra = '') => {
      const root = new Random(4242);
      const a = root.fork('network');
      const b = root.fork('cluster');
      draws(a, 10);
      draws(b, 10 + extraDraws);
      return root.familyUnseed(extra);
    };
    expect(family(0)).toBe(family(0));
    expect(family(0, 'trace-a')).toBe(family(0, 'trace-a'));
    const base = family(0);
    expect(base).toBeGreaterThanOrEqual(0);
    expect(base).toBeLessThanOrEqual(100000);
    // The root alone never sees its forks' draws: the old unseed (one root draw) would be equal here.
    expect(new Random(4242).unseed()).toBe(new Random(4242).unseed());
    expect(family(1)).not.toBe(base);
    expect(family(0, 'trace-b')).not.toBe(family(0, 'trace-a'));
  });
});
