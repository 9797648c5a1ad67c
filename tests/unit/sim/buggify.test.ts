// BUGGIFY: off never fires; on activates about a quarter of sites, independent of evaluation order,
// activated sites fire with their probability, and each site's decision is reported once.
import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/core/random.js';
import { Buggify, type BuggifySiteDecision } from '../../../src/sim/buggify.js';

const SITES = Array.from({ length: 400 }, (_, i) => `site.${String(i).padStart(3, '0')}`);

function make(enabled: boolean, seed: number | string = 1) {
  const reported: BuggifySiteDecision[] = [];
  const b = new Buggify(enabled, new Random(seed).fork('buggify'), (d) => reported.push(d));
  return { b, reported };
}

describe('Buggify', () => {
  it('never fires and reports nothing when off', () => {
    const { b, reported } = make(false);
    for (const site of SITES) {
      expect(b.fires(site, 1)).toBe(false);
      expect(b.isActive(site)).toBe(false);
    }
    expect(reported).toEqual([]);
    expect(b.decisions()).toEqual([]);
  });

  it('when on, activates roughly 25% of 400 sites, for every seed', () => {
    for (const seed of [1, 2, 3, 42, 'CycleWithAttrition']) {
      const { b } = make(true, seed);
      const active = SITES.filter((s) => b.isActive(s)).length;
      expect(active).toBeGreaterThanOrEqual(0.15 * SITES.length);
      expect(active).toBeLessThanOrEqual(0.35 * SITES.length);
    }
  });

  it('decides activation from seed and site name, not from the order sites are first reached', () => {
    const forward = make(true, 7);
    const backward = make(true, 7);
    for (const s of SITES) forward.b.fires(s);
    for (const s of [...SITES].reverse()) backward.b.fires(s);
    expect(backward.b.decisions()).toEqual(forward.b.decisions());

    // Reaching other sites first (or firing some many times) does not change a site's decision either.
    const interleaved = make(true, 7);
    for (let i = 0; i < 50; i++) interleaved.b.fires('hot.site');
    for (const s of SITES.filter((_, i) => i % 3 === 0)) interleaved.b.fires(s);
    const wanted = new Map(forward.b.decisions().map((d) => [d.site, d.activated]));
    for (const s of SITES) expect(interleaved.b.isActive(s)).toBe(wanted.get(s));
  });

  it('activates different sites for different seeds', () => {
    const a = make(true, 1);
    const b = make(true, 2);
    const active = (x: Buggify) => SITES.filter((s) => x.isActive(s));
    expect(active(a.b)).not.toEqual(active(b.b));
  });

  it('fires an activated site with its probability, and an inactive site never', () => {
    const { b } = make(true, 3);
    const active = SITES.find((s) => b.isActive(s))!;
    const inactive = SITES.find((s) => !b.isActive(s))!;
    expect(active).toBeDefined();
    expect(inactive).toBeDefined();

    const rate = (site: string, p?: number) => {
      let n = 0;
      for (let i = 0; i < 4000; i++) if (b.fires(site, p)) n++;
      return n / 4000;
    };
    expect(rate(active, 0.5)).toBeGreaterThan(0.45);
    expect(rate(active, 0.5)).toBeLessThan(0.55);
    expect(rate(active)).toBeGreaterThan(0.2); // default probability 25%
    expect(rate(active)).toBeLessThan(0.3);
    expect(rate(active, 1)).toBe(1);
    expect(rate(active, 0)).toBe(0);
    expect(rate(inactive, 1)).toBe(0);
  });

  it('reports each site’s decision exactly once, however often it is evaluated', () => {
    const { b, reported } = make(true, 5);
    for (let round = 0; round < 3; round++) {
      for (const s of SITES) {
        b.fires(s);
        b.isActive(s);
      }
    }
    expect(reported).toHaveLength(SITES.length);
    expect(new Set(reported.map((d) => d.site)).size).toBe(SITES.length);
    expect([...reported].sort((x, y) => (x.site < y.site ? -1 : 1))).toEqual(b.decisions());
  });

  it('lists decisions sorted by site name', () => {
    const { b } = make(true, 5);
    for (const s of ['zeta', 'alpha', 'mid']) b.fires(s);
    expect(b.decisions().map((d) => d.site)).toEqual(['alpha', 'mid', 'zeta']);
  });
});
