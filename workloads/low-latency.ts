// LowLatency: client 0 times one read-version request or one small commit every `checkDelay` seconds,
// retries included, and fails the run when an operation takes longer than the allowed latency.
// FoundationDB's LowLatency workload, with its option names, defaults and `LatencyTooLarge` event.
import { bytes, type Database, defineWorkload, type Metric, opt } from '../src/index.js';

/** Simulated time an iteration waits when it took no simulated time (checkDelay 0), so the loop ends. */
const MIN_ITERATION_TIME = 0.001;

/** What one timed operation was, for the failure evidence. */
type OperationKind = 'grv' | 'commit';

export default defineWorkload({
  name: 'LowLatency',
  description:
    'Client 0 times a read-version request or a small commit every checkDelay seconds; each must finish ' +
    '(retries included) within maxGRVLatency / maxCommitLatency, and committed writes must be readable.',
  kind: 'application',
  stacking: 'calm',
  options: {
    testDuration: opt.number({
      default: 600,
      min: 0,
      unit: 's',
      doc: 'How long client 0 keeps timing operations.',
    }),
    maxGRVLatency: opt.number({
      default: 20,
      min: 0,
      unit: 's',
      doc: 'Largest allowed time for one read-version request, retries included.',
    }),
    maxCommitLatency: opt.number({
      default: 30,
      min: 0,
      unit: 's',
      doc: 'Largest allowed time for one one-key commit, retries included.',
    }),
    checkDelay: opt.number({ default: 1, min: 0, unit: 's', doc: 'Pause before each timed operation.' }),
    testWrites: opt.bool({
      default: true,
      doc: 'Time commits too (each operation is a commit with probability 0.5); false times only read versions.',
    }),
    testKey: opt.string({
      default: 'testKey',
      unit: 'key',
      doc: 'The key the timed commits write (an empty value).',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const testKey = bytes(o.testKey);
    let operations = 0;
    let retries = 0;
    let commitsAcknowledged = 0;
    let ok = true;

    /** Runs one operation with FoundationDB's retry loop and returns nothing; retries are counted. */
    async function timedOperation(db: Database, kind: OperationKind): Promise<void> {
      const tr = db.createTransaction();
      for (;;) {
        ctx.trace('LowLatencyTransactionStart', { Retries: retries });
        try {
          if (kind === 'commit') {
            tr.set(testKey, new Uint8Array(0));
            await tr.commit();
            commitsAcknowledged++;
          } else {
            await tr.getReadVersion();
          }
          return;
        } catch (e) {
          ctx.trace('LowLatencyTransactionFailed', { Error: errorName(e) });
          // onError rethrows errors that are not retryable: that is a workload crash, as in FoundationDB.
          await tr.onError(e);
          retries++;
        }
      }
    }

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const testStart = ctx.now();
        for (;;) {
          await ctx.delay(o.checkDelay);
          const kind: OperationKind = o.testWrites && ctx.random.chance(0.5) ? 'commit' : 'grv';
          const maxLatency = kind === 'commit' ? o.maxCommitLatency : o.maxGRVLatency;
          const operationStart = ctx.now();
          operations++;
          await timedOperation(ctx.db, kind);
          const observed = ctx.now() - operationStart;
          if (observed > maxLatency) {
            ok = false;
            ctx.fail(
              'An operation took longer than the allowed latency',
              { MaxLatency: maxLatency, ObservedLatency: observed, IsCommit: kind === 'commit' },
              'LatencyTooLarge',
            );
          }
          if (ctx.now() - testStart > o.testDuration) break;
          if (ctx.now() === operationStart && o.checkDelay === 0) await ctx.delay(MIN_ITERATION_TIME);
        }
      },

      async check() {
        // FoundationDB's check reports the latency flag (each breach was already traced). A commit that was
        // acknowledged must also be durable: the key it wrote (never cleared by this workload) is there.
        if (ctx.clientId !== 0 || commitsAcknowledged === 0) return ok;
        const present = await ctx.db.run(async (tr) => (await tr.get(testKey)) !== undefined);
        if (!present) {
          ctx.fail('The test key is missing after an acknowledged commit', {
            Key: o.testKey,
            CommitsAcknowledged: commitsAcknowledged,
          });
          return false;
        }
        return ok;
      },

      metrics(): Metric[] {
        return [
          {
            name: 'Operations/sec',
            value: o.testDuration > 0 ? operations / o.testDuration : 0,
            format: '%.2f',
          },
          { name: 'Operations', value: operations },
          { name: 'Retries', value: retries },
        ];
      },
    };
  },
});

/** The FoundationDB error name of a thrown value, for trace details. */
function errorName(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'errorName' in e && typeof e.errorName === 'string')
    return e.errorName;
  return e instanceof Error ? e.name : String(e);
}
