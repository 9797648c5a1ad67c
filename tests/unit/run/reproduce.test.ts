// The reproduce command and the determinism comparison of two traces.
import { describe, expect, it } from 'vitest';
import { checkDeterminism, firstDivergence } from '../../../src/run/determinism.js';
import { reproduceCommand } from '../../../src/run/reproduce.js';
import type { RunResult } from '../../../src/run/result.js';

describe('reproduceCommand', () => {
  it('names the spec, the seed and every flag that changes the run, quoting for the shell', () => {
    expect(reproduceCommand({ specPath: 'tests/fast/CycleTest.toml', seed: 42 })).toBe(
      'faultline run tests/fast/CycleTest.toml --seed 42',
    );
    expect(
      reproduceCommand({ specPath: undefined, seed: 7, buggifyFlag: false, knobs: ['shard_count=2'] }),
    ).toBe('faultline run --seed 7 --buggify off --knob shard_count=2');
    expect(reproduceCommand({ specPath: "my tests/it's.toml", seed: 1 })).toBe(
      `faultline run 'my tests/it'\\''s.toml' --seed 1`,
    );
  });
});

const line = (time: string, type: string, extra = '') =>
  `{"Severity":"10","Time":"${time}","Type":"${type}","Machine":"0.0.0.0:0","ID":"0000000000000000"${extra}}`;

describe('firstDivergence', () => {
  it('ignores real-time fields and finds the first differing event', () => {
    const a = [
      line('0.000000', 'ProgramStart'),
      line('1.000000', 'A'),
      line('2.000000', 'ElapsedTime', ',"RealTime":"1.5"'),
    ];
    const b = [
      line('0.000000', 'ProgramStart'),
      line('1.000000', 'A'),
      line('2.000000', 'ElapsedTime', ',"RealTime":"2.5"'),
    ];
    expect(firstDivergence(a, b)).toBeUndefined();
    const c = [line('0.000000', 'ProgramStart'), line('1.000001', 'A'), line('2.000000', 'ElapsedTime')];
    expect(firstDivergence(a, c)).toMatchObject({ line: 2, type: 'A', time: 1 });
    expect(firstDivergence(a, a.slice(0, 2))).toMatchObject({
      line: 3,
      second: undefined,
      type: 'ElapsedTime',
    });
  });

  it('checkDeterminism compares hash and unseed and names where the runs diverged', () => {
    const r = (traceHash: string, unseed: number) => ({ seed: 5, traceHash, unseed }) as RunResult;
    expect(checkDeterminism(r('aa', 1), r('aa', 1), [], []).ok).toBe(true);
    const v = checkDeterminism(r('aa', 1), r('bb', 2), [line('0.000000', 'X')], [line('0.500000', 'Y')]);
    expect(v.ok).toBe(false);
    expect(v.message).toBe(
      'two runs of seed 5 differ (trace hash aa vs bb, unseed 1 vs 2); first difference at trace line 1: X at 0.000000 s',
    );
  });
});

describe('--buggify random', () => {
  it('is decided by the seed, on about 80 % of seeds, the same every time for one seed', async () => {
    const { parseBuggify } = await import('../../../src/cli/run-command.js');
    let on = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const a = parseBuggify('random', seed);
      expect(parseBuggify('random', seed)).toBe(a);
      if (a) on++;
    }
    expect(on).toBeGreaterThan(350);
    expect(on).toBeLessThan(450);
    expect(() => parseBuggify('maybe', 1)).toThrow(/on, off or random/);
  });
});
