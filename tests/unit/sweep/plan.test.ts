// Seed plans and shards: every machine computes the same plan, shards partition it with nothing lost or
// run twice, the plan id tells plans apart, and the flags' and seeds file's mistakes name their place.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { buggifyForSeed } from '../../../src/run/buggify-choice.js';
import {
  buildPlan,
  type PlannedSpec,
  parseSeedRange,
  parseSeedsFile,
  parseShard,
  type SweepPlanInput,
} from '../../../src/sweep/plan.js';

const A: PlannedSpec = { path: 'tests/fast/A.toml', sha256: 'aa', expectFailure: false };
const B: PlannedSpec = {
  path: 'tests/fast/B.toml',
  sha256: 'bb',
  expectFailure: false,
  buggifyPinned: false,
};

function input(over: Partial<SweepPlanInput> = {}): SweepPlanInput {
  return {
    specs: [A, B],
    seeds: { kind: 'count', base: 40, count: 5 },
    buggify: 'random',
    knobs: [],
    plugins: [],
    version: '0.1.0',
    ...over,
  };
}

function badInput(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof BadInputError) return e.format();
    throw e;
  }
  throw new Error('expected a BadInputError');
}

describe('seed plans', () => {
  it('runs every seed across every spec, seed by seed, with BUGGIFY decided per run by the seed', () => {
    const plan = buildPlan(input());
    expect(plan.total).toBe(10);
    expect(plan.runs.map((r) => `${r.specPath.slice(11, 12)}${r.seed}`)).toEqual([
      'A40',
      'B40',
      'A41',
      'B41',
      'A42',
      'B42',
      'A43',
      'B43',
      'A44',
      'B44',
    ]);
    for (const r of plan.runs.filter((x) => x.specPath === A.path)) {
      expect(r.buggify).toBe(buggifyForSeed(r.seed));
      expect(r.buggifyFlag).toBe(true);
    }
    // B pins buggify = false: never on, and no flag in its reproduce command.
    expect(plan.runs.filter((x) => x.specPath === B.path).every((r) => !r.buggify && !r.buggifyFlag)).toBe(
      true,
    );
    // About 80 % of seeds come out on.
    const on = Array.from({ length: 1000 }, (_, s) => buggifyForSeed(s)).filter(Boolean).length;
    expect(on).toBeGreaterThan(750);
    expect(on).toBeLessThan(850);
  });

  it('shards partition the plan: every run in exactly one shard, each shard mixing specs', () => {
    const whole = buildPlan(input({ seeds: { kind: 'range', first: 1, last: 50 } }));
    const shards = [1, 2, 3, 4].map((i) =>
      buildPlan(input({ seeds: { kind: 'range', first: 1, last: 50 } }), { index: i, count: 4 }),
    );
    const indexes = shards.flatMap((s) => s.runs.map((r) => r.index)).sort((a, b) => a - b);
    expect(indexes).toEqual(whole.runs.map((r) => r.index));
    for (const s of shards) {
      expect(s.id).toBe(whole.id);
      expect(s.total).toBe(100);
      expect(new Set(s.runs.map((r) => r.specPath)).size).toBe(2);
      expect(s.runs.length).toBe(25);
    }
  });

  it('the plan id changes with anything that changes the runs: specs, their content, seeds, flags, version', () => {
    const id = buildPlan(input()).id;
    expect(buildPlan(input()).id).toBe(id);
    expect(buildPlan(input({ specs: [A] })).id).not.toBe(id);
    expect(buildPlan(input({ specs: [{ ...A, sha256: 'changed' }, B] })).id).not.toBe(id);
    expect(buildPlan(input({ seeds: { kind: 'count', base: 41, count: 5 } })).id).not.toBe(id);
    expect(buildPlan(input({ buggify: 'on' })).id).not.toBe(id);
    expect(buildPlan(input({ knobs: ['X=1'] })).id).not.toBe(id);
    expect(buildPlan(input({ plugins: ['p.ts'] })).id).not.toBe(id);
    expect(buildPlan(input({ version: '0.2.0' })).id).not.toBe(id);
  });

  it('a seeds file names spec, seed and an optional BUGGIFY; its runs keep the file order', () => {
    const entries = parseSeedsFile(
      '# corpus\ntests/fast/A.toml 7 on\n\n  tests/fast/A.toml 0x10   # hex\n',
      'c.txt',
    );
    expect(entries).toEqual([
      { spec: 'tests/fast/A.toml', seed: 7, buggify: true, line: 2 },
      { spec: 'tests/fast/A.toml', seed: 16, line: 4 },
    ]);
    const plan = buildPlan(input({ buggify: 'off', seeds: { kind: 'file', file: 'c.txt', entries } }));
    expect(plan.runs.map((r) => [r.seed, r.buggify])).toEqual([
      [7, true],
      [16, false],
    ]);
    expect(badInput(() => parseSeedsFile('tests/fast/A.toml 7\ntests/fast/A.toml x\n', 'c.txt'))).toBe(
      "c.txt:2: expected 'spec seed [on|off]', got 'tests/fast/A.toml x' (e.g. tests/fast/CycleTest.toml 4242 on)",
    );
    expect(
      badInput(() =>
        buildPlan(
          input({
            seeds: { kind: 'file', file: 'c.txt', entries: [{ spec: 'other.toml', seed: 1, line: 3 }] },
          }),
        ),
      ),
    ).toContain("c.txt:3: spec 'other.toml' is not in this sweep");
  });

  it('reads --shard and --seed-range, refusing what cannot be a plan', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(badInput(() => parseShard('0/4'))).toContain('--shard: expected I/N with 1 <= I <= N');
    expect(badInput(() => parseShard('5/4'))).toContain('--shard');
    expect(parseSeedRange('10..12')).toEqual({ first: 10, last: 12 });
    expect(badInput(() => parseSeedRange('12..10'))).toContain('--seed-range: expected A..B with A <= B');
  });
});
