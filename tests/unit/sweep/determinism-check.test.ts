// --check-determinism: a re-run that disagrees on trace hash or unseed turns the run nondeterministic,
// naming the first differing trace line; a re-run that agrees leaves the run as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SweepRecord } from '../../../src/sweep/record.js';
import { compareRuns } from '../../../src/sweep/sweep.js';

const dir = mkdtempSync(path.join(tmpdir(), 'faultline-recheck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (time: string, type: string) =>
  `{"Severity":"10","Time":"${time}","Type":"${type}","Machine":"0.0.0.0:0","ID":"0000000000000000"}`;

const record: SweepRecord = {
  index: 3,
  spec: 'tests/fast/A.toml',
  specSha256: 'aa',
  title: 'A',
  seed: 42,
  buggify: false,
  expectFailure: false,
  outcome: 'passed',
  verdict: 'passed',
  exitCode: 0,
  unseed: 100,
  traceHash: 'aaaa',
  wallSeconds: 1,
  reproduce: 'faultline run tests/fast/A.toml --seed 42',
  sometimes: [],
};

describe('the determinism re-check', () => {
  const first = path.join(dir, 'first.jsonl');
  const second = path.join(dir, 'second.jsonl');
  writeFileSync(
    first,
    `${[line('0.000000', 'ProgramStart'), line('1.500000', 'ClogInterface')].join('\n')}\n`,
  );
  writeFileSync(
    second,
    `${[line('0.000000', 'ProgramStart'), line('1.750000', 'Assassination')].join('\n')}\n`,
  );

  it('leaves an agreeing run as it was', () => {
    expect(
      compareRuns(record, { kind: 'record', record: { ...record, wallSeconds: 2 } }, first, second),
    ).toBe(record);
  });

  it('marks a disagreeing run nondeterministic, failed, exit 4, naming the first differing line', () => {
    const r = compareRuns(
      record,
      { kind: 'record', record: { ...record, traceHash: 'bbbb', unseed: 7 } },
      first,
      second,
    );
    expect(r).toMatchObject({
      outcome: 'nondeterministic',
      verdict: 'failed',
      exitCode: 4,
      signature: 'nondeterministic | tests/fast/A.toml',
    });
    expect(r.message).toContain('two runs of seed 42 differ (trace hash aaaa vs bbbb, unseed 100 vs 7)');
    expect(r.message).toContain('first difference at trace line 2 (ClogInterface at 1.500000 s)');
    expect(r.message).toContain(`second run: ${line('1.750000', 'Assassination')}`);
  });

  it('counts a re-run that ended otherwise (a timeout) as nondeterministic too', () => {
    const r = compareRuns(
      record,
      {
        kind: 'lost',
        outcome: 'timeout',
        message: 'the run passed the wall-clock limit of 5 s',
        wallSeconds: 5,
      },
      first,
      second,
    );
    expect(r.outcome).toBe('nondeterministic');
    expect(r.message).toContain('wall-clock limit of 5 s');
  });
});
