// Progress while a run runs: a status line on a terminal (simulated time, phase, transactions), cleared
// before the report; nothing on stderr beyond the usual line when output is piped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { RunProgress } from '../../../src/cli/run-progress.js';
import type { TraceEvent } from '../../../src/trace/event.js';
import { defineWorkload } from '../../../src/workload/contract.js';

const dir = mkdtempSync(path.join(tmpdir(), 'faultline-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const committer = defineWorkload({
  name: 'Committer',
  description: 'commits a key every simulated 0.1 s for 3 s',
  kind: 'application',
  options: {},
  create: (ctx) => ({
    async start() {
      for (let i = 0; i < 30; i++) {
        await ctx.db.run(async (tr) => tr.set(new Uint8Array([0x61, ctx.clientId, i]), new Uint8Array([1])));
        await ctx.delay(0.1);
      }
    },
  }),
});

const SPEC = `[configuration]
config = 'single'
machineCount = 3
processesPerMachine = 1
testerCount = 1

[[test]]
testTitle = 'Progress'
runConsistencyCheck = false

    [[test.workload]]
    testName = 'Committer'
`;

async function run(isTTY: boolean): Promise<{ code: number; out: string; err: string }> {
  const spec = path.join(dir, 'progress.toml');
  writeFileSync(spec, SPEC);
  const out: string[] = [];
  const err: string[] = [];
  let now = 0;
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { NO_COLOR: '1' },
    isTTY,
    clock: () => (now += 100), // every event reads the clock: a redraw every few events
    randomSeed: () => 1,
    builtins: [committer],
  };
  const code = await main(
    ['node', 'faultline', 'run', spec, '--seed', '3', '--trace-dir', path.join(dir, 't')],
    io,
  );
  return { code, out: out.join(''), err: err.join('') };
}

describe('progress of a run', () => {
  it('draws simulated time, phase and transactions on a terminal, then clears the line', async () => {
    const r = await run(true);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/\r {2}simulated \d+\.\ds · Progress: running · \d+ transactions committed/);
    const committed = [...r.err.matchAll(/(\d+) transactions committed/g)].map((m) => Number(m[1]));
    expect(Math.max(...committed)).toBeGreaterThan(0);
    expect(r.err.endsWith('\r')).toBe(true); // cleared before the report
    expect(r.err).not.toContain('\x1b');
  });

  it('writes nothing extra when piped', async () => {
    const r = await run(false);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain('\r');
    expect(r.err.trim().split('\n')).toHaveLength(1); // the "running ... with seed" line only
  });

  it('redraws at most every 250 real milliseconds', () => {
    const writes: string[] = [];
    let now = 0;
    const p = new RunProgress(
      (t) => writes.push(t),
      () => now,
    );
    const ev = (s: number): TraceEvent => ({
      severity: 10,
      time: s * 1e6,
      type: 'X',
      machine: 'm',
      id: 'i',
      details: {},
    });
    for (let i = 0; i < 10; i++) {
      now += 50;
      p.emit(ev(i));
    }
    expect(writes).toHaveLength(2); // at 50 ms and 300 ms
    p.finish();
    expect(writes.at(-1)).toMatch(/^\r +\r$/);
  });
});
