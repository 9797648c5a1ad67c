// `faultline sweep` and `faultline merge` as a user and CI run them: the real command line (the built
// package), worker threads, result files, JUnit read back with a real XML parser, exit codes 0/1/2/130,
// a planted bug folded into one failure group whose command replays it, shards merged equal to one
// sweep, and a seed's run the same alone as after 20 others in the same worker.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultlineAsync } from '../support/faultline-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'faultline.js');
const ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CI: 'true', GITHUB_ACTIONS: undefined };

/** A spec that runs in well under a second: Cycle under clogging (plus injected chaos) on 3 machines. */
const TINY = `[configuration]
config = 'single'
machineCount = 3
buggify = false

[[test]]
testTitle = 'Tiny'

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 100.0
    testDuration = 2.0

    [[test.workload]]
    testName = 'RandomClogging'
    testDuration = 2.0
`;

/** A spec that needs far more than 12 MB of heap: ReadWrite loads 100,000 values of 1,000 bytes. */
const HUNGRY = `[configuration]
config = 'single'
machineCount = 3
buggify = false

[[test]]
testTitle = 'Hungry'
runFailureWorkloads = false

    [[test.workload]]
    testName = 'ReadWrite'
    nodeCount = 100000
    valueBytes = 1000
    testDuration = 1.0
    transactionsPerSecond = 10.0
`;

interface Cli {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let dir = '';
let tiny = '';
let planted = '';

/** Runs the command line without blocking this thread (see faultlineAsync). */
async function cli(args: readonly string[]): Promise<Cli> {
  const r = await faultlineAsync(args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

type Line = Record<string, unknown>;

/** Every line of a results file, each checked to be whole JSON. */
function readLines(file: string): Line[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

const runs = (lines: readonly Line[]) => lines.filter((l) => l.kind === 'run');

/** What must agree between two sweeps of one plan (timings and trace paths may differ). */
function essence(l: Line) {
  return {
    index: l.index,
    spec: l.spec,
    seed: l.seed,
    buggify: l.buggify,
    outcome: l.outcome,
    verdict: l.verdict,
    signature: l.signature,
    unseed: l.unseed,
    traceHash: l.traceHash,
    reproduce: l.reproduce,
  };
}

/** The failure groups of a summary: each `[n] signature` line with the seeds line under it. */
function groups(summary: string): string[] {
  const lines = summary.split('\n');
  const out: string[] = [];
  lines.forEach((l, i) => {
    if (/^ {2}\[\d+\] /.test(l)) out.push(`${l.replace(/^ {2}\[\d+\] /, '')} / ${lines[i + 1]?.trim()}`);
  });
  return out;
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'sweep', 'worker-main.js'))) {
    throw new Error('the package is not built: run `npm run build` before the e2e tests');
  }
  dir = mkdtempSync(path.join(tmpdir(), 'faultline-sweep-'));
  tiny = path.join(dir, 'Tiny.toml');
  writeFileSync(tiny, TINY);
  // A planted-bug spec that does not declare expectFailure: its catches are ordinary failures. The
  // oracle is off so that every catch is the workload's own check (one failure signature to fold).
  planted = path.join(dir, 'Planted.toml');
  const negative = readFileSync(path.join(ROOT, 'tests', 'negative', 'TLogAcksBeforeFsync.toml'), 'utf8');
  writeFileSync(planted, negative.replace(/^expectFailure = true\n/m, 'oracle = false\n'));
  expect(readFileSync(planted, 'utf8')).not.toContain('expectFailure');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('faultline sweep', () => {
  it('sweeps tests/fast and tests/negative specs from a seeds file: every planted bug caught, exit 0, valid JUnit', async () => {
    const seeds = path.join(dir, 'corpus.txt');
    // A corpus of known seeds (`spec seed [on|off]`): a fast spec both ways and two negative specs on
    // seeds that catch their bug (measured: docs/negative-tests.md), plus one seed of one that misses.
    writeFileSync(
      seeds,
      [
        '# regression corpus',
        'tests/fast/Sideband.toml 1 off',
        'tests/fast/Sideband.toml 2 on',
        'tests/negative/TLogAcksBeforeFsync.toml 2',
        'tests/negative/TLogAcksBeforeFsync.toml 3',
        'tests/negative/ResolverIgnoresRangeReads.toml 1',
        '',
      ].join('\n'),
    );
    const results = path.join(dir, 'corpus.jsonl');
    const junit = path.join(dir, 'corpus.xml');
    const r = await cli([
      'sweep',
      'tests/fast',
      'tests/negative',
      '--seeds-file',
      seeds,
      '--jobs',
      '2',
      '--results',
      results,
      '--junit',
      junit,
      '--trace-dir',
      path.join(dir, 'traces'),
    ]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('tests/negative/TLogAcksBeforeFsync.toml: caught on 1 of 2 seeds (2)');
    expect(r.stdout).toContain('tests/negative/ResolverIgnoresRangeReads.toml: caught on 1 of 1 seeds (1)');
    expect(r.stdout).toContain('SWEEP PASSED');

    const lines = readLines(results);
    expect(lines[0]).toMatchObject({
      kind: 'faultline-sweep',
      planned: 5,
      total: 5,
      shard: { index: 1, count: 1 },
    });
    expect(lines.at(-1)).toMatchObject({ kind: 'end', finished: 5, stopped: 'completed' });
    const byKey = new Map(runs(lines).map((l) => [`${l.spec} ${l.seed}`, l]));
    expect(byKey.get('tests/fast/Sideband.toml 1')).toMatchObject({
      buggify: false,
      verdict: 'passed',
      exitCode: 0,
    });
    expect(byKey.get('tests/fast/Sideband.toml 2')).toMatchObject({ buggify: true, verdict: 'passed' });
    expect(byKey.get('tests/negative/TLogAcksBeforeFsync.toml 2')).toMatchObject({
      outcome: 'failed',
      verdict: 'caught',
      exitCode: 1,
      reproduce: 'faultline run tests/negative/TLogAcksBeforeFsync.toml --seed 2',
    });
    expect(byKey.get('tests/negative/TLogAcksBeforeFsync.toml 3')).toMatchObject({
      outcome: 'passed',
      verdict: 'missed',
    });

    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'testsuite' || n === 'testcase',
    }).parse(xml);
    const suites = doc.testsuites.testsuite as {
      name: string;
      failures: string;
      testcase: { name: string }[];
    }[];
    expect(suites.map((s) => s.name)).toEqual([
      'tests/fast/Sideband.toml',
      'tests/negative/TLogAcksBeforeFsync.toml',
      'tests/negative/ResolverIgnoresRangeReads.toml',
    ]);
    expect(suites.map((s) => s.testcase.length)).toEqual([2, 2, 1]);
    expect(suites[0]!.testcase.map((c) => c.name)).toEqual(['seed 1 (buggify off)', 'seed 2 (buggify on)']);
    expect(doc.testsuites.failures).toBe('0');
  });

  it('folds a planted bug into one failure group whose command replays it; N shards merged equal one sweep', async () => {
    const plan = [tiny, planted, '--seed-range', '1..3', '--buggify', 'off'];
    const whole = path.join(dir, 'whole.jsonl');
    const junit = path.join(dir, 'whole.xml');
    const r = await cli([
      'sweep',
      ...plan,
      '--jobs',
      '2',
      '--results',
      whole,
      '--junit',
      junit,
      '--trace-dir',
      path.join(dir, 'tw'),
    ]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('SWEEP FAILED');
    // Every seed the bug was caught on (2 and 3 of 1..3 when measured) folds into one group.
    const caught = runs(readLines(whole))
      .filter((l) => l.outcome === 'failed')
      .map((l) => Number(l.seed))
      .sort((a, b) => a - b);
    expect(caught.length).toBeGreaterThan(1);
    expect(
      runs(readLines(whole))
        .filter((l) => l.spec === tiny)
        .every((l) => l.outcome === 'passed'),
    ).toBe(true);
    const g = groups(r.stdout);
    expect(g).toEqual([
      `failed | ${planted} | TLogAcksBeforeFsync › VersionStamp: check | TestFailure / ${caught.length} runs: seeds ${caught.join(', ')}`,
    ]);
    const command = /reproduce: (faultline run .*)$/m.exec(r.stdout)?.[1];
    // The smallest seed; the spec pins buggify = false, so the command needs no --buggify flag.
    expect(command).toBe(`faultline run ${planted} --seed ${caught[0]}`);
    const replay = await cli([...command!.split(' ').slice(1), '--trace-dir', path.join(dir, 'replay')]);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toContain('The number of value keys differs from the number committed');
    // The failing runs kept their traces; the passing ones did not (--keep-traces failed).
    expect(existsSync(path.join(dir, 'tw', `Planted.${caught[0]}.jsonl`))).toBe(true);
    expect(existsSync(path.join(dir, 'tw', 'Tiny.1.jsonl'))).toBe(false);
    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain(`reproduce: faultline run ${planted} --seed ${caught[0]}\n`);

    const shards: string[] = [];
    for (const i of [1, 2, 3]) {
      const file = path.join(dir, `shard-${i}.jsonl`);
      const s = await cli([
        'sweep',
        ...plan,
        '--shard',
        `${i}/3`,
        '--jobs',
        '1',
        '--results',
        file,
        '--keep-traces',
        'none',
      ]);
      expect([0, 1]).toContain(s.status);
      shards.push(file);
    }
    const mergedFile = path.join(dir, 'merged.jsonl');
    const m = await cli([
      'merge',
      ...shards,
      '--results',
      mergedFile,
      '--junit',
      path.join(dir, 'merged.xml'),
    ]);
    expect(m.status, m.stdout + m.stderr).toBe(1);
    expect(groups(m.stdout)).toEqual(g);
    expect(runs(readLines(mergedFile)).map(essence)).toEqual(
      runs(readLines(whole))
        .map(essence)
        .sort((a, b) => Number(a.index) - Number(b.index)),
    );
    expect(XMLValidator.validate(readFileSync(path.join(dir, 'merged.xml'), 'utf8'))).toBe(true);

    // A missing shard is reported and fails the merge; a shard of another plan is refused.
    const partial = await cli(['merge', shards[0]!, shards[2]!]);
    expect(partial.status).toBe(1);
    expect(partial.stdout).toContain('shard 2/3 is missing');
    const other = path.join(dir, 'other.jsonl');
    await cli(['sweep', tiny, '--seed-range', '1..1', '--shard', '1/3', '--jobs', '1', '--results', other]);
    const mixed = await cli(['merge', shards[0]!, other]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain('come from different sweep plans');
  });

  it("a seed's run is the same alone as after 20 other runs in the same worker", async () => {
    const corpus = path.join(dir, 'isolation.txt');
    const lines = Array.from({ length: 20 }, (_, i) => `${tiny} ${100 + i} ${i % 2 ? 'on' : 'off'}`);
    writeFileSync(corpus, [...lines, `${tiny} 7 off`].join('\n'));
    const after = path.join(dir, 'after.jsonl');
    const alone = path.join(dir, 'alone.jsonl');
    expect(
      (await cli(['sweep', tiny, '--seeds-file', corpus, '--jobs', '1', '--results', after])).status,
    ).toBe(0);
    const single = [
      'sweep',
      tiny,
      '--seed-range',
      '7..7',
      '--buggify',
      'off',
      '--jobs',
      '1',
      '--results',
      alone,
    ];
    expect((await cli(single)).status).toBe(0);
    const last = runs(readLines(after)).find((l) => l.seed === 7)!;
    const only = runs(readLines(alone))[0]!;
    expect(last.traceHash).toBe(only.traceHash);
    expect(last.unseed).toBe(only.unseed);
    expect(runs(readLines(after))).toHaveLength(21);
  });

  it('--check-determinism re-runs the chosen share of runs in another worker and compares', async () => {
    const r = await cli(['sweep', tiny, '--seed-range', '1..2', '--check-determinism', '1', '--jobs', '2']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Determinism: 2 runs re-run in another worker; all matched');
    const bad = await cli(['sweep', tiny, '--seed-range', '1..2', '--check-determinism', '1.5']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--check-determinism: expected a share of runs in (0, 1]');
  });

  it('ends a run past --timeout or --max-memory as a failure of its own kind and finishes the sweep (exit 1)', async () => {
    const r = await cli([
      'sweep',
      'tests/slow/RecoverySweep.toml',
      '--seeds',
      '1',
      '--base-seed',
      '1',
      // The run takes about 0.4 s of wall time on an idle machine: a limit a quarter of that is passed
      // however fast the machine is.
      '--timeout',
      '0.1',
      '--jobs',
      '1',
      '--keep-traces',
      'none',
    ]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('Timed out (wall-clock limit; the worker was ended): 1 run in 1 group');
    expect(r.stdout).toContain('reproduce: faultline run tests/slow/RecoverySweep.toml --seed 1');
    // A spec that loads 100,000 values of 1,000 bytes (about 100 MB) cannot fit in 12 MB whenever the
    // collector runs; smaller specs sat near the limit and sometimes fit.
    const hungry = path.join(dir, 'Hungry.toml');
    writeFileSync(hungry, HUNGRY);
    const m = await cli([
      'sweep',
      hungry,
      '--seeds',
      '2',
      '--base-seed',
      '1',
      '--max-memory',
      '12',
      '--jobs',
      '1',
      '--buggify',
      'off',
      '--keep-traces',
      'none',
    ]);
    expect(m.status, m.stdout + m.stderr).toBe(1);
    expect(m.stdout).toContain('Out of memory (the worker was ended): 2 runs in 1 group');
  });

  it('stops cleanly on Ctrl-C (SIGINT to the process group) with exit 130, leaving valid results and JUnit of what finished', async () => {
    const results = path.join(dir, 'interrupted.jsonl');
    const junit = path.join(dir, 'interrupted.xml');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'sweep',
        tiny,
        '--seeds',
        '200',
        '--base-seed',
        '1',
        '--jobs',
        '1',
        '--results',
        results,
        '--junit',
        junit,
      ],
      // Its own process group, as a terminal's foreground job: Ctrl-C reaches the sweep and its workers.
      { cwd: ROOT, env: ENV, detached: true },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once two runs have finished.
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(results) && runs(readLines(results)).length >= 2) break;
    }
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    const lines = readLines(results);
    const end = lines.at(-1)!;
    expect(end).toMatchObject({ kind: 'end', stopped: 'interrupted' });
    expect(runs(lines).length).toBe(end.finished);
    // The workers got the Ctrl-C too; no run in flight is recorded as a crash of its worker.
    expect(runs(lines).filter((r) => r.outcome !== 'passed')).toEqual([]);
    expect(stdout).toContain('SWEEP INTERRUPTED');
    expect(runs(lines).length).toBeLessThan(200);
    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain(`tests="${runs(lines).length}"`);
  });

  it('refuses bad input with exit 2 and a message naming the problem', async () => {
    const missing = await cli(['sweep', 'tests/fast/NoSuchSpec.toml', '--seeds', '1']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('tests/fast/NoSuchSpec.toml: no such spec file or folder');
    const shard = await cli(['sweep', tiny, '--seeds', '1', '--base-seed', '1', '--shard', '4/3']);
    expect(shard.status).toBe(2);
    expect(shard.stderr).toContain('--shard: expected I/N with 1 <= I <= N');
    const random = await cli(['sweep', tiny, '--seeds', '1', '--shard', '1/2']);
    expect(random.status).toBe(2);
    expect(random.stderr).toContain('give --base-seed, --seed-range or --seeds-file');
    const corpus = path.join(dir, 'bad-corpus.txt');
    writeFileSync(corpus, `${tiny} 1\n${tiny} seven\n`);
    const bad = await cli(['sweep', tiny, '--seeds-file', corpus]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${corpus}:2: expected 'spec seed [on|off]'`);
    const notResults = path.join(dir, 'not-results.jsonl');
    mkdirSync(path.dirname(notResults), { recursive: true });
    copyFileSync(tiny, notResults);
    const merge = await cli(['merge', notResults]);
    expect(merge.status).toBe(2);
    expect(merge.stderr).toContain(`${notResults}:1: not a JSON line`);
  });
});
