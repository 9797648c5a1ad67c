// `faultline render` as a user runs it on the built package: the report of a kept trace equals what
// `faultline run` printed (the real-time cell aside) for a passing run, a planted-bug failure and a run
// that did not finish, with the same exit code; and a file that is not a trace is a one-line error.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline, ROOT } from '../support/faultline-cli.js';

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
  dir = mkdtempSync(path.join(tmpdir(), 'faultline-render-'));
  writeFileSync(path.join(dir, 'quick.toml'), QUICK);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The text report without the Real Time cell (the one thing the trace leaves out). */
function withoutRealTime(text: string): string {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => l.includes('Real Time'));
  expect(header).toBeGreaterThan(0);
  const row = header + 2; // header, rule, values
  const cells = lines[row]!.split('│');
  cells[4] = '';
  lines[row] = cells.join('│');
  return lines.join('\n');
}

function jsonWithoutRealTime(text: string): unknown {
  const doc = JSON.parse(text) as { realTime?: unknown; overview: { realTime?: unknown } };
  delete doc.realTime;
  delete doc.overview.realTime;
  return doc;
}

/** Runs a spec (text and JSON), renders the trace it wrote both ways, and compares. */
function runThenRender(
  name: string,
  spec: string,
  seed: number,
  extra: readonly string[],
  code: number,
): string {
  const traces = path.join(dir, name);
  mkdirSync(traces, { recursive: true });
  const args = ['run', spec, '--seed', String(seed), '--trace-dir', traces, ...extra];
  const text = faultline(args);
  expect(text.code, text.stderr).toBe(code);
  const trace = /trace: (\S+\.jsonl)/.exec(text.stderr)![1]!;
  const json = faultline([...args, '--format', 'json']);
  expect(json.code).toBe(code);

  const renderedText = faultline(['render', trace]);
  expect(renderedText.code, renderedText.stderr).toBe(code);
  expect(withoutRealTime(renderedText.stdout)).toBe(withoutRealTime(text.stdout));
  expect(renderedText.stdout).toMatch(/│ Real Time │/);

  const renderedJson = faultline(['render', trace, '--format', 'json']);
  expect(renderedJson.code).toBe(code);
  expect(jsonWithoutRealTime(renderedJson.stdout)).toEqual(jsonWithoutRealTime(json.stdout));
  return trace;
}

describe('faultline render: the same report as run', () => {
  it('a passing run: exit 0 and the same text and JSON', () => {
    const trace = runThenRender('pass', path.join(dir, 'quick.toml'), 42, [], 0);
    const r = faultline(['render', trace, '--all-events']);
    expect(r.stdout).toContain('PASSED: 1 test');
    expect(r.stdout).toContain('Clog Pair');
  });

  it('a planted-bug run that fails: exit 1, the failure in the verdict', () => {
    runThenRender('fail', path.join(ROOT, 'tests/negative/GrvSkipsEpochCheck.toml'), 1, [], 1);
  });

  it('a run that did not finish: exit 3, the stuck tasks in the verdict', () => {
    const trace = runThenRender('dnf', path.join(dir, 'quick.toml'), 42, ['--max-sim-seconds', '3'], 3);
    const r = faultline(['render', trace]);
    expect(r.stdout).toContain('DID NOT FINISH: simulated time limit');
    expect(r.stdout).toContain('stuck: main');
  });

  it('a trace cut off mid-run renders what it has, says what is missing, and counts malformed lines', () => {
    const full = path.join(dir, 'pass', 'QuickCycle.42.jsonl');
    const lines = readFileSync(full, 'utf8').split('\n');
    const cut = path.join(dir, 'cut.jsonl');
    // Half the lines, two garbage lines, and a last line cut off mid-write.
    const half = lines.slice(0, Math.floor(lines.length / 2));
    writeFileSync(
      cut,
      `${half.slice(0, 3).join('\n')}\nnot json\n{"Severity":"99"}\n${half.slice(3).join('\n')}\n{"Sev`,
    );
    const r = faultline(['render', cut]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('DID NOT FINISH: the trace ends early (no RunSummary, no ElapsedTime)');
    expect(r.stdout).toContain('Simulation Overview');
    expect(r.stderr).toContain('3 of');
    expect(r.stderr).toContain(`${cut}:4: malformed trace line`);
    expect(r.stderr).toContain(`${cut}:5: malformed trace line: Severity "99"`);
    expect(r.stderr).toContain('it was cut off while being written');
    expect(r.stderr).toContain('the trace is truncated: no RunSummary, no ElapsedTime event');
  });
});

describe('--html into a folder that does not exist', () => {
  it('run stops before running (exit 2, no trace written); render says so in one line', () => {
    const traces = path.join(dir, 'html-missing');
    const r = faultline([
      'run',
      path.join(dir, 'quick.toml'),
      '--seed',
      '1',
      '--trace-dir',
      traces,
      '--html',
      path.join(dir, 'nope', 'x.html'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/x\.html: --html: cannot write the HTML report: no folder/);
    expect(existsSync(traces)).toBe(false);
    const fixture = path.join(ROOT, 'tests/unit/report/fixtures/fdb-pass.jsonl');
    const rr = faultline(['render', fixture, '--html', path.join(dir, 'nope', 'x.html')]);
    expect(rr.code).toBe(2);
    expect(rr.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('faultline render: files that are not traces', () => {
  const cases: [string, () => string, RegExp][] = [
    [
      'a missing file',
      () => path.join(dir, 'nope.jsonl'),
      /nope\.jsonl: cannot read the trace: no such file/,
    ],
    [
      'a folder without traces',
      () => {
        const d = path.join(dir, 'no-traces');
        mkdirSync(d, { recursive: true });
        writeFileSync(path.join(d, 'readme.txt'), 'not a trace\n');
        return d;
      },
      /no-traces: this folder holds no trace files/,
    ],
    [
      'an empty file',
      () => {
        const f = path.join(dir, 'empty.jsonl');
        writeFileSync(f, '\n\n');
        return f;
      },
      /empty\.jsonl: the trace is empty/,
    ],
    [
      'a binary file',
      () => {
        const f = path.join(dir, 'binary.jsonl');
        writeFileSync(f, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0]));
        return f;
      },
      /binary\.jsonl: this is a binary file, not a trace/,
    ],
    [
      'a huge line',
      () => {
        const f = path.join(dir, 'huge.jsonl');
        writeFileSync(f, '{"Severity":"10","Time":"0.000000","Type":"X"}\n');
        appendFileSync(f, `{"Severity":"10","Type":"${'x'.repeat(2 * 1024 * 1024)}"}\n`);
        return f;
      },
      /huge\.jsonl:2: a line longer than 1048576 characters/,
    ],
    [
      'a text file with no events',
      () => {
        const f = path.join(dir, 'notes.txt');
        writeFileSync(f, 'hello\nworld\n');
        return f;
      },
      /notes\.txt: no line of it is a trace event/,
    ],
  ];
  for (const [what, file, message] of cases) {
    it(`${what}: one line on stderr, exit 2`, () => {
      const r = faultline(['render', file()]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
