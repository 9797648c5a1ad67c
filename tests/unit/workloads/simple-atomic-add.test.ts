// SimpleAtomicAdd against the reference model: FoundationDB's spec options give initialValue + addValue x
// iterations; the check fails when the sum loses or gains an add, and when adds never commit.
import { describe, expect, it } from 'vitest';
import { bytes, defineWorkload } from '../../../src/index.js';
import simpleAtomicAdd, {
  acceptableSums,
  decodeUnsignedLE,
  encodeInt32LE,
} from '../../../workloads/simple-atomic-add.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

// tests/fast/SimpleAtomicAdd.toml's options.
const fdbSpec = { initialize: true, initialValue: 15, iterations: 200, addValue: 10 } as const;
const sumKey = bytes('sumKey');

/** Leaves 1000 in sumKey during setup, as an earlier test would. */
const seeder = defineWorkload({
  name: 'Seeder',
  description: 'sets sumKey to 1000 in setup',
  kind: 'application',
  options: {},
  create: (ctx) => ({
    async setup() {
      await ctx.db.run(async (tr) => tr.set(sumKey, encodeInt32LE(1000)));
    },
  }),
});

describe('SimpleAtomicAdd workload', () => {
  it.each([1, 2])('adds up to initialValue + addValue x iterations (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({ workload: simpleAtomicAdd, options: fdbSpec, clientCount: 3, seed });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    expect(r.db.rawGet(sumKey)).toEqual(encodeInt32LE(15 + 10 * 200));
    expect(r.metrics.get('Adds committed')).toBe(200);
  });

  it('accepts adds applied twice after commit_unknown_result, and only as many as were unknown', async () => {
    const r = await runWorkloadForTest({
      workload: simpleAtomicAdd,
      options: fdbSpec,
      seed: 4,
      commitUnknownResultProbability: 0.2,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(5);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    const sum = decodeUnsignedLE(r.db.rawGet(sumKey));
    expect(sum).toBeGreaterThan(15n + 10n * 200n);
    expect(sum).toBeLessThanOrEqual(15n + 10n * (200n + BigInt(r.metrics.get('Unknown results')!)));
  });

  it.each([
    ['loses', -10],
    ['gains', +10],
  ])('fails when the database %s one add', async (_what, delta) => {
    const r = await runWorkloadForTest({
      workload: simpleAtomicAdd,
      options: fdbSpec,
      seed: 3,
      beforeCheck: (db) => {
        const v = Number(decodeUnsignedLE(db.rawGet(sumKey)));
        db.rawSet(sumKey, encodeInt32LE(v + delta));
      },
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.details.Reason)).toEqual([
      'SimpleAtomicAdd: the sum differs from the adds that committed',
    ]);
    expect(r.failures[0]!.details.ExpectedValue).toBe('2015');
  });

  it('fails its check, with a warning, when adds did not commit within testDuration', async () => {
    const r = await runWorkloadForTest({
      workload: simpleAtomicAdd,
      options: { ...fdbSpec, testDuration: 0 },
      seed: 3,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([false]);
    const warn = r.events.find((e) => e.type === 'TestFailure');
    expect(warn?.severity).toBe(30);
    expect(warn?.details.Reason).toBe('SimpleAtomicAdd: adds did not commit within testDuration');
  });

  it('without initialize, sums from what the key held before the adds', async () => {
    const r = await runWorkloadForTest({
      workloads: [
        { workload: seeder },
        { workload: simpleAtomicAdd, options: { iterations: 50, addValue: 3 } },
      ],
      seed: 5,
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true]);
    expect(r.db.rawGet(sumKey)).toEqual(encodeInt32LE(1000 + 150));
  });

  it('compares modulo 2^32, the width of the 4-byte value', () => {
    expect(decodeUnsignedLE(encodeInt32LE(-1))).toBe(0xffffffffn);
    expect(acceptableSums(-5n, 10, 1)).toEqual([2n ** 32n - 5n, 5n]);
    expect(decodeUnsignedLE(undefined)).toBe(0n);
  });
});
