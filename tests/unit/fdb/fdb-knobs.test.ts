// FoundationDB knobs faultline does not model: accepted with one SpecWarning each (spec, per test and
// command line), while a name that is no knob at all stays bad input with a did-you-mean from both sets.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { Random } from '../../../src/core/random.js';
import { prepareRun } from '../../../src/run/prepare.js';
import { runSpec } from '../../../src/run/run-spec.js';
import { fdbKnobNames } from '../../../src/sim/fdb-knob-names.js';
import { Knobs } from '../../../src/sim/knobs.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { parseTraceLine } from '../../../src/trace/reader.js';
import { TraceWriter } from '../../../src/trace/writer.js';
import { defineWorkload } from '../../../src/workload/contract.js';
import { Registry } from '../../../src/workload/registry.js';

const DEFS = [{ name: 'COMMIT_BATCH_INTERVAL', default: 0.002, unit: 's', doc: 'batch' }];

function badInput(fn: () => unknown): BadInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BadInputError) return e;
    throw e;
  }
  throw new Error('expected a BadInputError');
}

const idle = defineWorkload({
  name: 'Idle',
  description: 'does nothing',
  kind: 'application',
  options: {},
  create: () => ({ check: async () => true }),
});

const SPEC = `[configuration]
config = 'single'
machineCount = 3
processesPerMachine = 1
testerCount = 1

[[knobs]]
dd_rebalance_parallelism = 10
max_read_transaction_life_versions = 2000000

[[test]]
testTitle = 'One'
    [[test.knobs]]
    dd_rebalance_parallelism = 20
    rocksdb_enable_nondeterminism = true
    [[test.workload]]
    testName = 'Idle'
`;

describe('FoundationDB knob names', () => {
  it('carry server, client and flow knobs with the file each came from', () => {
    const names = fdbKnobNames();
    expect(names.get('dd_rebalance_parallelism')).toBe('fdbclient/ServerKnobs.cpp');
    expect(names.get('transaction_size_limit')).toBe('fdbclient/ClientKnobs.cpp');
    expect(names.get('max_buggified_delay')).toBe('flow/Knobs.cpp');
    // Newer than the release the lists were read from, and set by FoundationDB's own specs
    // (tests/slow/ApiCorrectnessWithConsistencyCheck.toml, tests/fast/NondeterministicTest.toml).
    expect(names.get('enable_replica_consistency_check_on_reads')).toBe('flow/Knobs.cpp');
    expect(names.get('rocksdb_metrics_in_simulation')).toBe('fdbclient/ServerKnobs.cpp');
    expect(names.size).toBeGreaterThan(1000);
    for (const n of names.keys()) expect(n).toMatch(/^[a-z0-9_]+$/);
  });
});

describe('Knobs.override with FoundationDB names', () => {
  it('skips and returns a real FoundationDB knob it does not model, leaving the values alone', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    const before = k.entries();
    const out = k.override([
      { name: 'dd_rebalance_parallelism', value: 3, file: 'a.toml', line: 4 },
      { name: 'commit_batch_interval', value: 0.01 },
    ]);
    expect(out).toEqual([
      { name: 'dd_rebalance_parallelism', source: 'fdbclient/ServerKnobs.cpp', file: 'a.toml', line: 4 },
    ]);
    expect(k.num('COMMIT_BATCH_INTERVAL')).toBe(0.01);
    expect(k.entries().map((e) => e.name)).toEqual(before.map((e) => e.name));
  });

  it('rejects a typo of a FoundationDB knob, suggesting the FoundationDB name', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    const e = badInput(() =>
      k.override([{ name: 'dd_rebalance_paralelism', value: 3, file: 'a.toml', line: 9 }]),
    );
    expect(e.format()).toMatch(/^a\.toml:9: dd_rebalance_paralelism: unknown knob 'dd_rebalance_paralelism'/);
    expect(e.hint).toMatch(/did you mean 'dd_rebalance_parallelism'/);
  });

  it('still suggests a modelled knob in its upper-case name, and says when nothing is close', () => {
    const k = new Knobs(DEFS, false, new Random(1));
    expect(badInput(() => k.override([{ name: 'COMMIT_BACH_INTERVAL', value: 1 }])).hint).toMatch(
      /did you mean 'COMMIT_BATCH_INTERVAL'/,
    );
    expect(badInput(() => k.override([{ name: 'wibble', value: 1 }])).hint).toMatch(
      /neither a faultline knob nor a FoundationDB knob/,
    );
  });
});

describe('a run with unmodelled FoundationDB knobs', () => {
  const registry = new Registry([idle]);

  it('prepares with one warning per knob name, from [[knobs]], [[test.knobs]] and --knob', () => {
    const p = prepareRun({
      spec: parseSpec(SPEC, 'spec.toml'),
      seed: 1,
      registry,
      knobOverrides: [{ name: 'max_buggified_delay', value: '0.1' }],
    });
    expect(p.knobWarnings.map((w) => [w.key, w.line])).toEqual([
      ['dd_rebalance_parallelism', 8],
      ['max_buggified_delay', 0],
      ['rocksdb_enable_nondeterminism', 15],
    ]);
    expect(p.knobWarnings[0]!.message).toBe(
      'knob dd_rebalance_parallelism is a FoundationDB knob (fdbclient/ServerKnobs.cpp) that faultline does not model: ignored',
    );
  });

  it('a typo in [[test.knobs]] is still bad input naming its line', () => {
    const typo = SPEC.replace('rocksdb_enable_nondeterminism', 'rocksdb_enable_nondeterminsm');
    const e = badInput(() => prepareRun({ spec: parseSpec(typo, 'spec.toml'), seed: 1, registry }));
    expect(e.format()).toContain('spec.toml:15: rocksdb_enable_nondeterminsm: unknown knob');
    expect(e.hint).toMatch(/did you mean 'rocksdb_enable_nondeterminism'/);
  });

  it('runs, tracing one SpecWarning per knob and noting it in the result', async () => {
    const writer = new TraceWriter({ memory: true });
    const result = await runSpec({
      spec: parseSpec(SPEC, 'spec.toml'),
      specPath: 'spec.toml',
      seed: 1,
      traceSink: writer,
      registry,
    });
    expect(result.outcome).toBe('passed');
    const warnings = writer
      .lines()
      .map((l, i) => parseTraceLine(l, 'trace', i + 1))
      .filter((e) => e.type === 'SpecWarning');
    expect(warnings.map((w) => w.details.Key)).toEqual([
      'dd_rebalance_parallelism',
      'rocksdb_enable_nondeterminism',
    ]);
    expect(result.notes.filter((n) => n.includes('faultline does not model'))).toHaveLength(2);
  });
});
