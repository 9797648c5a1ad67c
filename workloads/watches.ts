// Watches: chained watch propagation. Nodes form a fixed chain; for each adjacent pair a watcher copies
// the first node's value (or absence) to the second and then watches the first. Client 0 changes the
// head and waits, by watching the tail, until the change arrives there. A watch that fires without a
// change, a tail that shows a value that was never written, or a chain left inconsistent fails the test.
import {
  type Bytes,
  bytes,
  concatBytes,
  defineWorkload,
  equalBytes,
  type Metric,
  opt,
  printable,
} from '../src/index.js';

const options = {
  testDuration: opt.number({
    default: 600,
    min: 0,
    unit: 's',
    doc: 'How long client 0 keeps starting new rounds, in simulated seconds.',
  }),
  nodeCount: opt.int({
    default: 100,
    min: 2,
    unit: 'keys',
    doc: 'Nodes in the chain (one watcher per adjacent pair).',
  }),
  extraPerNode: opt.int({
    default: 1000,
    min: 0,
    unit: 'keys',
    doc: 'Padding keys of 100 bytes written under each node key, so nodes are spread over the key space.',
  }),
  keyBytes: opt.int({
    default: 16,
    min: 16,
    max: 10_000, // FoundationDB's key size limit (key_too_large above it)
    unit: 'bytes',
    doc: 'Length of node keys: 16 hex digits of the node position, padded with dots.',
  }),
};

/** A small deterministic PRNG (mulberry32) for FoundationDB's fixed node order, shuffled with seed 1. */
function fixedOrder(n: number): number[] {
  let state = 1;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

const same = (a: Bytes | undefined, b: Bytes | undefined): boolean =>
  a === undefined || b === undefined ? a === b : equalBytes(a, b);
const show = (v: Bytes | undefined): string => (v === undefined ? '<absent>' : printable(v));

export default defineWorkload({
  name: 'Watches',
  description:
    'Propagates values along a chain of watchers; checks watches fire only on change and the chain converges.',
  kind: 'application',
  keySpace: 'test-keys',
  options,
  create(ctx) {
    const o = ctx.options;
    const order = fixedOrder(o.nodeCount);
    const nodeKey = (index: number): Bytes => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, index / o.nodeCount);
      return bytes(view.getBigUint64(0).toString(16).padStart(16, '0').padEnd(o.keyBytes, '.'));
    };
    const chain = order.map(nodeKey);
    const watcherFailures: string[] = [];
    const latencies: number[] = [];
    let lastValue: Bytes | undefined;
    let rounds = 0;

    /** Copies chain[i] to chain[i + 1] whenever they differ; otherwise watches chain[i]. Runs until the test ends. */
    const watcher = async (watchKey: Bytes, setKey: Bytes): Promise<void> => {
      let firedFrom: { value: Bytes | undefined } | undefined;
      for (;;) {
        const tr = ctx.db.createTransaction();
        for (;;) {
          try {
            const [watchValue, setValue] = await Promise.all([tr.get(watchKey), tr.get(setKey)]);
            if (firedFrom && same(firedFrom.value, watchValue)) {
              ctx.fail(
                'Watch fired but the value did not change',
                {
                  WatchKey: printable(watchKey),
                  SetKey: printable(setKey),
                  WatchValue: show(watchValue),
                  SetValue: show(setValue),
                  ReadVersion: await tr.getReadVersion(),
                },
                'WatcherTriggeredWithoutChanging',
              );
            }
            firedFrom = undefined;
            if (!same(watchValue, setValue)) {
              // Copying is idempotent: a maybe-committed copy retried writes the same value again.
              if (watchValue === undefined) tr.clear(setKey);
              else tr.set(setKey, watchValue);
              await tr.commit();
            } else {
              const fired = tr.watch(watchKey);
              await tr.commit();
              await fired;
              firedFrom = { value: watchValue };
            }
            break;
          } catch (e) {
            await tr.onError(e);
          }
        }
      }
    };

    /** Client 0: one round: change the head, wait until the tail shows it. */
    const round = async (): Promise<void> => {
      const expected = ctx.random.chance(0.5) ? undefined : bytes(ctx.random.uid());
      // The same value on every attempt, so a maybe-committed write retried changes nothing more.
      await ctx.db.run(async (tr) => {
        if (expected === undefined) tr.clear(chain[0]!);
        else tr.set(chain[0]!, expected);
      });
      const start = ctx.now();
      const tail = chain[chain.length - 1]!;
      let firstAttempt = true;
      for (;;) {
        const tr = ctx.db.createTransaction();
        let done = false;
        for (;;) {
          try {
            const endValue = await tr.get(tail);
            if (same(endValue, expected)) {
              done = true;
              break;
            }
            if (!firstAttempt || !same(endValue, lastValue)) {
              ctx.fail(
                'The tail of the chain shows a value that was not propagated to it',
                {
                  FirstAttempt: firstAttempt,
                  StartValue: show(lastValue),
                  EndValue: show(endValue),
                  ExpectedValue: show(expected),
                  EndVersion: await tr.getReadVersion(),
                },
                'WatcherError',
              );
              done = true;
              break;
            }
            const fired = tr.watch(tail);
            await tr.commit();
            await fired;
            firstAttempt = false;
            break;
          } catch (e) {
            await tr.onError(e);
          }
        }
        if (done) break;
      }
      latencies.push(ctx.now() - start);
      lastValue = expected;
      rounds++;
    };

    return {
      async setup() {
        const padding = new Uint8Array(100).fill(0x2e);
        const owned = order.map((_, i) => i).filter((i) => i % ctx.clientCount === ctx.clientId);
        for (const i of owned) {
          for (let j = 0; j < o.extraPerNode; j += 100) {
            await ctx.db.run(async (tr) => {
              for (let k = j; k < Math.min(o.extraPerNode, j + 100); k++) {
                tr.set(concatBytes(chain[i]!, bytes(String(k).padStart(8, '0'))), padding);
              }
            });
          }
        }
        // Watchers run in the background for the rest of the test, as FoundationDB's do.
        for (const i of owned) {
          if (i + 1 >= chain.length) continue;
          watcher(chain[i]!, chain[i + 1]!).catch((e: unknown) => {
            watcherFailures.push(`${printable(chain[i]!)}: ${e instanceof Error ? e.message : String(e)}`);
          });
        }
      },

      async start() {
        if (ctx.clientId !== 0) return;
        const endTime = ctx.now() + o.testDuration;
        while (ctx.now() < endTime) {
          await round();
          const pause = ctx.random.chance(0.5) ? 0 : ctx.random.uniform(0, 60);
          await ctx.delay(Math.min(pause, Math.max(0, endTime - ctx.now())));
        }
      },

      async check() {
        let ok = true;
        if (watcherFailures.length > 0) {
          ctx.fail('A watcher failed', { Errors: watcherFailures.slice(0, 5).join('; ') });
          ok = false;
        }
        if (ctx.clientId === 0 && rounds > 0) {
          // After the last round every node holds the head's value: nothing else may have changed them.
          const values = await ctx.db.run(async (tr) => Promise.all(chain.map((k) => tr.get(k))));
          const bad = values.findIndex((v) => !same(v, lastValue));
          if (bad >= 0) {
            ctx.fail(
              'A node of the chain holds a value that was never propagated to it',
              {
                Node: bad,
                Key: printable(chain[bad]!),
                Value: show(values[bad]),
                ExpectedValue: show(lastValue),
              },
              'WatcherError',
            );
            ok = false;
          }
        }
        return ok;
      },

      metrics(): Metric[] {
        if (ctx.clientId !== 0) return [];
        const mean = latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0;
        return [
          { name: 'Cycles', value: rounds },
          { name: 'Mean Latency (ms)', value: (1000 * mean) / o.nodeCount, averaged: true, format: '%.3f' },
        ];
      },
    };
  },
});
