// A workload's delay on whole-microsecond simulated time: a positive delay always lets time advance, so a
// loop that sleeps until a deadline between two microseconds ends (swarm seed 61: RandomMoveKeys slept
// `end - now()` = 0.4 µs, which rounded to no time at all, and started ~730,000 moves at one instant).
import { describe, expect, it } from 'vitest';
import { runSpec } from '../../../src/run/run-spec.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { TraceWriter } from '../../../src/trace/writer.js';
import { defineWorkload } from '../../../src/workload/contract.js';
import { Registry } from '../../../src/workload/registry.js';

const SPEC = `[configuration]
config = 'single'
machineCount = 3
processesPerMachine = 1
testerCount = 1

[[test]]
testTitle = 'Deadline'
runConsistencyCheck = false
    [[test.workload]]
    testName = 'SleepUntil'
`;

/** Most wake-ups the loop may take; without the one-microsecond floor it takes all of them. */
const MAX_WAKES = 1000;

/** Sleeps until a deadline 0.4 µs past a whole microsecond, as workloads sleep until testDuration. */
const sleepUntil = defineWorkload({
  name: 'SleepUntil',
  description: 'sleeps until a deadline between two microseconds',
  kind: 'application',
  options: {},
  create(ctx) {
    return {
      async start() {
        const end = ctx.now() + 1.0000004;
        let wakes = 0;
        while (ctx.now() < end && wakes < MAX_WAKES) {
          await ctx.delay(end - ctx.now());
          wakes++;
        }
        ctx.trace('SleepUntilDone', { Wakes: wakes, Late: ctx.now() - end });
      },
    };
  },
});

describe('a workload delay', () => {
  it('always advances time, so sleeping until a deadline between microseconds ends', async () => {
    const writer = new TraceWriter({ memory: true });
    const result = await runSpec({
      spec: parseSpec(SPEC, 'deadline.toml'),
      seed: 1,
      traceSink: writer,
      registry: new Registry([sleepUntil]),
    });
    expect(result.outcome).toBe('passed');
    const done = writer.lines().find((l) => l.includes('"SleepUntilDone"'));
    const event = JSON.parse(done ?? '{}') as { Wakes?: string; Late?: string };
    expect(Number(event.Wakes)).toBe(2);
    expect(Number(event.Late)).toBeGreaterThanOrEqual(0);
    expect(Number(event.Late)).toBeLessThan(1e-6);
  });
});
