// The command line in-process (main with a fake outside world): exit codes for every outcome, the
// determinism check catching a workload that is not deterministic, teardown of lingering actors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { defineWorkload, type WorkloadDefinition } from '../../../src/workload/contract.js';

const SMALL = `[configuration]
config = 'single'
machineCount = 3
processesPerMachine = 1
testerCount = 2
`;

function fakeIo(builtins: readonly WorkloadDefinition[]): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { NO_COLOR: '1' },
    isTTY: false,
    clock: () => 0,
    randomSeed: () => 1234,
    builtins,
  };
}

/** Not deterministic on purpose: it remembers, across runs in one process, how often it was created. */
let created = 0;
const forgetful = defineWorkload({
  name: 'Forgetful',
  description: 'traces how many times it was created in this process',
  kind: 'application',
  options: {},
  create(ctx) {
    const n = created++;
    return {
      async start() {
        await ctx.delay(1);
        if (ctx.clientId === 0) ctx.trace('Forgetful', { Created: n });
      },
    };
  },
});

const failing = defineWorkload({
  name: 'Failing',
  description: 'fails',
  kind: 'application',
  options: {},
  create: (ctx) => ({
    check: async () => {
      if (ctx.clientId === 0) ctx.fail('broken');
      return ctx.clientId !== 0;
    },
  }),
});

/** Leaves an actor running after its phase; teardown must stop it when the test ends. */
const lingering = defineWorkload({
  name: 'Lingering',
  description: 'ticks forever from a background actor',
  kind: 'application',
  options: {},
  create(ctx) {
    return {
      async start() {
        if (ctx.clientId !== 0) return;
        void (async () => {
          for (;;) {
            await ctx.delay(1);
            ctx.trace('Tick', {});
          }
        })();
        await ctx.delay(2.5);
      },
    };
  },
});

/** Never finishes its start phase. */
const stuck = defineWorkload({
  name: 'Stuck',
  description: 'waits forever',
  kind: 'application',
  options: {},
  create: () => ({ start: () => new Promise<void>(() => {}) }),
});

const quiet = defineWorkload({
  name: 'Quiet',
  description: 'idle',
  kind: 'application',
  options: {},
  create: () => ({}),
});

let dir = '';
const spec = (name: string, body: string) => {
  const file = path.join(dir, `${name}.toml`);
  writeFileSync(file, `${SMALL}\n${body}`);
  return file;
};
const test = (title: string, workload: string) =>
  `[[test]]\ntestTitle = '${title}'\n    [[test.workload]]\n    testName = '${workload}'\n`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'faultline-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const argv = (...args: string[]) => ['node', 'faultline', ...args];

describe('faultline run (in process)', () => {
  it('exits 0 on a pass, and a run without --seed uses (and prints) a random seed', async () => {
    const io = fakeIo([quiet]);
    const code = await main(argv('run', spec('pass', test('Pass', 'Quiet')), '--trace-dir', dir), io);
    expect(code).toBe(0);
    expect(io.err.join('')).toContain('with seed 1234 (random)');
    expect(io.out.join('')).toContain(`Reproduce: faultline run ${path.join(dir, 'pass.toml')} --seed 1234`);
    expect(readFileSync(path.join(dir, 'Pass.1234.jsonl'), 'utf8')).toContain('"Type":"ProgramStart"');
  });

  it('exits 1 when a test fails', async () => {
    const io = fakeIo([failing]);
    expect(
      await main(argv('run', spec('fail', test('Fail', 'Failing')), '--seed', '2', '--trace-dir', dir), io),
    ).toBe(1);
    expect(io.out.join('')).toContain('FAILED: 1 Severity-40 event in 1 test');
  });

  it('exits 2 with one line for bad input, 70 with the stack for an internal error', async () => {
    const io = fakeIo([quiet]);
    expect(
      await main(argv('run', spec('bad', test('Bad', 'Quite')), '--seed', '2', '--trace-dir', dir), io),
    ).toBe(2);
    expect(io.err.join('').trim().split('\n')).toEqual([
      `error: ${path.join(dir, 'bad.toml')}:10: testName: unknown workload 'Quite' (did you mean 'Quiet'?)`,
    ]);
    const broken = fakeIo([{ ...quiet, create: undefined } as unknown as WorkloadDefinition]);
    expect(await main(argv('list'), broken)).toBe(70);
    expect(broken.err.join('')).toMatch(
      /^internal error \(a bug in faultline[^\n]*\nInternalError: not a workload definition/,
    );
  });

  it('exits 4 when the two runs of --check-determinism differ, naming the first differing event', async () => {
    const io = fakeIo([forgetful]);
    const code = await main(
      argv(
        'run',
        spec('det', test('Det', 'Forgetful')),
        '--seed',
        '9',
        '--check-determinism',
        '--trace-dir',
        dir,
      ),
      io,
    );
    expect(code).toBe(4);
    const out = io.out.join('');
    // The unseed fingerprints the trace too, so runs whose traces differ also differ in unseed.
    expect(out).toMatch(
      /DETERMINISM CHECK FAILED: two runs of seed 9 differ \(trace hash [0-9a-f]{16} vs [0-9a-f]{16}, unseed \d+ vs \d+\); first difference at trace line \d+: Forgetful at \d+\.\d{6} s/,
    );
    expect(out).toMatch(/first run: {2}\{.*"Type":"Forgetful".*"Created":"0"\}/);
    expect(out).toMatch(/second run: \{.*"Type":"Forgetful".*"Created":"\d+"\}/);
  });

  it('tears a test down at its end: actors a workload left running stop', async () => {
    const io = fakeIo([lingering, quiet]);
    const file = spec('linger', `${test('Linger', 'Lingering')}${test('Next', 'Quiet')}`);
    expect(await main(argv('run', file, '--seed', '4', '--format', 'json', '--trace-dir', dir), io)).toBe(0);
    const lines = readFileSync(path.join(dir, 'Linger.4.jsonl'), 'utf8').trim().split('\n');
    const idx = (pred: (l: string) => boolean) => lines.findIndex(pred);
    const lastTick = lines
      .map((l, i) => (l.includes('"Type":"Tick"') ? i : -1))
      .reduce((a, b) => Math.max(a, b));
    const firstResults = idx((l) => l.includes('"Type":"TestResults"'));
    expect(lastTick).toBeGreaterThan(0);
    // The actor ticked while its test ran and never after the test's results.
    expect(lastTick).toBeLessThan(firstResults);
    expect(JSON.parse(io.out.join('')).outcome).toBe('passed');
  });

  it('--max-sim-seconds ends a hung run early with exit 3, and the reproduce command carries it', async () => {
    const io = fakeIo([stuck]);
    const file = spec('stuck', test('Stuck', 'Stuck'));
    const args = ['run', file, '--seed', '5', '--max-sim-seconds', '40', '--trace-dir', dir];
    expect(await main(argv(...args), io)).toBe(3);
    const out = io.out.join('');
    expect(out).toContain('simulated time limit of 40');
    expect(out).toContain(`faultline run ${file} --seed 5 --max-sim-seconds 40`);
    const bad = fakeIo([stuck]);
    expect(await main(argv('run', file, '--seed', '5', '--max-sim-seconds', '-3'), bad)).toBe(2);
    expect(bad.err.join('').trim()).toBe(
      "error: <command line>: --max-sim-seconds: expected a positive number of seconds, got '-3' (e.g. --max-sim-seconds 600)",
    );
  });
});
