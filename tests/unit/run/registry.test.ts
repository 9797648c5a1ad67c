// The workload registry and option validation: defaults, FoundationDB's value forms, bounds and choices,
// and one-line errors naming file, line and option with a did-you-mean hint and the valid names.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { prepareRun } from '../../../src/run/prepare.js';
import { parseSpec } from '../../../src/spec/parse.js';
import type { Located, SpecValue } from '../../../src/spec/types.js';
import { defineWorkload } from '../../../src/workload/contract.js';
import { opt } from '../../../src/workload/options.js';
import { Registry } from '../../../src/workload/registry.js';

const toy = defineWorkload({
  name: 'Toy',
  description: 'a toy',
  kind: 'application',
  options: {
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'how long' }),
    transactionsPerSecond: opt.number({ default: 5000, min: 0.001, unit: 'tps', doc: 'rate' }),
    nodeCount: opt.int({ default: 0, min: 0, max: 1000, doc: 'nodes' }),
    reboot: opt.bool({ default: false, doc: 'reboot' }),
    mode: opt.string({ default: 'fast', choices: ['fast', 'slow'], doc: 'mode' }),
    targetIds: opt.strings({ default: [], doc: 'targets' }),
    weights: opt.numbers({ default: [1], doc: 'weights' }),
  },
  create: () => ({}),
});

const chaos = defineWorkload({
  name: 'Attrition',
  description: 'kills',
  kind: 'chaos',
  options: {},
  create: () => ({}),
});

function raw(values: Record<string, SpecValue>, firstLine = 10): Record<string, Located<SpecValue>> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v], i) => [k, { value: v, line: firstLine + i }]),
  );
}

function badInput(fn: () => unknown): BadInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BadInputError) return e;
    throw e;
  }
  throw new Error('expected a BadInputError');
}

describe('Registry', () => {
  const registry = new Registry([toy, chaos]);
  const where = { file: 'tests/fast/Toy.toml', line: 9 };

  it('looks workloads up by name, with a did-you-mean for typos', () => {
    expect(registry.lookup('Toy', where)).toBe(toy);
    expect(registry.names()).toEqual(['Attrition', 'Toy']);
    const e = badInput(() => registry.lookup('Atrition', where));
    expect(e.format()).toBe(
      "tests/fast/Toy.toml:9: testName: unknown workload 'Atrition' (did you mean 'Attrition'?)",
    );
  });

  it('refuses two workloads of one name, naming both files', () => {
    const copy = { ...toy, description: 'another toy' };
    expect(badInput(() => new Registry([toy], [{ file: 'a.ts', workloads: [copy] }])).format()).toBe(
      "a.ts: name: workload 'Toy' is defined twice: here and by faultline's built-in workload of that name (rename the plugin workload)",
    );
    const twice = () =>
      new Registry(
        [],
        [
          { file: 'a.ts', workloads: [toy] },
          { file: 'b.ts', workloads: [copy] },
        ],
      );
    expect(badInput(twice).format()).toBe(
      "b.ts: name: workload 'Toy' is defined twice: here and in a.ts (rename one of them, in b.ts or a.ts)",
    );
    expect(() => new Registry([toy, copy])).toThrow(/two built-in workloads are named 'Toy'/);
  });

  it('knows which plugin file provides a workload', () => {
    const r = new Registry([chaos], [{ file: 'plugins/toy.ts', workloads: [toy] }]);
    expect(r.fileOf('Toy')).toBe('plugins/toy.ts');
    expect(r.fileOf('Attrition')).toBeUndefined();
  });

  it('fills defaults and converts values as FoundationDB reads them', () => {
    expect(registry.validateOptions(toy, {}, where)).toEqual({
      testDuration: 10,
      transactionsPerSecond: 5000,
      nodeCount: 0,
      reboot: false,
      mode: 'fast',
      targetIds: [],
      weights: [1],
    });
    const v = registry.validateOptions(
      toy,
      raw({
        testDuration: '30.0',
        nodeCount: 250.0,
        reboot: 'true',
        mode: 'slow',
        targetIds: 'a, b',
        weights: [1, '2.5'],
        runSetup: false,
      }),
      where,
    );
    expect(v).toMatchObject({
      testDuration: 30,
      nodeCount: 250,
      reboot: true,
      mode: 'slow',
      targetIds: ['a', 'b'],
      weights: [1, 2.5],
    });
    expect(v).not.toHaveProperty('runSetup');
  });

  it('rejects an unknown option naming file, line and option, with a did-you-mean and the valid names', () => {
    const e = badInput(() =>
      registry.validateOptions(toy, raw({ testDuration: 5, transactionPerSecond: 100 }, 12), where),
    );
    expect(e.location).toEqual({ file: 'tests/fast/Toy.toml', line: 13, key: 'transactionPerSecond' });
    expect(e.format()).toBe(
      'tests/fast/Toy.toml:13: transactionPerSecond: unknown option for workload Toy ' +
        "(did you mean 'transactionsPerSecond'? valid options: mode, nodeCount, reboot, targetIds, " +
        'testDuration, transactionsPerSecond, weights)',
    );
    expect(badInput(() => registry.validateOptions(chaos, raw({ x: 1 }), where)).format()).toContain(
      'Attrition takes no options',
    );
  });

  it('rejects values of the wrong type, out of bounds or not among the choices', () => {
    const msg = (values: Record<string, SpecValue>) =>
      badInput(() => registry.validateOptions(toy, raw(values, 20), where)).format();
    expect(msg({ testDuration: 'ten' })).toBe(
      "tests/fast/Toy.toml:20: testDuration: expected a number, got 'ten' (option of Toy) (e.g. 10)",
    );
    expect(msg({ testDuration: -1 })).toContain('must be at least 0 s, got -1');
    expect(msg({ nodeCount: 1001 })).toContain('must be at most 1000, got 1001');
    expect(msg({ nodeCount: 2.5 })).toContain('expected a whole number, got 2.5');
    expect(msg({ reboot: 'yes' })).toContain("expected true or false, got 'yes'");
    expect(msg({ mode: 'slo' })).toContain(
      "'slo' is not one of fast, slow (option of Toy) (did you mean 'slow'?)",
    );
    expect(msg({ weights: 'a,b' })).toContain('expected a list of numbers');
  });

  it('bounds options that declare no maximum by their unit, so no value can make a run endless', () => {
    const msg = (values: Record<string, SpecValue>) =>
      badInput(() => registry.validateOptions(toy, raw(values, 20), where)).format();
    expect(msg({ transactionsPerSecond: 1e12 })).toContain(
      'must be at most 100000 tps, got 1000000000000 (option of Toy) (the default is 5000)',
    );
    expect(msg({ testDuration: 1e7 })).toContain('must be at most 1000000 s');
    expect(registry.validateOptions(toy, raw({ transactionsPerSecond: 100000 }, 20), where)).toMatchObject({
      transactionsPerSecond: 100000,
    });
  });
});

describe('prepareRun', () => {
  const registry = new Registry([toy, chaos]);
  const prepare = (text: string, extra: { knob?: string } = {}) =>
    prepareRun({
      spec: parseSpec(text, 'spec.toml'),
      seed: 3,
      registry,
      ...(extra.knob ? { knobOverrides: [{ name: extra.knob, value: '1', file: '<command line>' }] } : {}),
    });

  it('resolves workloads with typed options, BUGGIFY from the spec, and global workload indexes', () => {
    const p = prepare(`[configuration]
buggify = true
[[test]]
testTitle = 'One'
    [[test.workload]]
    testName = 'Toy'
    nodeCount = 7
    [[test.workload]]
    testName = 'Attrition'
[[test]]
testTitle = 'Two'
    [[test.workload]]
    testName = 'Toy'
`);
    expect(p.buggify).toBe(true);
    expect(p.tests.map((t) => t.workloads.map((w) => `${w.def.name}#${w.globalIndex}`))).toEqual([
      ['Toy#0', 'Attrition#1'],
      ['Toy#2'],
    ]);
    expect(p.tests[0]!.workloads[0]!.options.nodeCount).toBe(7);
  });

  it('rejects an unknown option of the spec at its line', () => {
    const e = badInput(() =>
      prepare(`[[test]]
testTitle = 'One'
    [[test.workload]]
    testName = 'Toy'
    testDuraton = 5
`),
    );
    expect(e.format()).toMatch(
      /^spec\.toml:5: testDuraton: unknown option for workload Toy \(did you mean 'testDuration'\?/,
    );
  });

  it('rejects unknown knobs from the spec (also per test) and the command line', () => {
    const spec = (knobs: string) => `${knobs}
[[test]]
testTitle = 'One'
    [[test.workload]]
    testName = 'Toy'
`;
    expect(
      badInput(() => prepare(spec('[[knobs]]\nmax_read_transaction_life_version = 1'))).format(),
    ).toContain(
      "spec.toml:2: max_read_transaction_life_version: unknown knob 'max_read_transaction_life_version' (did you mean 'MAX_READ_TRANSACTION_LIFE_VERSIONS'?",
    );
    expect(() => prepare(spec(''), { knob: 'no_such_knob' })).toThrow(/unknown knob 'no_such_knob'/);
    const perTest = `[[test]]
testTitle = 'One'
    [[test.knobs]]
    shard_cont = 2
    [[test.workload]]
    testName = 'Toy'
`;
    expect(badInput(() => prepare(perTest)).format()).toContain(
      "spec.toml:4: shard_cont: unknown knob 'shard_cont'",
    );
    expect(prepare(spec('[[knobs]]\nshard_count = 2')).knobOverrides).toEqual([
      { name: 'shard_count', value: 2, file: 'spec.toml', line: 2 },
    ]);
  });

  it('rejects an impossible cluster configuration before the run', () => {
    const e = badInput(() =>
      prepare(`[configuration]
plantedBug = 'tlogAckBeforeFsync'
[[test]]
testTitle = 'One'
    [[test.workload]]
    testName = 'Toy'
`),
    );
    expect(e.format()).toBe(
      "spec.toml:2: plantedBug: unknown planted bug 'tlogAckBeforeFsync' (did you mean 'tlogAcksBeforeFsync'?)",
    );
  });
});
