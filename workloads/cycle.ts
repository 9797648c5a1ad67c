// Cycle: FoundationDB's classic serializability smoke test. nodeCount keys form one directed ring;
// each transaction swaps two adjacent nodes of the ring. A lost, duplicated or partially applied
// transaction breaks the ring, which the check (a single-version read of the whole ring) detects.
import {
  type Bytes,
  bytes,
  concatBytes,
  defineWorkload,
  equalBytes,
  FdbError,
  firstGreaterOrEqual,
  type KeyValue,
  type Metric,
  opt,
  printable,
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
    doc: 'Target transaction rate of all clients together; each client runs 1/clientCount of it.',
  }),
  actorsPerClient: opt.int({
    default: 0,
    min: 0,
    unit: 'actors',
    doc: 'Concurrent transaction actors per client; 0 = per-client transactionsPerSecond / 5 (at least 1).',
  }),
  nodeCount: opt.int({
    default: 0,
    min: 0,
    unit: 'keys',
    doc:
      'Nodes in the ring; 0 = transactionsPerSecond (the total rate), as FoundationDB defaults it. A ring ' +
      'of 2 is refused: the swap transaction (r -> r2 -> r3, with r3 = r) would break it.',
  }),
  keyPrefix: opt.string({
    default: '',
    doc: 'Prefix of every key and value (\\xNN escapes give unprintable bytes), so several Cycles can share a database.',
  }),
  traceParentProbability: opt.number({
    default: 0.01,
    min: 0,
    max: 1,
    unit: 'fraction',
    doc: 'Fraction of transactions tagged for distributed tracing (traced as CycleTraceParent; no other effect).',
  }),
  unseedCheck: opt.bool({
    default: true,
    doc: 'false disables the determinism (unseed) check for the whole run; read by the runner.',
  }),
  skipSetup: opt.bool({
    default: false,
    doc: 'Do not load the ring (restarting tests, where it already exists).',
  }),
  expectedRate: opt.number({
    default: 0,
    min: 0,
    unit: 'fraction',
    doc:
      'Fraction of testDuration x per-client transactionsPerSecond each client must complete, else its ' +
      'check fails with a TestFailure warning "Rate below desired rate". FoundationDB defaults it to 0.7; ' +
      'faultline to 0 (no rate check), so specs written before the option keep passing under chaos.',
  }),
};

/** The lowercase hex digits, as bytes. */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Scratch space for doubleToTestKey and testKeyToDouble (used synchronously, so never shared by two calls). */
const scratch = new DataView(new ArrayBuffer(8));

/**
 * Keys and values of the ring, as FoundationDB's doubleToTestKey: prefix + 16 hex digits of a double's
 * bits (big-endian), written digit by digit: no BigInt, string or text encoding per key.
 */
function doubleToTestKey(d: number, prefix: Bytes): Bytes {
  scratch.setFloat64(0, d);
  const out = new Uint8Array(prefix.length + 16);
  out.set(prefix);
  for (let half = 0; half < 2; half++) {
    const word = scratch.getUint32(4 * half);
    for (let i = 0; i < 8; i++) out[prefix.length + 8 * half + i] = HEX_DIGITS[(word >>> (28 - 4 * i)) & 15]!;
  }
  return out;
}

/** The value of one lowercase hex digit (a byte), or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Inverse of doubleToTestKey; NaN when the bytes are not prefix + 16 hex digits. */
function testKeyToDouble(b: Bytes, prefix: Bytes): number {
  if (b.length !== prefix.length + 16) return Number.NaN;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return Number.NaN;
  // Two 32-bit halves, read digit by digit: no string, regular expression or BigInt per read.
  const view = scratch;
  for (let half = 0; half < 2; half++) {
    let word = 0;
    for (let i = 0; i < 8; i++) {
      const d = hexDigit(b[prefix.length + 8 * half + i]!);
      if (d < 0) return Number.NaN;
      word = word * 16 + d;
    }
    view.setUint32(4 * half, word);
  }
  return view.getFloat64(0);
}

/** A key prefix option: text with \xNN escapes for arbitrary bytes. */
function parseKeyPrefix(s: string): Bytes {
  const parts: Bytes[] = [];
  let text = '';
  for (let i = 0; i < s.length; i++) {
    const m = /^\\x([0-9a-fA-F]{2})/.exec(s.slice(i, i + 4));
    if (m) {
      parts.push(bytes(text), new Uint8Array([Number.parseInt(m[1]!, 16)]));
      text = '';
      i += 3;
    } else text += s[i];
  }
  parts.push(bytes(text));
  return concatBytes(...parts);
}

/** Nodes in the ring: nodeCount, or FoundationDB's default, the total transaction rate. */
function ringSize(o: { readonly nodeCount: number; readonly transactionsPerSecond: number }): number {
  return o.nodeCount > 0 ? o.nodeCount : Math.max(1, Math.floor(o.transactionsPerSecond));
}

export default defineWorkload({
  name: 'Cycle',
  description:
    'Swaps nodes of a ring of keys in transactions; checks the ring is still one cycle of nodeCount nodes.',
  kind: 'application',
  keySpace: 'test-keys',
  options,
  check(o) {
    if (ringSize(o) !== 2) return undefined;
    const message = 'a ring of 2 nodes breaks under its own swap transaction (r -> r2 -> r3 wraps to r)';
    return o.nodeCount > 0
      ? { option: 'nodeCount', message, hint: 'use nodeCount = 1 or at least 3' }
      : {
          option: 'transactionsPerSecond',
          message: `${message}: nodeCount 0 takes the ring size from transactionsPerSecond (${o.transactionsPerSecond})`,
          hint: 'set nodeCount to 1 or at least 3, or transactionsPerSecond to at least 3',
        };
  },
  create(ctx) {
    const o = ctx.options;
    const tps = o.transactionsPerSecond / ctx.clientCount;
    const actorCount = o.actorsPerClient > 0 ? o.actorsPerClient : Math.max(1, Math.floor(tps / 5));
    const nodeCount = ringSize(o);
    const prefix = parseKeyPrefix(o.keyPrefix);
    // Each node's key and value are built once: formatting them was a few percent of a run.
    const keys: Bytes[] = [];
    const values: Bytes[] = [];
    const key = (n: number): Bytes => (keys[n] ??= doubleToTestKey(n / nodeCount, prefix));
    const value = (n: number): Bytes => (values[n] ??= doubleToTestKey(n, prefix));
    /** The end of the tiny range each swap clears: the node's key followed by byte 1. */
    const clearEnds: Bytes[] = [];
    const clearEnd = (n: number): Bytes => (clearEnds[n] ??= concatBytes(key(n), new Uint8Array([1])));
    /** The node a value points to, or -1 when it is not a valid node number. */
    const fromValue = (v: Bytes): number => {
      const d = testKeyToDouble(v, prefix);
      return Number.isInteger(d) && d >= 0 && d < nodeCount ? d : -1;
    };

    let transactions = 0;
    let retries = 0;
    let tooOldRetries = 0;
    let commitFailedRetries = 0;
    let totalLatency = 0;
    const clientErrors: string[] = [];

    const badRead = (name: string, r: number, version: number, v: Bytes | undefined): void => {
      ctx.fail(
        'Cycle read a missing or invalid node',
        { [name]: r, Key: printable(key(r)), Value: v ? printable(v) : '<absent>', Version: version },
        'CycleBadRead',
      );
    };

    /** Loads this client's slice of the ring in ~10 KB transactions, 40 at a time. */
    const load = async (): Promise<void> => {
      const begin = Math.floor((nodeCount * ctx.clientId) / ctx.clientCount);
      const end = Math.floor((nodeCount * (ctx.clientId + 1)) / ctx.clientCount);
      const perTxn = Math.max(1, Math.floor(10_000 / (2 * (prefix.length + 16))));
      const batches: Array<[number, number]> = [];
      for (let b = begin; b < end; b += perTxn) batches.push([b, Math.min(end, b + perTxn)]);
      let next = 0;
      const writer = async (): Promise<void> => {
        while (next < batches.length) {
          const [b, e] = batches[next++]!;
          await ctx.db.run(async (tr) => {
            // A batch whose first key exists was loaded already (by an attempt that maybe committed).
            if ((await tr.get(key(b))) !== undefined) return;
            for (let n = b; n < e; n++) tr.set(key(n), value((n + 1) % nodeCount));
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(40, batches.length) }, writer));
    };

    const actor = async (endTime: number): Promise<void> => {
      const meanInterval = actorCount / tps;
      let lastTime = ctx.now();
      for (;;) {
        // Poisson arrivals: exponential gaps, caught up when a transaction ran long.
        lastTime += ctx.random.exponential(meanInterval);
        if (lastTime > ctx.now()) await ctx.delay(lastTime - ctx.now());
        if (ctx.now() >= endTime) return;
        const start = ctx.now();
        const r = ctx.random.int(0, nodeCount);
        if (ctx.random.chance(o.traceParentProbability)) ctx.trace('CycleTraceParent', { Node: r });
        const tr = ctx.db.createTransaction();
        for (;;) {
          try {
            // Reverse the order of next(r) and next(next(r)): r -> r2 -> r3 -> r4 becomes r -> r3 -> r2 -> r4.
            const v = await tr.get(key(r));
            const r2 = v ? fromValue(v) : -1;
            if (r2 < 0) return badRead('KeyR', r, await tr.getReadVersion(), v);
            const v2 = await tr.get(key(r2));
            const r3 = v2 ? fromValue(v2) : -1;
            if (r3 < 0) return badRead('KeyR2', r2, await tr.getReadVersion(), v2);
            const v3 = await tr.get(key(r3));
            const r4 = v3 ? fromValue(v3) : -1;
            if (r4 < 0) return badRead('KeyR3', r3, await tr.getReadVersion(), v3);
            // A tiny range clear first: harmless, but a store that reorders mutations breaks the ring.
            tr.clearRange(key(r), clearEnd(r));
            tr.set(key(r), value(r3));
            tr.set(key(r2), value(r4));
            tr.set(key(r3), value(r2));
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

    const dumpData = (data: readonly KeyValue[]): void => {
      data.forEach((kv, i) => {
        ctx.trace('CurrentDataEntry', { Index: i, Key: printable(kv.key), Value: printable(kv.value) });
      });
    };

    /** FoundationDB's cycleCheckData: the ring has nodeCount nodes in key order and is one cycle. */
    const checkData = (data: readonly KeyValue[], version: number): boolean => {
      const failure = (reason: string, details: Record<string, string | number>): false => {
        ctx.fail(reason, { ...details, Version: version, KeyPrefix: printable(prefix) });
        dumpData(data);
        return false;
      };
      if (data.length !== nodeCount) {
        return failure('Node count changed', { Before: nodeCount, After: data.length });
      }
      let i = 0;
      let iPrev = 0;
      let c = 0;
      for (; c < nodeCount; c++) {
        if (c > 0 && i === 0) return failure('Cycle got shorter', { Before: nodeCount, After: c });
        const kv = data[i]!;
        if (!equalBytes(kv.key, key(i))) {
          return failure('Key changed', { Index: i, Key: printable(kv.key), Expected: printable(key(i)) });
        }
        iPrev = i;
        i = fromValue(kv.value);
        if (i < 0) return failure('Invalid value', { Key: printable(kv.key), Value: printable(kv.value) });
      }
      if (i !== 0) {
        return failure('Cycle got longer', {
          Key: printable(key(i)),
          Value: printable(data[i]!.value),
          Iteration: c,
          Nodecount: nodeCount,
          Int: i,
          ValuePrev: printable(data[iPrev]!.value),
          KeyPrev: printable(data[iPrev]!.key),
        });
      }
      return true;
    };

    return {
      async setup() {
        if (!o.skipSetup) await load();
      },

      async start() {
        const endTime = ctx.now() + o.testDuration;
        await Promise.all(
          Array.from({ length: actorCount }, async () => {
            try {
              await actor(endTime);
            } catch (e) {
              clientErrors.push(e instanceof Error ? e.message : String(e));
              ctx.trace('CycleClientError', { Error: e instanceof Error ? e.message : String(e) }, 30);
            }
          }),
        );
      },

      async check() {
        let ok = true;
        if (ctx.clientId === 0) {
          const tr = ctx.db.createTransaction();
          for (let attempt = 0; ; attempt++) {
            try {
              const data = await tr.getRange(
                firstGreaterOrEqual(doubleToTestKey(0, prefix)),
                firstGreaterOrEqual(doubleToTestKey(1, prefix)),
                { limit: nodeCount + 1 },
              );
              ok = checkData(data, await tr.getReadVersion());
              break;
            } catch (e) {
              if (attempt > 50) ctx.trace('CycleCheckRetrying', { Attempt: attempt }, 20);
              await tr.onError(e);
            }
          }
        }
        const expected = o.testDuration * tps * o.expectedRate;
        if (transactions < expected) {
          // A warning, not a SevError, as FoundationDB: the rate is not a correctness property.
          ctx.trace(
            'TestFailure',
            {
              Reason: 'Rate below desired rate',
              TransactionsAchieved: transactions,
              MinTransactionsExpected: expected,
            },
            30,
          );
          ok = false;
        }
        if (clientErrors.length > 0) {
          ctx.fail('There were client errors.', { Errors: clientErrors.slice(0, 5).join('; ') });
          ok = false;
        }
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
