// FoundationDB's value forms in a spec: redundancy modes and storage-engine words faultline does not model
// (run as the nearest modelled mode, one warning each), engine names where numbers are expected in
// storageEngineExcludeTypes, TOML arrays as workload option values, and the per-test timeout.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { prepareRun } from '../../../src/run/prepare.js';
import { normalizeConfigString } from '../../../src/spec/configuration.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { defineWorkload } from '../../../src/workload/contract.js';
import { opt } from '../../../src/workload/options.js';
import { Registry } from '../../../src/workload/registry.js';

const lists = defineWorkload({
  name: 'Lists',
  description: 'list options',
  kind: 'application',
  options: {
    names: opt.strings({ default: [], doc: 'names' }),
    weights: opt.numbers({ default: [1], doc: 'weights' }),
    joined: opt.string({ default: '', doc: 'one string' }),
  },
  create: () => ({}),
});
const registry = new Registry([lists]);

function spec(config: string, test = '', workload = ''): string {
  return `[configuration]
${config}
[[test]]
testTitle = 'T'
${test}
    [[test.workload]]
    testName = 'Lists'
${workload}
`;
}

describe('config words FoundationDB has and faultline does not model', () => {
  it('runs data-hall and datacenter modes as the plain mode with their replica count, warning once each', () => {
    expect(normalizeConfigString('three_data_hall', 3).value).toBe('triple');
    expect(normalizeConfigString('new three_data_hall_fallback', 3).value).toBe('new double');
    expect(normalizeConfigString('three_datacenter ssd-redwood-1 logs:=3', 3).value).toBe(
      'triple ssd logs:=3',
    );
    const w = normalizeConfigString('three_data_hall log_spill:=1 memory-radixtree-beta', 7).warnings;
    expect(w.map((x) => [x.key, x.line])).toEqual([
      ['config', 7],
      ['config', 7],
      ['config', 7],
    ]);
    expect(w[0]!.message).toMatch(/three_data_hall.*data halls are not modelled: runs as triple/);
    expect(w[1]!.message).toMatch(/log_spill:=1.*does not model: ignored/);
  });

  it('leaves modelled and unknown words alone for the cluster to check', () => {
    const r = normalizeConfigString('triple memory resolvers:=2', 1);
    expect(r).toEqual({ value: 'triple memory resolvers:=2', warnings: [] });
    expect(normalizeConfigString('tripple', 1).value).toBe('tripple');
  });

  it('a spec with three_data_hall prepares a 3-replica cluster and carries the warning', () => {
    const s = parseSpec(spec("config = 'three_data_hall'\nmachineCount = 5"), 'dh.toml');
    expect(s.warnings.map((w) => w.line)).toEqual([2]);
    const p = prepareRun({ spec: s, seed: 1, registry });
    expect(p.cluster.db.replication).toBe(3);
  });

  it('a misspelt mode is still bad input', () => {
    const s = parseSpec(spec("config = 'three_data_hal'"), 'dh.toml');
    expect(() => prepareRun({ spec: s, seed: 1, registry })).toThrow(BadInputError);
  });
});

describe('other FoundationDB value forms', () => {
  it('storageEngineExcludeTypes takes engine names or numbers (accepted, with its warning)', () => {
    for (const v of ['["memory", "ssd-rocksdb-v1"]', '[1, 4]']) {
      const s = parseSpec(spec(`storageEngineExcludeTypes = ${v}`), 'x.toml');
      expect(s.warnings.map((w) => w.key)).toEqual(['storageEngineExcludeTypes']);
    }
  });

  it('TOML arrays are workload option values: lists as lists, a string option as the comma-joined text', () => {
    const s = parseSpec(
      spec('', '', "    names = ['a', 'b']\n    weights = [1, 2.5]\n    joined = ['x', 'y']"),
      'x.toml',
    );
    const w = prepareRun({ spec: s, seed: 1, registry }).tests[0]!.workloads[0]!;
    expect(w.options).toMatchObject({ names: ['a', 'b'], weights: [1, 2.5], joined: 'x,y' });
  });

  it('a per-test timeout is read as sim seconds and must be positive', () => {
    expect(parseSpec(spec('', 'timeout = 2100'), 'x.toml').tests[0]!.keys.timeout).toBe(2100);
    expect(() => parseSpec(spec('', 'timeout = 0'), 'x.toml')).toThrow(BadInputError);
  });
});
