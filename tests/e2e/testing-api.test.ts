// A simulation inside a user's own vitest test, through the package's `faultline/testing` export (the
// built package, as an installed one resolves): the tutorial's Counter passes, its double-counting
// variant fails on a seed with the failure and the command that reproduces it, and bad input is an
// error naming the file. Needs `npm run build`.
import path from 'node:path';
import { runSpec } from 'faultline/testing';
import { describe, expect, it } from 'vitest';

const COUNTER = `plugins = ['./workloads/examples/counter.ts']
[configuration]
machineCount = 6
config = 'double'
buggify = true

[[test]]
testTitle = 'CounterInVitest'
    [[test.workload]]
    testName = 'Counter'
    logOperations = LOG

    [[test.workload]]
    testName = 'RandomClogging'
`;

describe("runSpec from 'faultline/testing'", () => {
  it('runs the shipped Counter spec file and passes', async () => {
    const r = await runSpec({ spec: 'tests/fast/Counter.toml', seed: 2 });
    expect(r.summary).toContain('passed');
    expect(r.passed).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.reproduce).toBe('faultline run tests/fast/Counter.toml --seed 2');
  });

  it('shows a failing seed of the double-counting Counter with its failure and reproduce command', async () => {
    const seed = 1; // tests/negative/CounterDoubleCounts.toml records seed 1 among those that catch it
    const buggy = await runSpec({
      spec: 'tests/negative/CounterDoubleCounts.toml',
      seed,
      traceDir: 'traces',
    });
    expect(buggy.passed).toBe(false);
    expect(buggy.outcome).toBe('failed');
    expect(buggy.failures[0]?.reason).toBe('the counter differs from the increments completed');
    expect(buggy.failures[0]?.workload).toBe('Counter');
    expect(buggy.tracePath).toBe(path.join('traces', 'CounterDoubleCounts.1.jsonl'));
    expect(buggy.reproduce).toBe('faultline run tests/negative/CounterDoubleCounts.toml --seed 1');
    expect(buggy.summary).toContain('FAILED');
  });

  it('runs spec text with plugins relative to specDir, and with --plugin style plugins', async () => {
    const fixed = await runSpec({
      specText: COUNTER.replace('LOG', 'true'),
      specDir: process.cwd(),
      seed: 1,
    });
    expect(fixed.passed, fixed.summary).toBe(true);
    const flagged = await runSpec({
      specText: COUNTER.replace("plugins = ['./workloads/examples/counter.ts']\n", '').replace('LOG', 'true'),
      plugins: ['workloads/examples/counter.ts'],
      seed: 1,
    });
    expect(flagged.passed, flagged.summary).toBe(true);
    expect(flagged.reproduce).toContain('--plugin workloads/examples/counter.ts');
  });

  it('throws a clear error for bad input', async () => {
    await expect(runSpec({ spec: 'tests/fast/NoSuchSpec.toml', seed: 1 })).rejects.toThrow(
      'cannot read spec file: no such file',
    );
    await expect(runSpec({ specText: COUNTER.replace('LOG', "'maybe'"), seed: 1 })).rejects.toThrow(
      /expected true or false/,
    );
  });
});
