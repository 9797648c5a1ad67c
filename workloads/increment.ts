// Increment: each transaction atomically adds 1 to one random key of the lower half of the key space
// and 1 to one of the upper half. Both halves must always sum to the same total: a torn or partially
// applied transaction breaks it, while a duplicated one (commit_unknown_result retried) does not.
import {
  type Bytes,
  bytes,
  decodeInt64LE,
  defineWorkload,
  encodeInt64LE,
  FdbError,
  type Metric,
  opt,
  printable,
  str,
} from '../src/index.js';

const options = {
  testDuration: opt.number({
    default: 10,
    min: 0,
    unit: 's',
    doc: 'How long the transaction actors run, in simulated seconds.',
  }),
  transactionsPerSecond: opt.number({
    default: 5000,
    min: 0.001,
    unit: 'tps',
    doc: 'Target transaction rate of EACH client (not divided by clientCount, as in FoundationDB).',
  }),
  actorsPerClient: opt.int({
    default: 0,
    min: 0,
    unit: 'actors',
    doc: 'Concurrent transaction actors per client; 0 = transactionsPerSecond / 5 (at least 1).',
  }),
  nodeCount: opt.int({
    default: 0,
    min: 0,
    unit: 'keys',
    doc: 'Keys incremented (at least 2 are used); 0 = transactionsPerSecond x clientCount, as FoundationDB defaults it.',
  }),
  expectedRate: opt.number({
    default: 0.7,
    min: 0,
    unit: 'fraction',
    doc: 'Fraction of testDuration x transactionsPerSecond each client must complete, else its check fails.',
  }),
};

const ONE = encodeInt64LE(1);

/** FoundationDB's intToTestKey: 16-digit zero-padded decimal. */
function intToTestKey(i: number): Bytes {
  return bytes(String(i).padStart(16, '0'));
}

export default defineWorkload({
  name: 'Increment',
  description:
    'Adds 1 to one key in each half of the key space per transaction; checks both halves sum equally.',
  kind: 'application',
  keySpace: 'test-keys',
  options,
  create(ctx) {
    const o = ctx.options;
    const tps = o.transactionsPerSecond;
    const actorCount = o.actorsPerClient > 0 ? o.actorsPerClient : Math.max(1, Math.floor(tps / 5));
    // Two halves need two keys at least: with one, every increment lands in the upper half and the check
    // could never pass (swarm seed 14), so nodeCount 1 counts as 2.
    const nodeCount = Math.max(2, o.nodeCount > 0 ? o.nodeCount : Math.floor(tps * ctx.clientCount));
    const half = Math.floor(nodeCount / 2);

    let transactions = 0;
    let retries = 0;
    let tooOldRetries = 0;
    let commitFailedRetries = 0;
    let totalLatency = 0;
    const clientErrors: string[] = [];

    const actor = async (endTime: number): Promise<void> => {
      const meanInterval = actorCount / tps;
      let lastTime = ctx.now();
      for (;;) {
        lastTime += ctx.random.exponential(meanInterval);
        if (lastTime > ctx.now()) await ctx.delay(lastTime - ctx.now());
        if (ctx.now() >= endTime) return;
        const start = ctx.now();
        const tr = ctx.db.createTransaction();
        for (;;) {
          try {
            tr.add(intToTestKey(ctx.random.int(0, half)), ONE);
            tr.add(intToTestKey(ctx.random.int(half, nodeCount)), ONE);
            await tr.commit();
            break;
          } catch (e) {
            if (e instanceof FdbError && e.code === 1007) tooOldRetries++;
            else if (e instanceof FdbError && e.code === 1020) commitFailedRetries++;
            await tr.onError(e);
          }
          retries++;
        }
        totalLatency += ctx.now() - start;
        transactions++;
      }
    };

    /** Client 0: both halves must sum to the same total. */
    const checkData = async (): Promise<boolean> => {
      const tr = ctx.db.createTransaction();
      for (;;) {
        try {
          const data = await tr.getRange(intToTestKey(0), intToTestKey(nodeCount), { limit: nodeCount + 1 });
          const version = await tr.getReadVersion();
          if (transactions > 0 && data.length === 0) {
            ctx.fail('No successful increments', { Before: nodeCount, After: data.length, Version: version });
            return false;
          }
          let lower = 0n;
          let upper = 0n;
          for (const kv of data) {
            const k = Number(str(kv.key));
            if (!Number.isInteger(k)) {
              ctx.fail('Bad increments', {
                Reason2: 'unexpected key',
                Key: printable(kv.key),
                Version: version,
              });
              return false;
            }
            if (k < half) lower += decodeInt64LE(kv.value);
            else upper += decodeInt64LE(kv.value);
          }
          if (lower !== upper) {
            ctx.fail('Bad increments', { A: String(lower), B: String(upper), Version: version });
            return false;
          }
          return true;
        } catch (e) {
          await tr.onError(e);
        }
      }
    };

    return {
      async start() {
        const endTime = ctx.now() + o.testDuration;
        await Promise.all(
          Array.from({ length: actorCount }, async () => {
            try {
              await actor(endTime);
            } catch (e) {
              clientErrors.push(e instanceof Error ? e.message : String(e));
            }
          }),
        );
      },

      async check() {
        let ok = true;
        if (clientErrors.length > 0) {
          ctx.fail('There were client errors.', { Errors: clientErrors.slice(0, 5).join('; ') });
          ok = false;
        }
        const expected = o.testDuration * tps * o.expectedRate;
        if (transactions < expected) {
          // A warning, not a SevError, exactly as FoundationDB: the rate is not a correctness property.
          ctx.trace(
            'TestFailure',
            { Reason: 'Rate below desired rate', Achieved: transactions, Expected: expected },
            30,
          );
          ok = false;
        }
        if (ctx.clientId === 0 && !(await checkData())) ok = false;
        return ok;
      },

      metrics(): Metric[] {
        const duration = o.testDuration > 0 ? o.testDuration : 1;
        return [
          { name: 'Transactions', value: transactions },
          { name: 'Retries', value: retries },
          { name: 'Retries.too_old', value: tooOldRetries },
          { name: 'Retries.commit_failed', value: commitFailedRetries },
          {
            name: 'Avg Latency (ms)',
            value: transactions > 0 ? (1000 * totalLatency) / transactions : 0,
            averaged: true,
            format: '%.3f',
          },
          { name: 'Read rows/simsec (approx)', value: (transactions * 3) / duration },
          { name: 'Write rows/simsec (approx)', value: (transactions * 4) / duration },
        ];
      },
    };
  },
});
