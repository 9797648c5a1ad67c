// Tables of the terminal report: the one file that imports cli-table3. Headers are styled by the
// caller; the table adds no colour of its own, so NO_COLOR and pipes get plain text. Given a width (the
// terminal's columns), a table that would be wider is fitted: its widest columns wrap first.
import Table from 'cli-table3';

/** Options of one table. */
export interface TableOptions {
  /** Column widths in characters (null: fit the content). Long cells wrap on word boundaries. */
  readonly colWidths?: readonly (number | null)[];
  /** Right-align these columns (numbers). */
  readonly rightAligned?: readonly number[];
  /** Most characters per line, borders included (the terminal's width); overrides `colWidths`. */
  readonly maxWidth?: number;
}

/** Narrowest a column is squeezed to (padding included) before the table gives up fitting. */
const MIN_COLUMN = 6;

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC
const ANSI = /\x1b\[[0-9;]*m/g;
/** Control characters other than newline and colour codes: a trace's text must not drive the terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /\x1b(?!\[[0-9;]*m)|[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f-\x9f]/g;

/** Text made safe for a terminal: control characters from traces shown as `\xNN`, colour codes kept. */
export function terminalSafe(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function visible(s: string): string {
  return s.replace(ANSI, '');
}

/** Widest line and widest word of a cell, in visible characters. */
function measure(cell: string): { line: number; word: number } {
  let line = 0;
  let word = 0;
  for (const l of visible(cell).split('\n')) {
    line = Math.max(line, l.length);
    for (const w of l.split(/\s+/)) word = Math.max(word, w.length);
  }
  return { line, word };
}

/**
 * Column widths (padding included) that fit `maxWidth`: every column at its natural width if that fits;
 * otherwise the widest columns give way first, down to their longest word, then below it.
 */
export function fitColumns(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidth: number,
): number[] {
  const n = head.length;
  const natural = new Array<number>(n).fill(0);
  const words = new Array<number>(n).fill(0);
  for (const r of [head, ...rows]) {
    for (let i = 0; i < n; i++) {
      const m = measure(r[i] ?? '');
      natural[i] = Math.max(natural[i]!, m.line + 2);
      words[i] = Math.max(words[i]!, m.word + 2);
    }
  }
  const available = maxWidth - (n + 1);
  const widths = [...natural];
  let total = widths.reduce((a, b) => a + b, 0);
  for (const floor of [(i: number) => Math.min(words[i]!, natural[i]!), () => MIN_COLUMN]) {
    while (total > available) {
      let widest = -1;
      for (let i = 0; i < n; i++) {
        if (widths[i]! > floor(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      }
      if (widest < 0) break;
      widths[widest]!--;
      total--;
    }
  }
  return widths;
}

/** Narrowest each column can be without breaking a word (padding included). */
function wordFloors(head: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return head.map((_, i) => Math.max(...[head, ...rows].map((r) => measure(r[i] ?? '').word + 2)));
}

/**
 * Column groups, in order, that each fit `maxWidth` without breaking words; one group when the table
 * fits as it is. A table too wide even so (a wide overview) is shown as several narrower tables.
 */
function columnGroups(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidth: number,
): number[][] {
  const floors = wordFloors(head, rows);
  const groups: number[][] = [[]];
  let used = 1;
  floors.forEach((f, i) => {
    const group = groups.at(-1)!;
    if (group.length > 0 && used + f + 1 > maxWidth) {
      groups.push([i]);
      used = 1 + f + 1;
    } else {
      group.push(i);
      used += f + 1;
    }
  });
  // Even groups read better than a full one and a straggler, when they fit too.
  const size = Math.ceil(floors.length / groups.length);
  const even = Array.from({ length: groups.length }, (_, g) =>
    floors.map((_, i) => i).slice(g * size, (g + 1) * size),
  ).filter((g) => g.length > 0);
  const fits = even.every((g) => g.reduce((a, i) => a + floors[i]! + 1, 1) <= maxWidth);
  return fits ? even : groups;
}

/** Renders a boxed table with a header row. */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  opts: TableOptions = {},
): string {
  rows = rows.map((r) => r.map(terminalSafe));
  if (opts.maxWidth !== undefined && head.length > 1) {
    const groups = columnGroups(head, rows, opts.maxWidth);
    if (groups.length > 1) {
      return groups
        .map((g) =>
          renderTable(
            g.map((i) => head[i]!),
            rows.map((r) => g.map((i) => r[i] ?? '')),
            { ...opts, rightAligned: g.flatMap((i, k) => (opts.rightAligned?.includes(i) ? [k] : [])) },
          ),
        )
        .join('\n');
    }
  }
  const colWidths =
    opts.maxWidth !== undefined
      ? fitColumns(head, rows, opts.maxWidth)
      : opts.colWidths
        ? [...opts.colWidths]
        : undefined;
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    wordWrap: true,
    wrapOnWordBoundary: true,
    ...(colWidths ? { colWidths } : {}),
    colAligns: head.map((_, i) => (opts.rightAligned?.includes(i) ? 'right' : 'left')),
  });
  for (const r of rows) table.push([...r]);
  return table.toString();
}
