// The compatibility report's table survives a partial re-run: `--only` keeps every other spec's row as the
// previous report had it, so the rows read back from a rendered report must be the rows rendered.
import { describe, expect, it } from 'vitest';
import { type CompatRow, previousRows, renderReport, specWorkloads } from '../../../bench/fdb-compat.js';

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
      /Summary: 2 specs; 1 pass on every seed; 1 are rejected before running; 1 were not run for this report\./,
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
});
