// Tables of the terminal report: the one file that imports cli-table3. Headers are styled by the
// caller; the table adds no colour of its own, so NO_COLOR and pipes get plain text.
import Table from 'cli-table3';

/** Options of one table. */
export interface TableOptions {
  /** Column widths in characters (null: fit the content). Long cells wrap on word boundaries. */
  readonly colWidths?: readonly (number | null)[];
  /** Right-align these columns (numbers). */
  readonly rightAligned?: readonly number[];
}

/** Renders a boxed table with a header row. */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  opts: TableOptions = {},
): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    wordWrap: true,
    wrapOnWordBoundary: true,
    ...(opts.colWidths ? { colWidths: [...opts.colWidths] } : {}),
    colAligns: head.map((_, i) => (opts.rightAligned?.includes(i) ? 'right' : 'left')),
  });
  for (const r of rows) table.push([...r]);
  return table.toString();
}
