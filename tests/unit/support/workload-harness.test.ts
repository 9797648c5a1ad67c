// Tests of the workload test harness: option resolution, phase barriers, failures and metric folding.
import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/cluster/bytes.js';
import { BadInputError } from '../../../src/core/errors.js';
import { defineWorkload } from '../../../src/workload/contract.js';
import { opt } from '../../../src/workload/options.js';
import { resolveOptions, runWorkloadForTest } from '../../support/workload-harness.js';

const schema = {
  testDuration: opt.number({ default: 10, doc: 'how long', unit: 's', min: 0 }),
  nodeCount: opt.int({ default: 100, doc: 'nodes', unit: 'keys' }),
  flag: opt.bool({ default: false, doc: 'a flag' }),
  names: opt.strings({ default: [], doc: 'names' }),
};

describe('resolveOptions', () => {
  it('applies defaults, parses numbers and booleans given as strings, truncates ints', () => {
    const o = resolveOptions(schema, { nodeCount: '2500.0', flag: 'true', names: 'a, b' }, 'W');
    expect(o).toEqual({ testDuration: 10, nodeCount: 2500, flag: true, names: ['a', 'b'] });
  });
  it('rejects unknown keys, bad numbers and out-of-range values', () => {
    expect(() => resolveOptions(schema, { nodeCont: 3 }, 'W')).toThrow(BadInputError);
    expect(() => resolveOptions(schema, { nodeCount: 'many' }, 'W')).toThrow(BadInputError);
    expect(() => resolveOptions(schema, { testDuration: -1 }, 'W')).toThrow(BadInputError);
    expect(() => resolveOptions(schema, { flag: 'yes' }, 'W')).toThrow(BadInputError);
  });
});

describe('runWorkloadForTest', () => {
  it('runs phases as barriers across clients and folds metrics', async () => {
    const log: string[] = [];
    const w = defineWorkload({
      name: 'Probe',
      description: 'records phase order',
      kind: 'application',
      options: schema,
      create(ctx) {
        return {
          async setup() {
            await ctx.delay(ctx.clientId * 0.5);
            log.push(`setup${ctx.clientId}`);
          },
          async start() {
            log.push(`start${ctx.clientId}`);
            await ctx.db.run(async (tr) =>
              tr.set(bytes(`k${ctx.clientId}`), bytes(String(ctx.options.nodeCount))),
            );
          },
          async check() {
            ctx.sometimes('client 1 checked', ctx.clientId === 1);
            return true;
          },
          metrics: () => [
            { name: 'Count', value: 1 },
            { name: 'Latency', value: ctx.clientId * 10, averaged: true },
          ],
        };
      },
    });
    const r = await runWorkloadForTest({ workload: w, options: { nodeCount: '7' }, clientCount: 3, seed: 5 });
    expect(log.slice(0, 3)).toEqual(['setup0', 'setup1', 'setup2']);
    expect(log.slice(3).sort()).toEqual(['start0', 'start1', 'start2']);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Count')).toBe(3);
    expect(r.metrics.get('Latency')).toBe(10);
    expect(r.sometimes.get('client 1 checked')).toBe(true);
    expect(str(r.db.rawGet(bytes('k2'))!)).toBe('7');
  });

  it('records ctx.fail as Severity 40 with the event name, and a throw as a failure', async () => {
    const w = defineWorkload({
      name: 'Failer',
      description: 'fails',
      kind: 'application',
      options: {},
      create(ctx) {
        return {
          async check() {
            if (ctx.clientId === 0) ctx.fail('bad thing', { Key: 'x' }, 'CycleBadRead');
            if (ctx.clientId === 1) ctx.chaos.processes();
            return true;
          },
        };
      },
    });
    const r = await runWorkloadForTest({ workload: w, clientCount: 2 });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.type)).toEqual(['CycleBadRead', 'TestFailure']);
    expect(r.failures[0]!.details).toMatchObject({ Reason: 'bad thing', Key: 'x' });
    expect(String(r.failures[1]!.details.Reason)).toMatch(/ctx\.chaos\.processes is not available/);
    expect(r.checkResults).toEqual([true, false]);
  });

  it('calls beforeCheck between start and check', async () => {
    let seen = '';
    const w = defineWorkload({
      name: 'Reader',
      description: 'reads',
      kind: 'application',
      options: {},
      create(ctx) {
        return {
          async start() {
            await ctx.db.run(async (tr) => tr.set(bytes('a'), bytes('good')));
          },
          async check() {
            seen = await ctx.db.run(async (tr) => str((await tr.get(bytes('a')))!));
          },
        };
      },
    });
    await runWorkloadForTest({ workload: w, beforeCheck: (db) => db.rawSet(bytes('a'), bytes('bad')) });
    expect(seen).toBe('bad');
  });
});
