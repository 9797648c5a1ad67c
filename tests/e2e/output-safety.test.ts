// Output is crash-safe (issue: limits and crash-safe output): a trace is written under a `.partial`
// name and renamed into place when complete, so an interrupted or failed write never destroys an earlier
// complete trace of the same seed, and never leaves a partial file that looks complete. Runs the built
// CLI as a user does (`npm run build` first; `npm test` does).
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { faultline, ROOT } from '../support/faultline-cli.js';

const BIN = path.join(ROOT, 'bin', 'faultline.js');
const dir = mkdtempSync(path.join(tmpdir(), 'faultline-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined };

/** Cycle long enough (60 simulated seconds at a high rate) that a signal lands mid-run. */
const LONG = `[[test]]
testTitle = 'LongCycle'
    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 2000.0
    testDuration = 60.0
`;

const SHORT = `[configuration]
machineCount = 4
testerCount = 2
[[test]]
testTitle = 'ShortCycle'
    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 100.0
    testDuration = 2.0
`;

function spec(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Starts a run, waits until its trace is being written, sends `signal`, and resolves with what it did. */
function interrupted(args: readonly string[], partial: string, signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const poll = setInterval(() => {
      if (existsSync(partial)) {
        clearInterval(poll);
        setTimeout(() => child.kill(signal), 300);
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

describe('crash-safe traces', () => {
  it('an interrupted run keeps the earlier complete trace and leaves a marked partial one', async () => {
    const traces = path.join(dir, 'int');
    const s = spec('long.toml', LONG);
    const done = path.join(traces, 'LongCycle.7.jsonl');
    mkdirSync(traces, { recursive: true });
    writeFileSync(done, '{"complete":"earlier run"}\n');
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const r = await interrupted(
        [`run`, s, '--seed', '7', '--trace-dir', traces],
        `${done}.partial`,
        signal,
      );
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(`interrupted by ${signal}; the partial trace is ${done}.partial`);
      expect(readFileSync(done, 'utf8')).toBe('{"complete":"earlier run"}\n');
      const lines = readFileSync(`${done}.partial`, 'utf8').trimEnd().split('\n');
      const last = JSON.parse(lines.at(-1) ?? '{}') as Record<string, string>;
      expect(last.Type).toBe('TraceInterrupted');
      expect(last.Signal).toBe(signal);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      rmSync(`${done}.partial`);
    }
  }, 120_000);

  it('a complete run replaces the earlier trace and leaves no partial file', () => {
    const traces = path.join(dir, 'ok');
    const r = faultline(['run', spec('short.toml', SHORT), '--seed', '3', '--trace-dir', traces]);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(traces, 'ShortCycle.3.jsonl'))).toBe(true);
    expect(existsSync(path.join(traces, 'ShortCycle.3.jsonl.partial'))).toBe(false);
  });

  it('a full disk is exit 74 with one sentence, no stack, and no half-written trace', () => {
    const traces = path.join(dir, 'full');
    mkdirSync(traces, { recursive: true });
    // Writes to /dev/full fail with ENOSPC, as on a full disk.
    symlinkSync('/dev/full', path.join(traces, 'ShortCycle.4.jsonl.partial'));
    const r = faultline(['run', spec('short.toml', SHORT), '--seed', '4', '--trace-dir', traces]);
    expect(r.code).toBe(74);
    expect(r.stderr).toContain('ShortCycle.4.jsonl: the disk is full (ENOSPC)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(traces, 'ShortCycle.4.jsonl'))).toBe(false);
    expect(existsSync(path.join(traces, 'ShortCycle.4.jsonl.partial'))).toBe(false);
  });

  it('a trace folder that cannot be created is exit 2 in words, without hanging (/proc)', () => {
    const r = faultline([
      'run',
      spec('short.toml', SHORT),
      '--seed',
      '1',
      '--trace-dir',
      '/proc/faultline/x',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot create the folder');
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    const r2 = faultline([
      'run',
      spec('short.toml', SHORT),
      '--seed',
      '1',
      '--trace-dir',
      path.join(file, 'sub'),
    ]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('is a file');
  });
});
