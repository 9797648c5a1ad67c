// A single client against the simulated cluster behaves exactly like the in-memory reference model:
// fast-check generates transaction sequences (sets, clears, range clears, every atomic op, point, range
// and selector reads, read-your-writes inside a transaction), and both must answer the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { str } from '../../../src/cluster/bytes.js';
import {
  type AtomicOp,
  type Bytes,
  type Transaction,
  VALUE_ATOMIC_OPS,
} from '../../../src/cluster/client-api.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';
import { ModelDatabase } from '../../support/model-db.js';

const ATOMICS = VALUE_ATOMIC_OPS;
const keyArb = fc
  .constantFrom('a', 'b', 'c', 'ca', 'cb', 'd', 'e', 'f')
  .map((s) => new TextEncoder().encode(s));
const valueArb = fc.uint8Array({ minLength: 0, maxLength: 4 });
const selectorArb = fc.record({
  key: keyArb,
  orEqual: fc.boolean(),
  offset: fc.integer({ min: -2, max: 3 }),
});

type Op =
  | { t: 'set'; k: Bytes; v: Bytes }
  | { t: 'clear'; k: Bytes }
  | { t: 'clearRange'; b: Bytes; e: Bytes }
  | { t: 'atomic'; op: AtomicOp; k: Bytes; v: Bytes }
  | { t: 'get'; k: Bytes; snapshot: boolean }
  | { t: 'range'; b: Bytes; e: Bytes; limit: number; reverse: boolean }
  | { t: 'getKey'; sel: { key: Bytes; orEqual: boolean; offset: number } };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('set' as const), k: keyArb, v: valueArb }),
  fc.record({ t: fc.constant('clear' as const), k: keyArb }),
  fc.record({ t: fc.constant('clearRange' as const), b: keyArb, e: keyArb }),
  fc.record({
    t: fc.constant('atomic' as const),
    op: fc.constantFrom(...ATOMICS),
    k: keyArb,
    v: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({ t: fc.constant('get' as const), k: keyArb, snapshot: fc.boolean() }),
  fc.record({
    t: fc.constant('range' as const),
    b: keyArb,
    e: keyArb,
    limit: fc.integer({ min: 0, max: 3 }),
    reverse: fc.boolean(),
  }),
  fc.record({ t: fc.constant('getKey' as const), sel: selectorArb }),
);

const show = (b: Bytes | undefined) => (b === undefined ? null : Array.from(b).join('.'));

/** Applies ops to a transaction, returning what every read saw (errors by name). */
async function apply(tr: Transaction, ops: Op[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const op of ops) {
    try {
      switch (op.t) {
        case 'set':
          tr.set(op.k, op.v);
          break;
        case 'clear':
          tr.clear(op.k);
          break;
        case 'clearRange':
          tr.clearRange(op.b, op.e);
          break;
        case 'atomic':
          tr.atomicOp(op.op, op.k, op.v);
          break;
        case 'get':
          out.push(show(await tr.get(op.k, { snapshot: op.snapshot })));
          break;
        case 'range': {
          const rows = await tr.getRange(op.b, op.e, { limit: op.limit, reverse: op.reverse });
          out.push(rows.map((r) => `${str(r.key)}=${show(r.value)}`));
          break;
        }
        case 'getKey':
          out.push(str(await tr.getKey(op.sel)));
          break;
      }
    } catch (e) {
      out.push(`error:${(e as { errorName?: string }).errorName ?? String(e)}`);
    }
  }
  return out;
}

describe('cluster matches the reference model', () => {
  it('for random single-client transaction sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        async (seed, txns) => {
          const { outcome } = await runScenario(
            { seed, config: { config: 'double', machineCount: 4 } },
            async ({ db, world }) => {
              const model = new ModelDatabase({
                now: () => world.now(),
                random: world.random.fork('model'),
                delay: (s) => world.kernel.delay(seconds(s)),
              });
              const results: { cluster: unknown[]; model: unknown[] }[] = [];
              for (const ops of txns) {
                const c = await db.run((tr) => apply(tr, ops));
                const m = await model.run((tr) => apply(tr, ops));
                results.push({ cluster: c, model: m });
              }
              const all = (d: typeof db | typeof model) =>
                d.run(async (tr) =>
                  (await tr.getRange(new Uint8Array([]), new Uint8Array([0xff]))).map(
                    (r) => `${str(r.key)}=${show(r.value)}`,
                  ),
                );
              return { results, finalCluster: await all(db), finalModel: await all(model) };
            },
          );
          const r = finished(outcome);
          for (const x of r.results) expect(x.cluster).toEqual(x.model);
          expect(r.finalCluster).toEqual(r.finalModel);
        },
      ),
      { numRuns: 40, seed: 20261121 },
    );
  });
});
