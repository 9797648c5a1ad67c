// A trace far bigger than the memory render may use: `faultline render` streams it, so its heap stays
// under a fixed budget however long the trace is. The budget is enforced by Node itself
// (--max-old-space-size): a reader that held the file, or every event, would die of it.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** The trace's size: several times the heap budget. */
const TRACE_MB = 160;
/** The heap render may use, in MB (stated in docs/render.md). */
const HEAP_BUDGET_MB = 48;
/** Peak resident memory allowed for the whole process (code, buffers, heap), in MB. */
const RSS_BUDGET_MB = 200;

const dir = mkdtempSync(path.join(tmpdir(), 'faultline-big-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeBigTrace(file: string): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  let i = 0;
  const head =
    '{"Severity":"10","Time":"0.000000","Type":"ProgramStart","Machine":"0.0.0.0:0","ID":"0000000000000000","RandomSeed":"7","TestFile":"big.toml","CommandLine":"faultline run big.toml --seed 7"}\n';
  writeSync(fd, head);
  while (bytes < TRACE_MB * 1024 * 1024) {
    const lines: string[] = [];
    for (let k = 0; k < 2000; k++, i++) {
      const t = (i / 1000).toFixed(6);
      if (i % 50 === 0) {
        lines.push(
          `{"Severity":"40","ErrorKind":"Unset","Time":"${t}","Type":"TestFailure","Machine":"2.0.1.${i % 9}:1","ID":"0000000000000000","Reason":"failure number ${i}","Workload":"Cycle"}`,
        );
      } else if (i % 3 === 0) {
        lines.push(
          `{"Severity":"10","Time":"${t}","Type":"ClogInterface","Machine":"2.0.1.${i % 9}:1","ID":"0000000000000000","IP":"2.0.1.${i % 9}","Delay":"0.5","Queue":"All"}`,
        );
      } else {
        lines.push(
          `{"Severity":"10","Time":"${t}","Type":"CommitDebug","Machine":"2.0.1.${i % 9}:1","ID":"${i.toString(16).padStart(16, '0')}","Padding":"${'p'.repeat(120)}"}`,
        );
      }
    }
    const chunk = `${lines.join('\n')}\n`;
    writeSync(fd, chunk);
    bytes += chunk.length;
  }
  writeSync(
    fd,
    '{"Severity":"10","Time":"999.000000","Type":"RunSummary","Machine":"0.0.0.0:0","ID":"0000000000000000","Title":"Big"}\n' +
      '{"Severity":"10","Time":"999.000000","Type":"ElapsedTime","Machine":"0.0.0.0:0","ID":"0000000000000000","SimTime":"999","RandomUnseed":"5"}\n',
  );
  closeSync(fd);
  return i;
}

describe('render on a large trace', () => {
  it(`streams a ${TRACE_MB} MB trace with a ${HEAP_BUDGET_MB} MB heap and under ${RSS_BUDGET_MB} MB resident`, () => {
    expect(existsSync(MAIN)).toBe(true);
    const file = path.join(dir, 'big.jsonl');
    const events = writeBigTrace(file);
    // The child reports its own peak RSS after render returns.
    const script = `const { main } = await import(${JSON.stringify(MAIN)});
process.exitCode = await main(['node', 'faultline', ...process.argv.slice(1)]);
process.stderr.write('maxRSS=' + process.resourceUsage().maxRSS + '\\n');`;
    const r = spawnSync(
      process.execPath,
      [
        `--max-old-space-size=${HEAP_BUDGET_MB}`,
        '--input-type=module',
        '-e',
        script,
        'render',
        file,
        '--format',
        'json',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        maxBuffer: 256 * 1024 * 1024,
        timeout: 300_000,
      },
    );
    expect(r.stderr).not.toContain('heap out of memory');
    expect(r.status, r.stderr).toBe(1); // Severity-40 events: the traced run failed
    const report = JSON.parse(r.stdout) as {
      failureCount: number;
      chaosEventsDropped: number;
      trace: { lines: number };
    };
    expect(report.trace.lines).toBe(events + 3); // ProgramStart, RunSummary, ElapsedTime
    expect(report.failureCount).toBe(Math.ceil(events / 50));
    expect(report.chaosEventsDropped).toBeGreaterThan(0);
    const rssKb = Number(/maxRSS=(\d+)/.exec(r.stderr)?.[1]);
    expect(rssKb / 1024).toBeLessThan(RSS_BUDGET_MB);
  }, 300_000);
});
