// The command line as a user runs it: `node bin/faultline.js ...` on the built package (`npm run build`
// first; `npm test` does). Exit codes, the report, trace files, one-line errors, determinism.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'faultline.js');

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function faultline(args: readonly string[], cwd = ROOT): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A quick spec: a small cluster, Cycle for 3 simulated seconds under clogging. */
const QUICK = `[configuration]
machineCount = 4
processesPerMachine = 1
testerCount = 3

[[test]]
testTitle = 'QuickCycle'

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 250.0
    testDuration = 3.0

    [[test.workload]]
    testName = 'RandomClogging'
    testDuration = 3.0
`;

let dir = '';

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('the package is not built: run `npm run build` before the e2e tests');
  }
  dir = mkdtempSync(path.join(tmpdir(), 'faultline-e2e-'));
  writeFileSync(path.join(dir, 'quick.toml'), QUICK);
  writeFileSync(path.join(dir, 'typo.toml'), QUICK.replace('transactionsPerSecond', 'transactionPerSecond'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('faultline run', () => {
  it('runs a passing spec: exit 0, every report section, the trace file, the reproduce command', () => {
    const r = faultline([
      'run',
      path.join(dir, 'quick.toml'),
      '--seed',
      '42',
      '--trace-dir',
      path.join(dir, 'traces'),
    ]);
    expect(r.stderr).toContain('with seed 42');
    expect(r.code).toBe(0);
    for (const section of [
      'Simulation Overview',
      'Timeline of Chaos Events',
      'Chaos Summary',
      'Invariant Report',
      'Metrics',
      'PASSED: 1 test, no Severity-40 events',
    ]) {
      expect(r.stdout).toContain(section);
    }
    expect(r.stdout).toContain(`Reproduce: faultline run ${path.join(dir, 'quick.toml')} --seed 42`);
    expect(r.stdout).toMatch(/│ QuickCycle │ Cycle +│ check +│ PASS/);
    expect(r.stdout.includes('\u001b[')).toBe(false);
    const trace = path.join(dir, 'traces', 'QuickCycle.42.jsonl');
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ Type: 'ProgramStart', RandomSeed: '42' });
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ Type: 'ElapsedTime' });
  });

  it('the same --seed twice writes the same trace, byte for byte', () => {
    const a = faultline([
      'run',
      path.join(dir, 'quick.toml'),
      '--seed',
      '7',
      '--trace-dir',
      path.join(dir, 'a'),
    ]);
    const b = faultline([
      'run',
      path.join(dir, 'quick.toml'),
      '--seed',
      '7',
      '--trace-dir',
      path.join(dir, 'b'),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    // No event carries real time: the files are equal byte for byte (traces are pure ASCII).
    const ta = readFileSync(path.join(dir, 'a', 'QuickCycle.7.jsonl'), 'latin1');
    const tb = readFileSync(path.join(dir, 'b', 'QuickCycle.7.jsonl'), 'latin1');
    expect(ta.length).toBeGreaterThan(1000);
    expect(tb).toBe(ta);
    expect(ta).not.toContain('RealTime');
    const hash = (out: string) => /hash ([0-9a-f]{16})/.exec(out)?.[1];
    expect(hash(b.stdout)).toBe(hash(a.stdout));
    const c = faultline([
      'run',
      path.join(dir, 'quick.toml'),
      '--seed',
      '8',
      '--trace-dir',
      path.join(dir, 'c'),
    ]);
    expect(hash(c.stdout)).not.toBe(hash(a.stdout));
  });

  it('--check-determinism runs the seed twice and agrees; --format json prints one document', () => {
    const r = faultline([
      'run',
      path.join(dir, 'quick.toml'),
      '--seed',
      '5',
      '--check-determinism',
      '--format',
      'json',
      '--trace-dir',
      path.join(dir, 'traces'),
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      outcome: 'passed',
      seed: 5,
      determinism: { checked: true, ok: true },
      overview: { seed: 5 },
      reproduce: `faultline run ${path.join(dir, 'quick.toml')} --seed 5`,
    });
    expect(doc.invariants.length).toBeGreaterThan(0);
  });

  it('a spec with a typo exits 2 with one line naming file:line:key and a hint, no stack', () => {
    const file = path.join(dir, 'typo.toml');
    const r = faultline(['run', file, '--seed', '1', '--trace-dir', path.join(dir, 'typo-traces')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11: transactionPerSecond: unknown option for workload Cycle \\(did you mean 'transactionsPerSecond'\\?`,
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, 'typo-traces'))).toBe(false);
  });

  it('bad flags are bad input too', () => {
    expect(faultline(['run', path.join(dir, 'quick.toml'), '--seed', 'x']).code).toBe(2);
    expect(faultline(['run', path.join(dir, 'quick.toml'), '--knob', 'no_such_knob=1']).stderr).toContain(
      "error: <command line>: no_such_knob: unknown knob 'no_such_knob'",
    );
    expect(faultline(['run', path.join(dir, 'missing.toml')]).stderr.trim()).toBe(
      `error: ${path.join(dir, 'missing.toml')}: cannot read spec file: no such file`,
    );
  });

  it('the first user journey: tests/fast/CycleTest.toml with --seed 42 passes', () => {
    const r = faultline([
      'run',
      'tests/fast/CycleTest.toml',
      '--seed',
      '42',
      '--trace-dir',
      path.join(dir, 'traces'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASSED: 2 tests');
    expect(r.stdout).toMatch(/│ Clogged +│ Attrition #2 +│ check +│ PASS/);
    expect(existsSync(path.join(dir, 'traces', 'Clogged.42.jsonl'))).toBe(true);
  });

  it('without SPEC runs the built-in CycleWithAttrition default', () => {
    const r = faultline(['run', '--seed', '1', '--format', 'json', '--trace-dir', path.join(dir, 'traces')]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ title: 'CycleWithAttrition', specPath: '<default>', outcome: 'passed' });
    expect(doc.overview).toMatchObject({ replication: 'triple', buggify: true });
    expect(doc.reproduce).toBe('faultline run --seed 1');
    expect(doc.invariants.map((i: { workload: string }) => i.workload)).toEqual(
      expect.arrayContaining(['Cycle', 'RandomClogging', 'Attrition', 'Rollback']),
    );
  });
});

describe('faultline list and describe', () => {
  it('lists the built-in workloads and describes one', () => {
    const list = faultline(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/│ Cycle +│ application │/);
    expect(list.stdout).toMatch(/│ RandomClogging +│ chaos +│/);
    const d = faultline(['describe', 'Cycle']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/│ transactionsPerSecond +│ number +│ 5000 +│ tps/);
    const typo = faultline(['describe', 'Cylce']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe("error: unknown workload 'Cylce' (did you mean 'Cycle'?)");
  });
});
