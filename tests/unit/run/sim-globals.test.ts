// Determinism protections for workload code, per run: Math.random, Date.now, new Date() and
// performance.now read the run's PRNG and simulated clock; two runs side by side in one process each see
// their own and leave the host's untouched; a real timer or fetch inside a phase is a determinism
// violation naming the workload and the call.
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/run/result.js';
import { runSpec } from '../../../src/run/run-spec.js';
import { SIM_EPOCH_MS } from '../../../src/sim/kernel.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { TraceWriter } from '../../../src/trace/writer.js';
import { defineWorkload, type WorkloadDefinition } from '../../../src/workload/contract.js';
import { Registry } from '../../../src/workload/registry.js';

const SPEC = `[configuration]
config = 'single'
machineCount = 3
processesPerMachine = 1
testerCount = 2

[[test]]
testTitle = 'Globals'
    [[test.workload]]
    testName = 'Sloppy'
`;

/** Reads every redirected global in its start phase and traces what it saw. */
const sloppy = defineWorkload({
  name: 'Sloppy',
  description: 'reads the host clock and random numbers (redirected during a run)',
  kind: 'application',
  options: {},
  create(ctx) {
    return {
      async start() {
        for (let i = 0; i < 5; i++) {
          await ctx.delay(0.5);
          ctx.trace('SloppyRead', {
            Random: Math.random(),
            Now: Date.now(),
            // biome-ignore lint/complexity/useDateNow: the test is that new Date() is redirected too
            NewDate: new Date().getTime(),
            Perf: performance.now(),
            SimNow: ctx.now(),
          });
        }
      },
    };
  },
});

function timerUser(call: () => unknown): WorkloadDefinition {
  return defineWorkload({
    name: 'TimerUser',
    description: 'calls a real timer from its start phase',
    kind: 'application',
    options: {},
    create: () => ({
      async start() {
        call();
      },
    }),
  });
}

async function run(seed: number, workloads: readonly WorkloadDefinition[], text = SPEC) {
  const writer = new TraceWriter({ memory: true });
  const result = await runSpec({
    spec: parseSpec(text, 'g.toml'),
    seed,
    traceSink: writer,
    registry: new Registry(workloads),
  });
  return {
    result,
    reads: writer
      .lines()
      .filter((l) => l.includes('"SloppyRead"'))
      .map((l) => JSON.parse(l)),
  };
}

const sig = (r: RunResult) => `${r.traceHash}/${r.unseed}`;

describe('per-run globals', () => {
  it('workload code reads the run PRNG and the simulated clock', async () => {
    const { result, reads } = await run(1, [sloppy]);
    expect(result.outcome).toBe('passed');
    expect(reads.length).toBe(10);
    for (const r of reads) {
      const simMs = Number(r.SimNow) * 1000;
      expect(Number(r.Now)).toBe(SIM_EPOCH_MS + Math.floor(simMs));
      expect(Number(r.NewDate)).toBe(Number(r.Now));
      expect(Number(r.Perf)).toBeCloseTo(simMs, 3);
    }
    const again = await run(1, [sloppy]);
    expect(again.reads).toEqual(reads);
    expect(sig(again.result)).toBe(sig(result));
  });

  it('two runs side by side each see their own, as alone, and leave the host clock alone', async () => {
    const aloneA = await run(11, [sloppy]);
    const aloneB = await run(12, [sloppy]);
    const before = Date.now();
    const [a, b] = await Promise.all([run(11, [sloppy]), run(12, [sloppy])]);
    expect(sig(a.result)).toBe(sig(aloneA.result));
    expect(sig(b.result)).toBe(sig(aloneB.result));
    expect(a.reads).toEqual(aloneA.reads);
    expect(b.reads).toEqual(aloneB.reads);
    // Outside a run the host's own functions answer: real time, not 2030.
    const now = Date.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThan(SIM_EPOCH_MS);
    // biome-ignore lint/complexity/useDateNow: the test is that new Date() is the host's again
    expect(new Date().getTime()).toBeLessThan(SIM_EPOCH_MS);
    expect(new Date(0).getTime()).toBe(0);
    expect(new Date() instanceof Date).toBe(true);
  });

  it('host code that runs while a run is in progress sees the host clock and may use real timers', async () => {
    const alone = await run(11, [sloppy]);
    const seen: number[] = [];
    let running = true;
    // The host's own event-loop work between the run's turns: a real timer re-armed every turn.
    const tick = (): void => {
      seen.push(Date.now());
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const during = await run(11, [sloppy]);
    running = false;
    expect(seen.length).toBeGreaterThan(1);
    for (const t of seen) expect(t).toBeLessThan(SIM_EPOCH_MS);
    expect(during.reads).toEqual(alone.reads);
    expect(sig(during.result)).toBe(sig(alone.result));
  });

  it.each([
    ['setTimeout()', () => setTimeout(() => {}, 10)],
    ['setInterval()', () => setInterval(() => {}, 10)],
    ['setImmediate()', () => setImmediate(() => {})],
    ['fetch()', () => fetch('http://localhost:1/')],
  ])('a real %s in a phase is a determinism violation naming the workload and the call', async (call, fn) => {
    const text = SPEC.replace("testName = 'Sloppy'", "testName = 'TimerUser'");
    const { result } = await run(3, [timerUser(fn)], text);
    expect(result.outcome).toBe('failed');
    const crash = result.failures.find((f) => f.type === 'WorkloadCrash');
    expect(crash?.reason).toContain(
      `determinism violation: workload TimerUser called ${call} in its start phase`,
    );
  });
});
