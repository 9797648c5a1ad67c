// The terminal report as a terminal shows it: tables fitted to the width (80 and 200 columns), and colour
// only on a terminal without NO_COLOR or --no-color; piped output carries no escape codes.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { fitColumns, renderTable } from '../../../src/report/table.js';

const TRACE = fileURLToPath(new URL('./fixtures/fdb-pass.jsonl', import.meta.url));
const ESC = '\x1b[';

async function render(
  args: readonly string[],
  tty: { isTTY: boolean; columns?: number; env?: Record<string, string> },
): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: () => {},
    env: tty.env ?? {},
    isTTY: tty.isTTY,
    ...(tty.columns !== undefined ? { columns: tty.columns } : {}),
    clock: () => 0,
    randomSeed: () => 1,
    builtins: [],
  };
  const code = await main(['node', 'faultline', 'render', TRACE, ...args], io);
  return { code, out: out.join('') };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes start with ESC
const visible = (s: string) => s.replaceAll(/\x1b\[[0-9;]*m/g, '');
const widest = (s: string) =>
  Math.max(
    ...visible(s)
      .split('\n')
      .map((l) => l.length),
  );

describe('tables fitted to the terminal', () => {
  it('at 80 columns every line fits and nothing is lost', async () => {
    const wide = await render([], { isTTY: false });
    expect(widest(wide.out)).toBeGreaterThan(80); // the fixture's tables are wider than 80 unfitted
    const r = await render(['--all-events'], { isTTY: true, columns: 80, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    const tableLines = r.out.split('\n').filter((l) => /^[│┌└├]/.test(l));
    expect(Math.max(...tableLines.map((l) => l.length))).toBeLessThanOrEqual(80);
    const flat = r.out.replaceAll(/[│\s]+/g, ' ');
    for (const text of [
      'Commit',
      'Proxies',
      'Coordinators',
      'KillInstantly process at 2.0.1.3:1',
      'new coordinators 2.0.1.0:1,2.0.1.1:1,2.0.1.4:1',
    ]) {
      expect(flat).toContain(text);
    }
  });

  it('at 200 columns rows stay on one line', async () => {
    const r = await render([], { isTTY: true, columns: 200, env: { NO_COLOR: '1' } });
    const lines = r.out.split('\n');
    expect(Math.max(...lines.filter((l) => /^[│┌└├]/.test(l)).map((l) => l.length))).toBeLessThanOrEqual(200);
    expect(
      lines.some((l) => l.includes('Machines') && l.includes('Commit Proxies') && l.includes('Testers')),
    ).toBe(true);
    expect(lines.some((l) => l.includes('Disk Failure') && l.includes('throttle 2s'))).toBe(true);
  });

  it('COLUMNS sets the width when stdout is not a terminal', async () => {
    const r = await render([], { isTTY: false, env: { COLUMNS: '80' } });
    expect(
      Math.max(
        ...r.out
          .split('\n')
          .filter((l) => /^[│┌└├]/.test(l))
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(80);
  });

  it('fitColumns keeps natural widths when they fit and narrows the widest column first', () => {
    expect(fitColumns(['a', 'bb'], [['xxx', 'y']], 40)).toEqual([5, 4]);
    const w = fitColumns(
      ['Time', 'Details'],
      [['1.000', 'a long line of details that will have to wrap somewhere']],
      40,
    );
    expect(w[0]).toBe(7);
    expect(w[0]! + w[1]! + 3).toBe(40);
    const table = renderTable(
      ['Time', 'Details'],
      [['1.000', 'a long line of details that will have to wrap somewhere']],
      { maxWidth: 40 },
    );
    expect(widest(table)).toBeLessThanOrEqual(40);
    expect(table.replaceAll(/[│\s]+/g, ' ')).toContain(
      'a long line of details that will have to wrap somewhere',
    );
  });
});

describe('control characters from a trace', () => {
  it('show as \\xNN instead of reaching the terminal', async () => {
    const r = await render(['--all-events'], { isTTY: false });
    expect(r.out).toContain('storage-\\x7f.sqlite');
    expect(r.out).not.toContain('\x7f');
  });
});

describe('colour', () => {
  it('colours a terminal', async () => {
    expect((await render([], { isTTY: true, columns: 120 })).out).toContain(ESC);
  });
  it('no escape codes when piped, with NO_COLOR, or with --no-color', async () => {
    expect((await render([], { isTTY: false })).out).not.toContain(ESC);
    expect((await render([], { isTTY: true, columns: 120, env: { NO_COLOR: '1' } })).out).not.toContain(ESC);
    expect((await render(['--no-color'], { isTTY: true, columns: 120 })).out).not.toContain(ESC);
    expect(
      (await render(['--no-color'], { isTTY: true, columns: 120, env: { FORCE_COLOR: '1' } })).out,
    ).not.toContain(ESC);
  });
});
