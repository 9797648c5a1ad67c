// ReadWrite: FoundationDB's configurable read/write load generator. Bulk-loads nodeCount keys, then
// actors issue transactions of type A (mostly reads) or B (mostly writes) at Poisson intervals and
// measure throughput and latencies over the middle of the run. FoundationDB's version checks nothing;
// faultline adds one cheap invariant (checkData): every loaded key is still present and well formed,
// because writes only ever overwrite loaded keys with values of the configured sizes.
import {
  type Bytes,
  bytes,
  concatBytes,
  defineWorkload,
  FdbError,
  type Metric,
  opt,
  printable,
  strinc,
  type Transaction,
} from '../src/index.js';

const options = {
  // -- key-value shape (FoundationDB's KVWorkload options) --
  nodeCount: opt.int({
    default: 100000,
    min: 1,
    unit: 'keys',
    doc: 'Keys loaded in setup and used by the load.',
  }),
  nodePrefix: opt.int({
    default: -1,
    min: -1,
    doc: 'When >= 0, 16 hex digits of it prefix every key (needs keyBytes >= 32).',
  }),
  keyBytes: opt.int({
    default: 16,
    min: 16,
    max: 10_000, // FoundationDB's key size limit (key_too_large above it)
    unit: 'bytes',
    doc: 'Key length: 16 hex digits of the index fraction, padded with dots.',
  }),
  valueBytes: opt.int({ default: 96, min: 1, max: 100000, unit: 'bytes', doc: 'Largest value length.' }),
  minValueBytes: opt.int({
    default: -1,
    min: -1,
    unit: 'bytes',
    doc: 'Smallest value length; -1 = valueBytes.',
  }),
  zeroPaddingRatio: opt.number({
    default: 0.15,
    min: 0,
    max: 1,
    unit: 'fraction',
    doc: 'Fraction of each value, at its start, set to NUL bytes.',
  }),
  absentFrac: opt.number({
    default: 0,
    min: 0,
    max: 1,
    unit: 'fraction',
    doc: 'Fraction of reads aimed at keys that do not exist (one byte longer than loaded keys).',
  }),
  actorCount: opt.int({
    default: 50,
    min: 0,
    unit: 'actors',
    doc: "Read by FoundationDB's key-value base only; ReadWrite sizes actors with allowedLatency or actorCountPerTester.",
  }),
  // -- load --
  testDuration: opt.number({
    default: 10,
    min: 0,
    unit: 's',
    doc: 'How long the actors run, simulated seconds.',
  }),
  transactionsPerSecond: opt.number({
    default: 5000,
    min: 0.001,
    unit: 'tps',
    doc: 'Target transaction rate of all clients together; each client runs 1/clientCount of it.',
  }),
  allowedLatency: opt.number({
    default: 0.25,
    min: 0,
    unit: 's',
    doc: 'Actors per client = ceil(per-client tps x allowedLatency), unless actorCountPerTester is set.',
  }),
  actorCountPerTester: opt.int({
    default: 0,
    min: 0,
    unit: 'actors',
    doc: 'Actors per client; 0 = derived.',
  }),
  readsPerTransactionA: opt.int({
    default: 10,
    min: 0,
    unit: 'reads',
    doc: 'Reads of a type-A transaction.',
  }),
  writesPerTransactionA: opt.int({
    default: 0,
    min: 0,
    unit: 'writes',
    doc: 'Writes of a type-A transaction.',
  }),
  readsPerTransactionB: opt.int({ default: 1, min: 0, unit: 'reads', doc: 'Reads of a type-B transaction.' }),
  writesPerTransactionB: opt.int({
    default: 9,
    min: 0,
    unit: 'writes',
    doc: 'Writes of a type-B transaction.',
  }),
  alpha: opt.number({
    default: 0.1,
    min: 0,
    max: 1,
    unit: 'fraction',
    doc: 'Probability a transaction is type B.',
  }),
  // -- measurement --
  metricsStart: opt.number({
    default: 0,
    min: 0,
    unit: 's',
    doc: 'Start of the measured window after the load starts.',
  }),
  metricsDuration: opt.number({
    default: -1,
    min: -1,
    unit: 's',
    doc: 'Length of the measured window; -1 = testDuration.',
  }),
  discardEdgeMeasurements: opt.bool({
    default: true,
    doc: 'Measure only the middle 75% of the window (skip the first and last 12.5%).',
  }),
  warmingDelay: opt.number({
    default: 0,
    min: 0,
    unit: 's',
    doc: 'Pause after the warm-up read before the actors start.',
  }),
  maxInsertRate: opt.number({
    default: 1e12,
    min: 0.001,
    unit: 'keys/s',
    doc: 'Largest bulk-load rate of all clients.',
  }),
  debugInterval: opt.number({ default: 0, min: 0, unit: 's', doc: 'Accepted for compatibility; no effect.' }),
  debugTime: opt.number({ default: 0, min: 0, unit: 's', doc: 'Accepted for compatibility; no effect.' }),
  enableReadLatencyLogging: opt.bool({
    default: false,
    doc: 'Trace each row read latency (ReadLatency events).',
  }),
  periodicLoggingInterval: opt.number({
    default: 5,
    min: 0,
    unit: 's',
    doc: 'Interval of ReadWriteProgress trace events from each client (0 = none).',
  }),
  cancelWorkersAtDuration: opt.bool({
    default: true,
    doc: 'At testDuration, actors stop retrying the transaction in flight; false lets it finish.',
  }),
  useRYW: opt.bool({
    default: false,
    doc: 'Read-your-writes transactions (faultline transactions always are).',
  }),
  setup: opt.bool({
    default: true,
    doc: 'Bulk-load the keys in setup (false: assume they exist; no data check).',
  }),
  insertionCountsToMeasure: opt.numbers({
    default: [],
    unit: 'keys',
    doc: 'Accepted for compatibility; not modelled.',
  }),
  extraReadConflictRangesPerTransaction: opt.int({
    default: 0,
    min: 0,
    unit: 'ranges',
    doc: 'Extra random read-conflict ranges added to each transaction.',
  }),
  extraWriteConflictRangesPerTransaction: opt.int({
    default: 0,
    min: 0,
    unit: 'ranges',
    doc: 'Extra random write-conflict ranges added to each transaction.',
  }),
  dependentReads: opt.bool({
    default: false,
    doc: 'Issue the reads one after another instead of concurrently.',
  }),
  inconsistentReads: opt.bool({
    default: false,
    doc: "Reuse the previous transaction's (stale) read version.",
  }),
  adjacentReads: opt.bool({ default: false, doc: 'Read consecutive keys from a random start.' }),
  adjacentWrites: opt.bool({ default: false, doc: 'Write consecutive keys from a random start.' }),
  rangeReads: opt.bool({
    default: false,
    doc: 'Each read is a range read of the key’s prefix range (limit 1).',
  }),
  rampUpLoad: opt.bool({
    default: false,
    doc: 'Ramp the offered load linearly from 0 to the full rate over the test.',
  }),
  rampSweepCount: opt.int({ default: 1, min: 1, doc: 'Ramps over the test when rampUpLoad is set.' }),
  rampTransactionType: opt.bool({
    default: false,
    doc: 'Ramp the B fraction from 0 to alpha over the test.',
  }),
  rampUpConcurrency: opt.bool({
    default: false,
    doc: 'Accepted for compatibility; not modelled (needs rampSweepCount 2).',
  }),
  batchPriority: opt.bool({
    default: false,
    doc: 'Accepted for compatibility; faultline has no priorities.',
  }),
  description: opt.string({ default: 'ReadWrite', doc: 'Name used in ReadWriteProgress events.' }),
  readType: opt.int({ default: 0, min: 0, doc: 'Accepted for compatibility; no effect.' }),
  cacheResult: opt.bool({ default: true, doc: 'Accepted for compatibility; no effect.' }),
  transactionTag: opt.string({
    default: '',
    doc: 'Accepted for compatibility; faultline has no tag throttling.',
  }),
  hotKeyFraction: opt.number({
    default: 0,
    min: 0,
    max: 1,
    unit: 'fraction',
    doc: 'Fraction of keys that are hot.',
  }),
  hotTrafficFraction: opt.number({
    default: 0,
    min: 0,
    max: 1,
    unit: 'fraction',
    doc: 'Fraction of accesses that go to the hot keys.',
  }),
  checkData: opt.bool({
    default: true,
    doc: "faultline's addition: client 0 verifies every loaded key is present with a value of a valid size.",
  }),
};

/** Fixed-size sample of latencies (seconds), reservoir-sampled when it overflows. */
export class Samples {
  private readonly items: number[] = [];
  private seen = 0;
  constructor(
    private readonly pick: (n: number) => number,
    private readonly cap = 10_000,
  ) {}
  add(x: number): void {
    this.seen++;
    if (this.items.length < this.cap) this.items.push(x);
    else {
      const j = this.pick(this.seen);
      if (j < this.cap) this.items[j] = x;
    }
  }
  mean(): number {
    return this.items.length === 0 ? 0 : this.items.reduce((a, b) => a + b, 0) / this.items.length;
  }
  percentile(p: number): number {
    if (this.items.length === 0) return 0;
    const sorted = [...this.items].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  }
  max(): number {
    return this.items.reduce((a, b) => (b > a ? b : a), 0);
  }
}

export default defineWorkload({
  name: 'ReadWrite',
  description:
    'Configurable read/write load with latency and throughput metrics; checks the loaded keys survive.',
  kind: 'application',
  keySpace: 'test-keys',
  options,
  create(ctx) {
    const o = ctx.options;
    const r = ctx.random;
    const tps = o.transactionsPerSecond / ctx.clientCount;
    const actors =
      o.actorCountPerTester > 0 ? o.actorCountPerTester : Math.max(1, Math.ceil(tps * o.allowedLatency));
    const minValueBytes = o.minValueBytes >= 0 ? Math.min(o.minValueBytes, o.valueBytes) : o.valueBytes;
    let metricsStart = o.metricsStart;
    let metricsDuration = o.metricsDuration >= 0 ? o.metricsDuration : o.testDuration;
    if (o.discardEdgeMeasurements) {
      metricsStart += o.testDuration * 0.125;
      metricsDuration *= 0.75;
    }

    const nodePrefix =
      o.nodePrefix >= 0 ? bytes(o.nodePrefix.toString(16).padStart(16, '0')) : new Uint8Array(0);
    /** FoundationDB's keyForIndex: [prefix] + 16 hex digits of index/nodeCount, dots to keyBytes (+1 if absent). */
    const keyFor = (index: number, absent = false): Bytes => {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, index / o.nodeCount);
      const body = bytes(view.getBigUint64(0).toString(16).padStart(16, '0'));
      const k = concatBytes(nodePrefix, body);
      const length = Math.max(o.keyBytes, k.length) + (absent ? 1 : 0);
      const out = new Uint8Array(length).fill(0x2e);
      out.set(k);
      return out;
    };
    const randomValue = (): Bytes => {
      const n = r.int(minValueBytes, o.valueBytes + 1);
      const v = new Uint8Array(n);
      const zeros = Math.floor(n * o.zeroPaddingRatio);
      for (let i = zeros; i < n; i++) v[i] = 33 + r.int(0, 94);
      return v;
    };
    const hotKeys = Math.max(1, Math.floor(o.nodeCount * o.hotKeyFraction));
    const randomIndex = (): number =>
      o.hotTrafficFraction > 0 && r.chance(o.hotTrafficFraction) ? r.int(0, hotKeys) : r.int(0, o.nodeCount);
    const indexes = (count: number, adjacent: boolean): number[] => {
      if (!adjacent) return Array.from({ length: count }, randomIndex);
      const start = r.int(0, Math.max(1, o.nodeCount - count + 1));
      return Array.from({ length: count }, (_, i) => Math.min(o.nodeCount - 1, start + i));
    };

    const latencies = new Samples((n) => r.int(0, n));
    const readLatencies = new Samples((n) => r.int(0, n));
    const fullReadLatencies = new Samples((n) => r.int(0, n));
    const grvLatencies = new Samples((n) => r.int(0, n));
    const commitLatencies = new Samples((n) => r.int(0, n));
    let aTransactions = 0;
    let bTransactions = 0;
    let retries = 0;
    let rowReads = 0;
    let rowWrites = 0;
    let bytesRead = 0;
    let bytesWritten = 0;
    let loadTime = 0;
    let cachedReadVersion: number | undefined;
    let stopped = false;
    const clientErrors: string[] = [];

    const load = async (): Promise<void> => {
      const start = ctx.now();
      const begin = Math.floor((o.nodeCount * ctx.clientId) / ctx.clientCount);
      const end = Math.floor((o.nodeCount * (ctx.clientId + 1)) / ctx.clientCount);
      const perTxn = Math.max(1, Math.min(1000, Math.floor(100_000 / (o.keyBytes + o.valueBytes))));
      const ratePerClient = o.maxInsertRate / ctx.clientCount;
      for (let b = begin; b < end; b += perTxn) {
        const e = Math.min(end, b + perTxn);
        const batchStart = ctx.now();
        // Rewriting a maybe-committed batch is harmless: any valid value will do.
        await ctx.db.run(async (tr) => {
          for (let i = b; i < e; i++) tr.set(keyFor(i), randomValue());
        });
        const minTime = (e - b) / ratePerClient;
        if (ctx.now() - batchStart < minTime) await ctx.delay(minTime - (ctx.now() - batchStart));
      }
      loadTime = ctx.now() - start;
    };

    const readOne = async (tr: Transaction, index: number): Promise<void> => {
      const absent = o.absentFrac > 0 && r.chance(o.absentFrac);
      const key = keyFor(index, absent);
      const t0 = ctx.now();
      if (o.rangeReads) {
        const rows = await tr.getRange(key, strinc(key), { limit: 1 });
        for (const kv of rows) bytesRead += kv.key.length + kv.value.length;
      } else {
        const v = await tr.get(key);
        if (v) bytesRead += key.length + v.length;
      }
      const dt = ctx.now() - t0;
      readLatencies.add(dt);
      if (o.enableReadLatencyLogging) ctx.trace('ReadLatency', { Latency: dt, Key: printable(key) });
      rowReads++;
    };

    const transaction = async (isB: boolean, measured: boolean): Promise<void> => {
      const reads = isB ? o.readsPerTransactionB : o.readsPerTransactionA;
      const writes = isB ? o.writesPerTransactionB : o.writesPerTransactionA;
      const tr = ctx.db.createTransaction();
      const t0 = ctx.now();
      for (;;) {
        try {
          const tGrv = ctx.now();
          if (o.inconsistentReads && cachedReadVersion !== undefined) tr.setReadVersion(cachedReadVersion);
          const rv = await tr.getReadVersion();
          grvLatencies.add(ctx.now() - tGrv);
          const tReads = ctx.now();
          const readIdx = indexes(reads, o.adjacentReads);
          if (o.dependentReads) for (const i of readIdx) await readOne(tr, i);
          else await Promise.all(readIdx.map((i) => readOne(tr, i)));
          fullReadLatencies.add(ctx.now() - tReads);
          for (const i of indexes(writes, o.adjacentWrites)) {
            const k = keyFor(i);
            const v = randomValue();
            tr.set(k, v);
            bytesWritten += k.length + v.length;
            rowWrites++;
          }
          for (let i = 0; i < o.extraReadConflictRangesPerTransaction; i++) {
            const x = randomIndex();
            tr.addReadConflictRange(keyFor(x), keyFor(x, true));
          }
          for (let i = 0; i < o.extraWriteConflictRangesPerTransaction; i++) {
            const x = randomIndex();
            tr.addWriteConflictRange(keyFor(x), keyFor(x, true));
          }
          const tCommit = ctx.now();
          await tr.commit();
          commitLatencies.add(ctx.now() - tCommit);
          cachedReadVersion = rv;
          break;
        } catch (e) {
          if (e instanceof FdbError && e.code === 1007) cachedReadVersion = undefined;
          retries++;
          await tr.onError(e);
        }
        if (stopped && o.cancelWorkersAtDuration) return;
      }
      if (!measured) return;
      latencies.add(ctx.now() - t0);
      if (isB) bTransactions++;
      else aTransactions++;
    };

    const actor = async (loadStart: number, endTime: number): Promise<void> => {
      const meanInterval = actors / tps;
      let lastTime = ctx.now();
      while (!stopped) {
        lastTime += r.exponential(meanInterval);
        if (lastTime > ctx.now()) await ctx.delay(lastTime - ctx.now());
        if (ctx.now() >= endTime) return;
        const progress =
          o.testDuration > 0 ? ((ctx.now() - loadStart) / o.testDuration) * o.rampSweepCount : 1;
        const ramp = progress % 1 === 0 && progress > 0 ? 1 : progress % 1;
        if (o.rampUpLoad && !r.chance(ramp)) continue;
        const alpha = o.rampTransactionType ? o.alpha * ramp : o.alpha;
        const elapsed = ctx.now() - loadStart;
        const measured = elapsed >= metricsStart && elapsed < metricsStart + metricsDuration;
        await transaction(r.chance(alpha), measured);
      }
    };

    const verify = async (): Promise<boolean> => {
      const chunk = 1000;
      for (let b = 0; b < o.nodeCount; b += chunk) {
        const e = Math.min(o.nodeCount, b + chunk);
        const values = await ctx.db.run(async (tr) => {
          const out: Array<Bytes | undefined> = [];
          for (let i = b; i < e; i++) out.push(await tr.get(keyFor(i)));
          return out;
        });
        for (let i = b; i < e; i++) {
          const v = values[i - b];
          if (v === undefined || v.length < minValueBytes || v.length > o.valueBytes) {
            ctx.fail(v === undefined ? 'A loaded key is missing' : 'A value has an invalid size', {
              Index: i,
              Key: printable(keyFor(i)),
              ValueSize: v === undefined ? -1 : v.length,
              MinValueBytes: minValueBytes,
              ValueBytes: o.valueBytes,
            });
            return false;
          }
        }
      }
      return true;
    };

    return {
      async setup() {
        if (o.setup) await load();
      },

      async start() {
        // Warm up with one read, as FoundationDB does, then pause for warmingDelay.
        await ctx.db.run((tr) => tr.get(keyFor(randomIndex())));
        if (o.warmingDelay > 0) await ctx.delay(o.warmingDelay);
        const loadStart = ctx.now();
        const endTime = loadStart + o.testDuration;
        const progress = async (): Promise<void> => {
          if (o.periodicLoggingInterval <= 0) return;
          while (ctx.now() + o.periodicLoggingInterval < endTime) {
            await ctx.delay(o.periodicLoggingInterval);
            ctx.trace('ReadWriteProgress', {
              Description: o.description,
              ATransactions: aTransactions,
              BTransactions: bTransactions,
              Retries: retries,
            });
          }
        };
        const stopper = async (): Promise<void> => {
          await ctx.delay(o.testDuration);
          stopped = true;
        };
        await Promise.all([
          progress(),
          stopper(),
          ...Array.from({ length: actors }, async () => {
            try {
              await actor(loadStart, endTime);
            } catch (e) {
              clientErrors.push(e instanceof Error ? e.message : String(e));
            }
          }),
        ]);
      },

      async check() {
        let ok = true;
        if (clientErrors.length > 0) {
          ctx.fail('There were client errors.', { Errors: clientErrors.slice(0, 5).join('; ') });
          ok = false;
        }
        if (ctx.clientId === 0 && o.checkData && o.setup && !(await verify())) ok = false;
        return ok;
      },

      metrics(): Metric[] {
        const d = metricsDuration > 0 ? metricsDuration : 1;
        const transactions = aTransactions + bTransactions;
        const ops =
          aTransactions * (o.readsPerTransactionA + o.writesPerTransactionA) +
          bTransactions * (o.readsPerTransactionB + o.writesPerTransactionB);
        const ms = (x: number): number => 1000 * x;
        const m: Metric[] = [
          { name: 'Measured Duration', value: metricsDuration, averaged: true },
          { name: 'Transactions/sec', value: transactions / d },
          { name: 'Operations/sec', value: ops / d },
          { name: 'A Transactions', value: aTransactions },
          { name: 'B Transactions', value: bTransactions },
          { name: 'Retries', value: retries },
          { name: 'Mean load time (seconds)', value: loadTime, averaged: true },
          { name: 'Read rows', value: rowReads },
          { name: 'Write rows', value: rowWrites },
          { name: 'Read rows/sec', value: rowReads / d },
          { name: 'Write rows/sec', value: rowWrites / d },
          { name: 'Bytes read/sec', value: bytesRead / d },
          { name: 'Bytes written/sec', value: bytesWritten / d },
        ];
        if (!o.rampUpLoad) {
          m.push(
            { name: 'Mean Latency (ms)', value: ms(latencies.mean()), averaged: true },
            { name: 'Median Latency (ms, averaged)', value: ms(latencies.percentile(0.5)), averaged: true },
            { name: '90% Latency (ms, averaged)', value: ms(latencies.percentile(0.9)), averaged: true },
            { name: '98% Latency (ms, averaged)', value: ms(latencies.percentile(0.98)), averaged: true },
            { name: 'Max Latency (ms, averaged)', value: ms(latencies.max()), averaged: true },
            { name: 'Mean Row Read Latency (ms)', value: ms(readLatencies.mean()), averaged: true },
            {
              name: 'Median Row Read Latency (ms, averaged)',
              value: ms(readLatencies.percentile(0.5)),
              averaged: true,
            },
            { name: 'Max Row Read Latency (ms, averaged)', value: ms(readLatencies.max()), averaged: true },
            { name: 'Mean Total Read Latency (ms)', value: ms(fullReadLatencies.mean()), averaged: true },
            {
              name: 'Median Total Read Latency (ms, averaged)',
              value: ms(fullReadLatencies.percentile(0.5)),
              averaged: true,
            },
            { name: 'Max Total Latency (ms, averaged)', value: ms(fullReadLatencies.max()), averaged: true },
            { name: 'Mean GRV Latency (ms)', value: ms(grvLatencies.mean()), averaged: true },
            {
              name: 'Median GRV Latency (ms, averaged)',
              value: ms(grvLatencies.percentile(0.5)),
              averaged: true,
            },
            { name: 'Max GRV Latency (ms, averaged)', value: ms(grvLatencies.max()), averaged: true },
            { name: 'Mean Commit Latency (ms)', value: ms(commitLatencies.mean()), averaged: true },
            {
              name: 'Median Commit Latency (ms, averaged)',
              value: ms(commitLatencies.percentile(0.5)),
              averaged: true,
            },
            { name: 'Max Commit Latency (ms, averaged)', value: ms(commitLatencies.max()), averaged: true },
          );
        }
        return m;
      },
    };
  },
});
