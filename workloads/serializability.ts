// Serializability: read-your-writes must be indistinguishable from sequential commits. Client 0
// generates three random transactions A, B and C, runs them as three sequential commits, then runs A
// and B inside ONE transaction and C in another, from the same initial data. Every read result and
// the final database contents must be identical in both runs.
//
// The workload clears and reads the ten-digit numeric keys ("0000000000" to "9999999999") and its key
// selectors may resolve anywhere: like FoundationDB's, it expects to be the only writer of the database.
import {
  type AtomicOp,
  type Bytes,
  bytes,
  defineWorkload,
  FdbError,
  type KeySelector,
  type KeyValue,
  opt,
  printable,
  type Transaction,
} from '../src/index.js';

const options = {
  testDuration: opt.number({
    default: 30,
    min: 0,
    unit: 's',
    doc: 'How long client 0 keeps running iterations, in simulated seconds.',
  }),
  numOps: opt.int({
    default: 21,
    min: 2,
    unit: 'operations',
    doc: 'Bound on the operations of one random transaction (each has 1 to numOps - 1).',
  }),
  nodes: opt.int({
    default: 1000,
    min: 1,
    unit: 'keys',
    doc: 'Size of the key space the random operations draw keys from.',
  }),
};

/** One operation of a random transaction. */
type Operation =
  | { readonly kind: 'getKey'; readonly sel: KeySelector; readonly snapshot: boolean }
  | {
      readonly kind: 'getRangeSelectors';
      readonly begin: KeySelector;
      readonly end: KeySelector;
      readonly limit: number;
      readonly snapshot: boolean;
      readonly reverse: boolean;
    }
  | {
      readonly kind: 'getRange';
      readonly begin: Bytes;
      readonly end: Bytes;
      readonly limit: number;
      readonly snapshot: boolean;
      readonly reverse: boolean;
    }
  | { readonly kind: 'get'; readonly key: Bytes; readonly snapshot: boolean }
  | { readonly kind: 'watch'; readonly key: Bytes }
  | { readonly kind: 'readConflict'; readonly begin: Bytes; readonly end: Bytes }
  | { readonly kind: 'writeConflict'; readonly begin: Bytes; readonly end: Bytes }
  | { readonly kind: 'clearRange'; readonly begin: Bytes; readonly end: Bytes }
  | { readonly kind: 'clear'; readonly key: Bytes }
  | { readonly kind: 'atomic'; readonly op: AtomicOp; readonly key: Bytes; readonly value: Bytes }
  | { readonly kind: 'set'; readonly key: Bytes; readonly value: Bytes };

const ATOMIC_OPS: readonly AtomicOp[] = [
  'add',
  'bitAnd',
  'bitOr',
  'bitXor',
  'max',
  'min',
  'byteMin',
  'byteMax',
];
/** Every ten-digit numeric key lies in [KEYS_BEGIN, KEYS_END). */
const KEYS_BEGIN = bytes('0');
const KEYS_END = bytes(':');

const showValue = (v: Bytes | undefined): string => (v === undefined ? '<absent>' : printable(v));
const showRange = (kvs: readonly KeyValue[]): string =>
  kvs.map((kv) => `${printable(kv.key)}=${printable(kv.value)}`).join(',');
const clip = (s: string): string => (s.length > 500 ? `${s.slice(0, 500)}...` : s);

export default defineWorkload({
  name: 'Serializability',
  description:
    'Runs random transactions as sequential commits and merged into one; checks reads and data agree.',
  kind: 'application',
  keySpace: 'test-keys',
  stacking: 'alone',
  options,
  create(ctx) {
    const o = ctx.options;
    const r = ctx.random;
    const maxClearSize = r.int(10, 2 * o.nodes);
    let success = true;
    let iterations = 0;
    const clientErrors: string[] = [];

    const keyFor = (i: number): Bytes => bytes(String(i).padStart(10, '0'));
    const randomKey = (): Bytes => keyFor(r.int(0, o.nodes));
    const randomValue = (): Bytes => new Uint8Array(r.int(0, 101)).fill(0x78);
    const randomSelector = (): KeySelector => {
      const scale = 1 << r.int(0, 14);
      return { key: randomKey(), orEqual: r.chance(0.5), offset: r.int(-scale, scale) };
    };
    const randomRange = (sizeLimit: number): [Bytes, Bytes] => {
      const start = r.int(0, o.nodes);
      return [keyFor(start), keyFor(start + r.int(0, sizeLimit))];
    };

    const randomTransaction = (): Operation[] => {
      const ops: Operation[] = [];
      const count = r.int(1, o.numOps);
      for (let j = 0; j < count; j++) {
        const t = r.int(0, 20);
        if (t === 0) ops.push({ kind: 'getKey', sel: randomSelector(), snapshot: r.chance(0.5) });
        else if (t === 1) {
          ops.push({
            kind: 'getRangeSelectors',
            begin: randomSelector(),
            end: randomSelector(),
            limit: r.int(0, 1000),
            snapshot: r.chance(0.5),
            reverse: r.chance(0.5),
          });
        } else if (t === 2) {
          const [begin, end] = randomRange(o.nodes);
          ops.push({
            kind: 'getRange',
            begin,
            end,
            limit: r.int(0, 1000),
            snapshot: r.chance(0.5),
            reverse: r.chance(0.5),
          });
        } else if (t === 3) ops.push({ kind: 'get', key: randomKey(), snapshot: r.chance(0.5) });
        else if (t === 4) ops.push({ kind: 'watch', key: randomKey() });
        else if (t === 5) {
          const [begin, end] = randomRange(o.nodes);
          ops.push({ kind: 'readConflict', begin, end });
        } else if (t === 6) {
          const [begin, end] = randomRange(maxClearSize);
          ops.push({ kind: 'clearRange', begin, end });
        } else if (t === 7) ops.push({ kind: 'clear', key: randomKey() });
        else if (t === 8) {
          const [begin, end] = randomRange(o.nodes);
          ops.push({ kind: 'writeConflict', begin, end });
        } else if (t <= 16) {
          ops.push({ kind: 'atomic', op: ATOMIC_OPS[t - 9]!, key: randomKey(), value: randomValue() });
        } else ops.push({ kind: 'set', key: randomKey(), value: randomValue() });
      }
      return ops;
    };

    /** Runs the operations in `tr`; returns the read results (watches and conflict ranges return nothing). */
    const runOps = async (tr: Transaction, ops: readonly Operation[]): Promise<string[]> => {
      const results: string[] = [];
      for (const op of ops) {
        switch (op.kind) {
          case 'getKey':
            results.push(printable(await tr.getKey(op.sel, { snapshot: op.snapshot })));
            break;
          case 'getRangeSelectors':
          case 'getRange':
            results.push(
              showRange(
                await tr.getRange(op.begin, op.end, {
                  limit: op.limit,
                  snapshot: op.snapshot,
                  reverse: op.reverse,
                }),
              ),
            );
            break;
          case 'get':
            results.push(showValue(await tr.get(op.key, { snapshot: op.snapshot })));
            break;
          case 'watch':
            // Never awaited: what matters is that registering it does not change what the others see.
            void tr.watch(op.key).catch(() => {});
            break;
          case 'readConflict':
            tr.addReadConflictRange(op.begin, op.end);
            break;
          case 'writeConflict':
            tr.addWriteConflictRange(op.begin, op.end);
            break;
          case 'clearRange':
            tr.clearRange(op.begin, op.end);
            break;
          case 'clear':
            tr.clear(op.key);
            break;
          case 'atomic':
            tr.atomicOp(op.op, op.key, op.value);
            break;
          case 'set':
            tr.set(op.key, op.value);
            break;
        }
      }
      return results;
    };

    /** Replaces the key space with the initial data (idempotent, so safe to retry after maybe-commits). */
    const resetDatabase = async (initial: ReadonlyArray<[Bytes, Bytes]>): Promise<void> => {
      await ctx.db.run(async (tr) => {
        tr.clearRange(KEYS_BEGIN, KEYS_END);
        for (const [k, v] of initial) tr.set(k, v);
      });
    };

    /** Runs groups of operation lists, each group in one transaction committed in order; then reads the data. */
    const execute = async (
      initial: ReadonlyArray<[Bytes, Bytes]>,
      groups: ReadonlyArray<ReadonlyArray<readonly Operation[]>>,
    ): Promise<{ reads: string[][]; data: string }> => {
      await resetDatabase(initial);
      const reads: string[][] = [];
      for (const group of groups) {
        const tr = ctx.db.createTransaction();
        for (const ops of group) reads.push(await runOps(tr, ops));
        await tr.commit();
      }
      const data = await ctx.db.run((tr) => tr.getRange(KEYS_BEGIN, KEYS_END));
      return { reads, data: showRange(data) };
    };

    const iteration = async (): Promise<void> => {
      const initial: Array<[Bytes, Bytes]> = [];
      const initialCount = r.int(0, 100);
      for (let i = 0; i < initialCount; i++) initial.push([randomKey(), randomValue()]);
      const a = randomTransaction();
      const b = randomTransaction();
      const c = randomTransaction();
      const sequential = await execute(initial, [[a], [b], [c]]);
      const merged = await execute(initial, [[a, b], [c]]);
      const names = ['A', 'B', 'C'];
      for (let t = 0; t < 3; t++) {
        const one = sequential.reads[t]!;
        const two = merged.reads[t]!;
        for (let i = 0; i < one.length; i++) {
          if (one[i] !== two[i]) {
            success = false;
            ctx.fail(
              'A read returned different results when transactions were merged',
              { Transaction: names[t]!, ReadIndex: i, Sequential: clip(one[i]!), Merged: clip(two[i]!) },
              'SRL_ResultMismatch',
            );
          }
        }
      }
      if (sequential.data !== merged.data) {
        success = false;
        ctx.fail(
          'The final database differs when transactions were merged',
          { Sequential: clip(sequential.data), Merged: clip(merged.data) },
          'SRL_ResultMismatch',
        );
      }
      iterations++;
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const endTime = ctx.now() + o.testDuration;
        const backoff = ctx.db.createTransaction();
        while (ctx.now() < endTime && success) {
          try {
            await iteration();
          } catch (e) {
            // Any error (a conflict, a maybe-committed commit...) spoils the comparison: back off and
            // start the iteration again from fresh data.
            ctx.trace('SRL_Error', { Error: e instanceof Error ? e.message : String(e) });
            if (!(e instanceof FdbError) || !e.retryable) {
              clientErrors.push(e instanceof Error ? e.message : String(e));
              return;
            }
            await backoff.onError(e);
          }
        }
      },

      async check() {
        if (clientErrors.length > 0) {
          ctx.fail('There were client errors.', { Errors: clientErrors.slice(0, 5).join('; ') });
          return false;
        }
        return success;
      },

      metrics() {
        return ctx.clientId === 0 ? [{ name: 'Iterations', value: iterations }] : [];
      },
    };
  },
});
