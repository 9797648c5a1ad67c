// The sweep's summary and its files: the same bug on many seeds is one group with the smallest seed's
// command; did-not-finish and crashes are groups of their own; negative specs pass when caught on some
// seed; sometimes-assertions never hit are listed; JUnit is valid XML; result files read back exactly and
// malformed ones are refused with file and line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { renderJUnit } from '../../../src/report/junit.js';
import { junitSuites } from '../../../src/sweep/junit-suites.js';
import { mergeResults } from '../../../src/sweep/merge.js';
import type { SweepRecord } from '../../../src/sweep/record.js';
import { type ResultsHeader, readResultsFile, writeResultsFile } from '../../../src/sweep/results-file.js';
import { summarize } from '../../../src/sweep/summary.js';
import { githubAnnotation, renderSummary } from '../../../src/sweep/summary-text.js';

let index = 0;
function rec(over: Partial<SweepRecord>): SweepRecord {
  return {
    index: index++,
    spec: 'tests/fast/A.toml',
    specSha256: 'aa',
    title: 'A',
    seed: 1,
    buggify: false,
    expectFailure: false,
    outcome: 'passed',
    verdict: 'passed',
    exitCode: 0,
    wallSeconds: 1,
    reproduce: 'faultline run tests/fast/A.toml --seed 1',
    sometimes: [],
    ...over,
  };
}

const fail = (seed: number, sig = 'failed | A | T › Cycle: check | TestFailure'): SweepRecord =>
  rec({
    seed,
    outcome: 'failed',
    verdict: 'failed',
    exitCode: 1,
    signature: sig,
    message: `Cycle broke on ${seed} <&>`,
    reproduce: `faultline run tests/fast/A.toml --seed ${seed}`,
  });

const records: SweepRecord[] = [
  fail(9),
  rec({
    seed: 2,
    sometimes: [
      { name: 'Cycle: wrapped', hit: false },
      { name: 'Cycle: retried', hit: true },
    ],
  }),
  fail(4),
  rec({
    seed: 3,
    sometimes: [
      { name: 'Cycle: wrapped', hit: false },
      { name: 'Cycle: retried', hit: false },
    ],
  }),
  fail(5, 'did-not-finish | A | running | the event queue is empty'),
  rec({
    seed: 6,
    outcome: 'crash',
    verdict: 'failed',
    exitCode: 70,
    signature: 'crash | A | boom',
    message: 'boom\n  at x',
  }),
  rec({
    spec: 'tests/negative/N.toml',
    seed: 1,
    expectFailure: true,
    outcome: 'failed',
    verdict: 'caught',
    exitCode: 1,
  }),
  rec({ spec: 'tests/negative/N.toml', seed: 2, expectFailure: true, verdict: 'missed' }),
  rec({ spec: 'tests/negative/M.toml', seed: 1, expectFailure: true, verdict: 'missed' }),
];

describe('sweep summary', () => {
  const s = summarize(records, 12);

  it('groups failures by signature, smallest seed first, with that seed’s command', () => {
    expect(s.groups.map((g) => [g.outcome, g.seeds])).toEqual([
      ['failed', [4, 9]],
      ['failed', [5]],
      ['crash', [6]],
    ]);
    expect(s.groups[0]!.reproduce).toBe('faultline run tests/fast/A.toml --seed 4');
    expect(s.groups[0]!.message).toBe('Cycle broke on 4 <&>');
    expect(s).toMatchObject({
      finished: 9,
      planned: 12,
      passed: 2,
      failed: 4,
      caught: 1,
      missed: 2,
      failing: true,
    });
  });

  it('judges negative specs over all their seeds, and lists sometimes-assertions no run hit', () => {
    expect(s.negatives).toEqual([
      { spec: 'tests/negative/M.toml', runs: 1, caught: 0, caughtSeeds: [] },
      { spec: 'tests/negative/N.toml', runs: 2, caught: 1, caughtSeeds: [1] },
    ]);
    expect(s.neverHit).toEqual([{ spec: 'tests/fast/A.toml', name: 'Cycle: wrapped', runs: 2 }]);
    // Only the uncaught negative spec fails this sweep of passing runs; a shard defers that to the merge.
    const negOnly = records.filter((r) => r.expectFailure);
    expect(summarize(negOnly, 3).failing).toBe(true);
    expect(summarize(negOnly, 3, true).failing).toBe(false);
    expect(
      summarize(
        negOnly.filter((r) => r.spec.endsWith('N.toml')),
        2,
      ).failing,
    ).toBe(false);
  });

  it('renders the groups, the negative specs and the never-hit assertions; annotates for GitHub', () => {
    const text = renderSummary(s, {
      seedsLabel: 'seeds 1..9',
      wallSeconds: 3,
      jobs: 2,
      stopped: 'completed',
    });
    expect(text).toContain('  [1] failed | A | T › Cycle: check | TestFailure\n      2 runs: seeds 4, 9\n');
    expect(text).toContain('Crashes (a bug in faultline or a plugin): 1 run in 1 group');
    expect(text).toContain('tests/negative/M.toml: NOT CAUGHT on any of 1 seeds');
    expect(text).toContain('tests/fast/A.toml: Cycle: wrapped (2 runs)');
    expect(text.trimEnd().endsWith('SWEEP FAILED')).toBe(true);
    expect(githubAnnotation(s.groups[2]!)).toBe(
      '::error file=tests/fast/A.toml,title=crash: tests/fast/A.toml (1 seed)::boom%0Aseeds: 6%0Areproduce: faultline run tests/fast/A.toml --seed 1\n',
    );
  });

  it('writes JUnit a real XML parser reads: a suite per spec, a case per seed, failures with the command', () => {
    const xml = renderJUnit('faultline sweep', junitSuites(records, s, false));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (n) => n === 'testsuite' || n === 'testcase',
    }).parse(xml);
    const suites = doc.testsuites.testsuite as { name: string; testcase: Record<string, unknown>[] }[];
    expect(suites.map((x) => [x.name, x.testcase.length])).toEqual([
      ['tests/fast/A.toml', 6],
      ['tests/negative/N.toml', 2],
      ['tests/negative/M.toml', 2],
    ]);
    const first = suites[0]!.testcase[0]! as { name: string; failure: { message: string; '#text': string } };
    expect(first.name).toBe('seed 9 (buggify off)');
    expect(first.failure.message).toBe('Cycle broke on 9 <&>');
    expect(first.failure['#text']).toContain('reproduce: faultline run tests/fast/A.toml --seed 9');
    expect(suites[0]!.testcase[5]).toHaveProperty('error');
    expect(doc.testsuites.failures).toBe('4');
    expect(doc.testsuites.errors).toBe('1');
  });
});

describe('results files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-results-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const header = (shard: number, over: Partial<ResultsHeader> = {}): ResultsHeader => ({
    kind: 'faultline-sweep',
    format: 1,
    version: '0.1.0',
    planId: 'p1',
    seedsLabel: 'seeds 1..9',
    total: 9,
    shard: { index: shard, count: 2 },
    planned: shard === 1 ? 5 : 4,
    specs: [],
    jobs: 1,
    ...over,
  });

  it('reads back what was written, and merges shards in plan order', () => {
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    const even = records.filter((r) => r.index % 2 === 0);
    const odd = records.filter((r) => r.index % 2 === 1);
    writeResultsFile(a, header(1), even, { finished: even.length, stopped: 'completed', wallSeconds: 2 });
    writeResultsFile(b, header(2), odd, { finished: odd.length, stopped: 'completed', wallSeconds: 3 });
    expect(readResultsFile(a).records).toEqual(even);
    const m = mergeResults([readResultsFile(b), readResultsFile(a)]);
    expect(m.records).toEqual([...records].sort((x, y) => x.index - y.index));
    expect(m.gaps).toEqual([]);
    expect(m.wallSeconds).toBe(3);
    const c = path.join(dir, 'c.jsonl');
    writeResultsFile(c, header(2, { version: '0.2.0' }), odd, {
      finished: 4,
      stopped: 'completed',
      wallSeconds: 1,
    });
    expect(() => mergeResults([readResultsFile(a), readResultsFile(c)])).toThrow(
      /faultline 0.1.0 .* faultline 0.2.0/,
    );
    const d = path.join(dir, 'd.jsonl');
    writeResultsFile(d, header(2), odd.slice(1), { finished: 3, stopped: 'interrupted', wallSeconds: 1 });
    expect(mergeResults([readResultsFile(a), readResultsFile(d)]).gaps).toEqual([
      `shard 2/2 (${d}) stopped early (interrupted) after 3 of 4 runs`,
    ]);
  });

  it('refuses a malformed line with the file and line', () => {
    const f = path.join(dir, 'bad.jsonl');
    writeFileSync(
      f,
      `${JSON.stringify(header(1))}\n${JSON.stringify({ kind: 'run', ...records[0], seed: 'x' })}\n`,
    );
    let err: unknown;
    try {
      readResultsFile(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as BadInputError).format()).toBe(
      `${f}:2: seed: expected a number (is this a results file written by faultline sweep --results?)`,
    );
  });
});
