// The compatibility report's table survives a partial re-run: `--only` keeps every other spec's row as the
// previous report had it, so the rows read back from a rendered report must be the rows rendered.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CompatRow,
  childStatus,
  cutShortStatus,
  previousRows,
  renderReport,
  specStatus,
  specWorkloads,
} from '../../../bench/fdb-compat.js';
import { Registry } from '../../../src/workload/registry.js';
import { builtinWorkloads } from '../../../workloads/index.js';

const rows: CompatRow[] = [
  {
    fdbPath: 'tests/fast/A.toml',
    workloads: ['Cycle', 'Attrition'],
    statuses: ['passes', 'passes', 'passes'],
  },
  {
    fdbPath: 'tests/slow/B.toml',
    workloads: ['X'],
    statuses: ["rejected: unknown workload 'X' (testName)", 'fails: a|b', 'not run in this report'],
  },
];

describe('fdb-compat report', () => {
  it('reads back the rows it rendered, a | inside a status included, and keeps the Changes log', () => {
    const text = renderReport(rows, [1, 2, 3], '## Changes\n\n- one change\n');
    expect([...previousRows(text).values()]).toEqual(rows);
    expect(text).toMatch(
      /Summary: 2 specs; 1 passes on every seed; 1 is rejected before running; 1 fails on some seed; 1 was not run for this report\./,
    );
    expect(renderReport(rows.slice(0, 1), [1, 2, 3], '')).toMatch(/are rejected before running\.\n/);
    expect(text.endsWith('## Changes\n\n- one change\n')).toBe(true);
  });

  it('finds no rows in a report without a table', () => {
    expect(previousRows('# nothing here\n').size).toBe(0);
  });

  it("lists a spec's workloads once each, in order", () => {
    const spec =
      "[[test]]\n  [[test.workload]]\n  testName = 'Cycle'\n  [[test.workload]]\n  testName = \"Attrition\"\n[[test]]\n  [[test.workload]]\n  testName = 'Cycle'\n";
    expect(specWorkloads(spec)).toEqual(['Cycle', 'Attrition']);
  });

  it('counts specs that fail a seed and seeds cut short by the wall-time limit in the summary', () => {
    const more: CompatRow[] = [
      ...rows,
      { fdbPath: 'tests/slow/C.toml', workloads: ['Cycle'], statuses: ['fails: x', 'passes', 'passes'] },
      {
        fdbPath: 'tests/slow/D.toml',
        workloads: ['Cycle'],
        statuses: [cutShortStatus(600), 'passes', 'passes'],
      },
    ];
    const text = renderReport(more, [1, 2, 3], '');
    expect(text).toMatch(
      /Summary: 4 specs; 1 passes on every seed; 1 is rejected before running; 2 fail on some seed; 1 did not finish a seed within the wall-time limit; 1 was not run for this report\./,
    );
    expect(previousRows(text).get('tests/slow/D.toml')?.statuses[0]).toBe(
      'not finished within 10 minutes of wall time',
    );
  });

  it('names the wall-time limit in minutes, or in seconds when it is not whole minutes', () => {
    expect(cutShortStatus(60)).toBe('not finished within 1 minute of wall time');
    expect(cutShortStatus(90)).toBe('not finished within 90 s of wall time');
  });

  it('--max-wall: a seed run in a child process gives the status it gives in process', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fdb-compat-'));
    const file = path.join(dir, 'Unknown.toml');
    writeFileSync(file, "[[test]]\ntestTitle = 'T'\n  [[test.workload]]\n  testName = 'NoSuchWorkload'\n");
    const inProcess = await specStatus(file, 1, new Registry(builtinWorkloads));
    expect(inProcess).toMatch(/^rejected: unknown workload 'NoSuchWorkload'/);
    const r = await childStatus(file, 1, 120);
    expect(r.status).toBe(inProcess);
    expect(r.cpuSeconds).toBeGreaterThan(0);
  }, 130_000);

  it('--max-wall: a seed still running at the limit is ended and says so', async () => {
    // Cycle and Attrition for 10,000 simulated seconds: minutes of wall time, never 3 seconds.
    const r = await childStatus('tests/fdb/upstream/tests/slow/LongRunning.toml', 1, 3);
    expect(r.status).toBe('not finished within 3 s of wall time');
    expect(r.wallSeconds).toBeGreaterThanOrEqual(3);
    expect(r.wallSeconds).toBeLessThan(30);
    expect(r.cpuSeconds).toBeUndefined();
  }, 60_000);
});
