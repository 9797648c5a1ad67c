// Knobs: defaults, BUGGIFY-only randomization (unless alwaysRandomize), overrides, and located errors.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { Random } from '../../../src/core/random.js';
import { type KnobDef, Knobs } from '../../../src/sim/knobs.js';

const DEFS: KnobDef[] = [
  {
    name: 'COMMIT_BATCH_INTERVAL',
    default: 0.005,
    unit: 's',
    doc: 'how long a proxy batches commits',
    randomize: (r) => r.uniform(0.0001, 0.1),
  },
  { name: 'ENABLE_FAST_PATH', default: true, unit: 'bool', doc: 'a boolean knob', randomize: () => false },
  { name: 'STORAGE_ENGINE', default: 'memory', unit: 'name', doc: 'a string knob' },
  {
    name: 'MAX_READ_TRANSACTION_LIFE_VERSIONS',
    default: 5_000_000,
    unit: 'versions',
    doc: 'randomized even without BUGGIFY',
    randomize: (r) => r.pick([1_000_000, 2_000_000]),
    alwaysRandomize: true,
  },
];

/** Many randomizable knobs, to see how often BUGGIFY randomizes one. */
const MANY: KnobDef[] = Array.from({ length: 400 }, (_, i) => ({
  name: `KNOB_${i}`,
  default: -1,
  unit: 'count',
  doc: 'test knob',
  randomize: (r: Random) => r.int(0, 1000),
}));

const sourceCounts = (k: Knobs) => {
  const counts = { default: 0, randomized: 0, override: 0 };
  for (const e of k.entries()) counts[e.source]++;
  return counts;
};

describe('Knobs', () => {
  it('takes defaults when BUGGIFY is off, except knobs that always randomize', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const k = new Knobs(DEFS, false, new Random(seed));
      expect(k.num('COMMIT_BATCH_INTERVAL')).toBe(0.005);
      expect(k.bool('ENABLE_FAST_PATH')).toBe(true);
      expect([1_000_000, 2_000_000]).toContain(k.num('MAX_READ_TRANSACTION_LIFE_VERSIONS'));
    }
    expect(sourceCounts(new Knobs(MANY, false, new Random(1)))).toEqual({
      default: 400,
      randomized: 0,
      override: 0,
    });
  });

  it('randomizes about a quarter of randomizable knobs when BUGGIFY is on', () => {
    const k = new Knobs(MANY, true, new Random(1));
    const { randomized } = sourceCounts(k);
    expect(randomized).toBeGreaterThanOrEqual(0.15 * MANY.length);
    expect(randomized).toBeLessThanOrEqual(0.35 * MANY.length);
    for (const e of k.entries()) {
      if (e.source === 'randomized') expect(e.value).toBeGreaterThanOrEqual(0);
      else expect(e.value).toBe(-1);
    }
    // A knob without a randomizer keeps its default under BUGGIFY.
    for (let seed = 0; seed < 20; seed++) {
      expect(
        new Knobs(DEFS, true, new Random(seed)).entries().find((e) => e.name === 'STORAGE_ENGINE'),
      ).toEqual({
        name: 'STORAGE_ENGINE',
        value: 'memory',
        source: 'default',
      });
    }
  });

  it('is reproducible per seed, and each knob’s value does not depend on which other knobs exist', () => {
    const a = new Knobs(MANY, true, new Random(9)).entries();
    expect(new Knobs(MANY, true, new Random(9)).entries()).toEqual(a);
    const fewer = new Knobs(MANY.slice(200), true, new Random(9)).entries();
    expect(fewer).toEqual(a.filter((e) => fewer.some((f) => f.name === e.name)));
  });

  it('applies overrides over defaults and randomized values, matching names case-insensitively', () => {
    const k = new Knobs(DEFS, true, new Random(1));
    k.override([
      { name: 'commit_batch_interval', value: 0.02 },
      { name: 'ENABLE_FAST_PATH', value: 'false' },
      { name: 'MAX_READ_TRANSACTION_LIFE_VERSIONS', value: '123' },
      { name: 'STORAGE_ENGINE', value: 'ssd-2' },
    ]);
    expect(k.num('COMMIT_BATCH_INTERVAL')).toBe(0.02);
    expect(k.bool('ENABLE_FAST_PATH')).toBe(false);
    expect(k.num('MAX_READ_TRANSACTION_LIFE_VERSIONS')).toBe(123);
    expect(k.entries()).toEqual([
      { name: 'COMMIT_BATCH_INTERVAL', value: 0.02, source: 'override' },
      { name: 'ENABLE_FAST_PATH', value: false, source: 'override' },
      { name: 'MAX_READ_TRANSACTION_LIFE_VERSIONS', value: 123, source: 'override' },
      { name: 'STORAGE_ENGINE', value: 'ssd-2', source: 'override' },
    ]);
  });

  it('coerces boolean spellings for boolean knobs', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    for (const [value, want] of [
      ['true', true],
      ['1', true],
      [1, true],
      ['false', false],
      ['0', false],
      [0, false],
      [true, true],
    ] as const) {
      k.override([{ name: 'ENABLE_FAST_PATH', value }]);
      expect(k.bool('ENABLE_FAST_PATH')).toBe(want);
    }
  });

  it('rejects an unknown knob as bad input, naming file, line and key with a did-you-mean hint', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    let err: unknown;
    try {
      k.override([{ name: 'COMMIT_BACH_INTERVAL', value: 1, file: 'tests/fast/Cycle.toml', line: 7 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadInputError);
    const e = err as BadInputError;
    expect(e.location).toEqual({ file: 'tests/fast/Cycle.toml', line: 7, key: 'COMMIT_BACH_INTERVAL' });
    expect(e.hint).toMatch(/did you mean 'COMMIT_BATCH_INTERVAL'/);
    expect(e.format()).toMatch(/^tests\/fast\/Cycle\.toml:7: COMMIT_BACH_INTERVAL: unknown knob/);

    // From the command line, with nothing close: no guess, but a pointer to the list.
    const cli = (() => {
      try {
        k.override([{ name: 'WIBBLE', value: 1 }]);
      } catch (x) {
        return x as BadInputError;
      }
      return undefined;
    })();
    expect(cli).toBeInstanceOf(BadInputError);
    expect(cli!.location).toEqual({ file: '<command line>', key: 'WIBBLE' });
    expect(cli!.hint).not.toMatch(/did you mean/);
    expect(cli!.hint).toMatch(/faultline knobs/);
  });

  it('rejects values of the wrong type as bad input naming the knob', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    const bad = (name: string, value: string | number | boolean) => () =>
      k.override([{ name, value, file: 'spec.toml', line: 3 }]);
    expect(bad('COMMIT_BATCH_INTERVAL', 'fast')).toThrow(BadInputError);
    expect(bad('COMMIT_BATCH_INTERVAL', 'fast')).toThrow(/COMMIT_BATCH_INTERVAL takes a number, got 'fast'/);
    expect(bad('COMMIT_BATCH_INTERVAL', true)).toThrow(/takes a number/);
    expect(bad('ENABLE_FAST_PATH', 'yes')).toThrow(/ENABLE_FAST_PATH takes true or false, got 'yes'/);
    expect(bad('ENABLE_FAST_PATH', 2)).toThrow(BadInputError);
    // A rejected override leaves the value as it was.
    expect(k.num('COMMIT_BATCH_INTERVAL')).toBe(0.005);
    expect(k.bool('ENABLE_FAST_PATH')).toBe(true);
  });

  it('refuses values that would stop simulated time or exhaust memory, and empty values', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    const msg = (value: string | number) => {
      try {
        k.override([{ name: 'COMMIT_BATCH_INTERVAL', value }]);
      } catch (e) {
        if (e instanceof BadInputError) return e.format();
        throw e;
      }
      return 'accepted';
    };
    expect(msg(0)).toContain('knob COMMIT_BATCH_INTERVAL must be from 0.000001 to 3600 s, got 0');
    expect(msg(-1)).toContain('got -1');
    expect(msg(Number.POSITIVE_INFINITY)).toContain('got Infinity');
    expect(msg('')).toContain('takes a number, got an empty value');
    expect(msg('0.01')).toBe('accepted');
    expect(k.num('COMMIT_BATCH_INTERVAL')).toBe(0.01);
    expect(() => k.override([{ name: 'MAX_READ_TRANSACTION_LIFE_VERSIONS', value: 1.5 }])).toThrow(
      'must be a whole number from 1 to 1000000000000 versions',
    );
  });

  it('reads a knob only as its own type, and refuses to define a knob twice', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    expect(() => k.num('ENABLE_FAST_PATH')).toThrow();
    expect(() => k.bool('COMMIT_BATCH_INTERVAL')).toThrow();
    expect(() => k.num('NO_SUCH_KNOB')).toThrow();
    expect(() => new Knobs([DEFS[0]!, DEFS[0]!], false, new Random(1))).toThrow(/defined twice/);
  });
});
