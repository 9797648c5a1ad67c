// ApiCorrectness: every client keeps an in-memory model of its own key space (keys prefixed by its
// 10-digit id) and compares the database with it: a scripted pass (sets, gets, range reads with keys
// and with selectors, getKey, clears, range clears), then a random mix for randomTestDuration. After
// every mutation batch the whole key space is compared with the model.
import {
  type Bytes,
  bytes,
  concatBytes,
  defineWorkload,
  equalBytes,
  type KeySelector,
  type KeyValue,
  opt,
  printable,
  strinc,
  type Transaction,
} from '../src/index.js';

const options = {
  numKeys: opt.int({ default: 5000, min: 1, unit: 'keys', doc: 'Keys in each client data set.' }),
  onlyLowerCase: opt.bool({ default: false, doc: 'Keys and values use only a-z (otherwise any byte).' }),
  shortKeysRatio: opt.number({
    default: 0.5,
    min: 0,
    max: 1,
    unit: 'fraction',
    doc: 'Fraction of generated keys that use the short key lengths.',
  }),
  minShortKeyLength: opt.int({
    default: 1,
    min: 1,
    unit: 'bytes',
    doc: 'Shortest short key (after the prefix).',
  }),
  maxShortKeyLength: opt.int({
    default: 3,
    min: 1,
    unit: 'bytes',
    doc: 'Longest short key (after the prefix).',
  }),
  minLongKeyLength: opt.int({
    default: 1,
    min: 1,
    unit: 'bytes',
    doc: 'Shortest long key (after the prefix).',
  }),
  maxLongKeyLength: opt.int({
    default: 128,
    min: 1,
    unit: 'bytes',
    doc: 'Longest long key (after the prefix).',
  }),
  minValueLength: opt.int({ default: 1, min: 0, unit: 'bytes', doc: 'Shortest value.' }),
  maxValueLength: opt.int({ default: 10000, min: 0, max: 100000, unit: 'bytes', doc: 'Longest value.' }),
  clientId: opt.int({
    default: -1,
    min: -1,
    doc: 'Key-space id used in the prefix instead of the real client id; -1 = the real client id.',
  }),
  numGets: opt.int({
    default: 1000,
    min: 0,
    unit: 'operations',
    doc: 'Gets in the scripted pass (90% of existing keys).',
  }),
  numGetRanges: opt.int({
    default: 100,
    min: 0,
    unit: 'operations',
    doc: 'Range reads by key in the scripted pass.',
  }),
  numGetRangeSelectors: opt.int({
    default: 100,
    min: 0,
    unit: 'operations',
    doc: 'Range reads by key selector in the scripted pass.',
  }),
  numGetKeys: opt.int({
    default: 100,
    min: 0,
    unit: 'operations',
    doc: 'getKey calls in the scripted pass.',
  }),
  numClears: opt.int({ default: 100, min: 0, unit: 'operations', doc: 'Point clears in the scripted pass.' }),
  numClearRanges: opt.int({
    default: 100,
    min: 0,
    unit: 'operations',
    doc: 'Range clears in the scripted pass.',
  }),
  minSizeAfterClear: opt.int({
    default: -1,
    min: -1,
    unit: 'keys',
    doc: 'Refill the data set when clears leave fewer keys than this; -1 = 10% of numKeys.',
  }),
  maxRandomTestKeys: opt.int({
    default: -1,
    min: -1,
    unit: 'keys',
    doc: 'Size the random pass lets the key space grow to (sets get rarer near it); -1 = numKeys.',
  }),
  randomTestDuration: opt.number({
    default: 60,
    min: 0,
    unit: 's',
    doc: 'Length of the random pass, in simulated seconds.',
  }),
  maxTransactionBytes: opt.int({
    default: 500000,
    min: 1,
    unit: 'bytes',
    doc: 'Budget of one transaction: keys per transaction = max(1, this / (maxValueLength + maxLongKeyLength)).',
  }),
  resetDBTimeout: opt.number({
    default: 1800,
    min: 0,
    unit: 's',
    doc: 'Limit on clearing the key space in setup, in simulated seconds (0 = none).',
  }),
};

/** Bytes as a binary string (one char per byte): JavaScript orders these exactly as bytes. */
function bin(b: Bytes): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}
function unbin(s: string): Bytes {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The in-memory model of one client's key space. */
class MemoryStore {
  readonly keys: string[] = [];
  readonly values = new Map<string, Bytes>();
  get size(): number {
    return this.keys.length;
  }
  set(k: string, v: Bytes): void {
    if (!this.values.has(k)) this.keys.splice(lowerBound(this.keys, k), 0, k);
    this.values.set(k, v);
  }
  clear(k: string): void {
    if (!this.values.delete(k)) return;
    this.keys.splice(lowerBound(this.keys, k), 1);
  }
  clearRange(b: string, e: string): void {
    const i = lowerBound(this.keys, b);
    const j = lowerBound(this.keys, e);
    for (const k of this.keys.splice(i, Math.max(0, j - i))) this.values.delete(k);
  }
  range(b: string, e: string): KeyValue[] {
    const out: KeyValue[] = [];
    for (let i = lowerBound(this.keys, b); i < this.keys.length && this.keys[i]! < e; i++) {
      out.push({ key: unbin(this.keys[i]!), value: this.values.get(this.keys[i]!)! });
    }
    return out;
  }
  /** Index a selector resolves to: -1 or less = before the key space, size or more = after it. */
  resolve(sel: KeySelector): number {
    const k = bin(sel.key);
    const count = sel.orEqual ? lowerBound(this.keys, `${k}\x00`) : lowerBound(this.keys, k);
    return count - 1 + sel.offset;
  }
}

const showRows = (rows: readonly KeyValue[]): string => {
  const s = rows.map((kv) => printable(kv.key)).join(',');
  return s.length > 300 ? `${s.slice(0, 300)}...` : s;
};
/** Byte-wise, without building strings: the whole-key-space comparison runs after every operation. */
const sameRow = (a: KeyValue, b: KeyValue): boolean =>
  equalBytes(a.key, b.key) && equalBytes(a.value, b.value);

export default defineWorkload({
  name: 'ApiCorrectness',
  description: 'Compares every client API call with an in-memory model of the client key space.',
  kind: 'application',
  keySpace: 'test-keys',
  options,
  create(ctx) {
    const o = ctx.options;
    const r = ctx.random;
    const name = 'ApiCorrectness';
    const prefix = bytes(String(o.clientId >= 0 ? o.clientId : ctx.clientId).padStart(10, '0'));
    const prefixEnd = strinc(prefix);
    const pBegin = bin(prefix);
    const pEnd = bin(prefixEnd);
    const keysPerTxn = Math.max(
      1,
      Math.floor(o.maxTransactionBytes / (o.maxValueLength + o.maxLongKeyLength)),
    );
    const minSizeAfterClear = o.minSizeAfterClear >= 0 ? o.minSizeAfterClear : Math.floor(0.1 * o.numKeys);
    const maxRandomTestKeys = o.maxRandomTestKeys >= 0 ? o.maxRandomTestKeys : o.numKeys;
    const store = new MemoryStore();
    const dataSet = new Map<string, Bytes>();
    let success = true;
    let randomOps = 0;

    const randomBytes = (n: number): Bytes => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = o.onlyLowerCase ? 97 + r.int(0, 26) : r.int(0, 256);
      return out;
    };
    const randomKey = (): Bytes => {
      const short = r.chance(o.shortKeysRatio);
      const lo = short ? o.minShortKeyLength : o.minLongKeyLength;
      const hi = short ? o.maxShortKeyLength : o.maxLongKeyLength;
      return concatBytes(prefix, randomBytes(r.int(lo, Math.max(lo, hi) + 1)));
    };
    const randomValue = (): Bytes =>
      randomBytes(r.int(o.minValueLength, Math.max(o.minValueLength, o.maxValueLength) + 1));
    /** An existing key with probability `pExisting` (when any exist), else a fresh random one. */
    const pickKey = (pExisting: number): Bytes =>
      store.size > 0 && r.chance(pExisting) ? unbin(r.pick(store.keys)) : randomKey();
    const randomSelector = (): KeySelector => ({
      key: pickKey(0.5),
      orEqual: r.chance(0.5),
      offset: r.int(-Math.min(10, store.size + 1), Math.min(10, store.size + 1) + 1),
    });

    const testFailure = (reason: string, details: Record<string, string | number> = {}): void => {
      success = false;
      ctx.fail(reason, details);
    };

    // -- comparison of the whole key space --

    const compareDatabaseToMemory = async (): Promise<boolean> => {
      const rows = await ctx.db.run((tr) => tr.getRange(prefix, prefixEnd));
      const model = store.range(pBegin, pEnd);
      if (rows.length !== model.length) {
        ctx.trace(`${name}_CompareSizeMismatch`, { DatabaseSize: rows.length, MemorySize: model.length }, 40);
        testFailure('Size of database does not match the in-memory model', {
          DatabaseSize: rows.length,
          MemorySize: model.length,
        });
        return false;
      }
      for (let i = 0; i < rows.length; i++) {
        if (!sameRow(rows[i]!, model[i]!)) {
          ctx.trace(
            `${name}_CompareValueMismatch`,
            {
              Index: i,
              DatabaseKey: printable(rows[i]!.key),
              MemoryKey: printable(model[i]!.key),
              DatabaseValueSize: rows[i]!.value.length,
              MemoryValueSize: model[i]!.value.length,
            },
            40,
          );
          testFailure('Data in database does not match the in-memory model', { Index: i });
          return false;
        }
      }
      return true;
    };

    // -- mutations, in batches; each updates the model only after its commit --

    const setKeys = async (pairs: ReadonlyArray<[Bytes, Bytes]>): Promise<void> => {
      for (let i = 0; i < pairs.length; i += keysPerTxn) {
        const batch = pairs.slice(i, i + keysPerTxn);
        // Sets are idempotent: an attempt that maybe committed is simply repeated.
        await ctx.db.run(async (tr) => {
          for (const [k, v] of batch) tr.set(k, v);
        });
        for (const [k, v] of batch) store.set(bin(k), v);
      }
    };
    const clearKeys = async (keys: readonly Bytes[]): Promise<void> => {
      for (let i = 0; i < keys.length; i += keysPerTxn) {
        const batch = keys.slice(i, i + keysPerTxn);
        await ctx.db.run(async (tr) => {
          for (const k of batch) tr.clear(k);
        });
        for (const k of batch) store.clear(bin(k));
      }
    };
    const clearRange = async (b: Bytes, e: Bytes): Promise<void> => {
      await ctx.db.run(async (tr) => tr.clearRange(b, e));
      store.clearRange(bin(b), bin(e));
    };
    /** Puts back data-set keys that clears removed, when the key space got too small. */
    const refill = async (): Promise<void> => {
      if (store.size >= minSizeAfterClear) return;
      const missing: Array<[Bytes, Bytes]> = [];
      for (const [k, v] of dataSet) if (!store.values.has(k)) missing.push([unbin(k), v]);
      await setKeys(missing);
    };

    // -- reads, each checked against the model --

    const readInBatches = async (count: number, one: (tr: Transaction) => Promise<void>): Promise<void> => {
      for (let done = 0; done < count; ) {
        const n = Math.min(keysPerTxn, count - done);
        // The model only changes between batches, so a retried read batch checks the same thing.
        await ctx.db.run(async (tr) => {
          for (let i = 0; i < n; i++) await one(tr);
        });
        done += n;
      }
    };

    const testGet = async (tr: Transaction): Promise<void> => {
      const key = pickKey(0.9);
      const got = await tr.get(key);
      const want = store.values.get(bin(key));
      const same = got === undefined || want === undefined ? got === want : bin(got) === bin(want);
      if (!same) testFailure('Get returned incorrect results', { Key: printable(key) });
    };

    const testGetRange = async (tr: Transaction): Promise<void> => {
      let [b, e] = [pickKey(0.5), pickKey(0.5)];
      if (bin(b) > bin(e)) [b, e] = [e, b];
      const limit = r.int(0, store.size + 2);
      const reverse = r.chance(0.5);
      const got = await tr.getRange(b, e, { limit, reverse });
      let want = store.range(bin(b), bin(e));
      if (reverse) want = want.reverse();
      if (limit > 0) want = want.slice(0, limit);
      if (got.length !== want.length || got.some((kv, i) => !sameRow(kv, want[i]!))) {
        testFailure('GetRange returned incorrect results', {
          Begin: printable(b),
          End: printable(e),
          Limit: limit,
          Reverse: String(reverse),
          Database: showRows(got),
          Memory: showRows(want),
        });
      }
    };

    const testGetRangeSelectors = async (tr: Transaction): Promise<void> => {
      const begin = randomSelector();
      const end = randomSelector();
      const limit = r.int(0, store.size + 2);
      const reverse = r.chance(0.5);
      const got = await tr.getRange(begin, end, { limit, reverse });
      const bi = store.resolve(begin);
      const ei = store.resolve(end);
      // Selectors that resolve before this key space (or more than one key past it) reach other
      // clients' keys, which this model does not know: those results are not compared.
      if (bi < 0 || ei < 0 || bi > store.size || ei > store.size) return;
      const keys = bi < ei ? store.keys.slice(bi, ei) : [];
      let want = keys.map((k) => ({ key: unbin(k), value: store.values.get(k)! }));
      if (reverse) want = want.reverse();
      if (limit > 0) want = want.slice(0, limit);
      if (got.length !== want.length || got.some((kv, i) => !sameRow(kv, want[i]!))) {
        testFailure('GetRange (KeySelector) returned incorrect results', {
          Begin: `${printable(begin.key)}:${begin.orEqual}:${begin.offset}`,
          End: `${printable(end.key)}:${end.orEqual}:${end.offset}`,
          Limit: limit,
          Reverse: String(reverse),
          Database: showRows(got),
          Memory: showRows(want),
        });
      }
    };

    const testGetKey = async (tr: Transaction): Promise<void> => {
      const sel = randomSelector();
      const got = bin(await tr.getKey(sel));
      const i = store.resolve(sel);
      const ok = i < 0 ? got < pBegin : i >= store.size ? got >= pEnd : got === store.keys[i];
      if (!ok) {
        testFailure('GetKey returned incorrect results', {
          Selector: `${printable(sel.key)}:${sel.orEqual}:${sel.offset}`,
          Database: printable(unbin(got)),
          Memory: i >= 0 && i < store.size ? printable(unbin(store.keys[i]!)) : String(i),
        });
      }
    };

    const randomClearRange = async (): Promise<void> => {
      let [b, e] = [pickKey(0.5), pickKey(0.5)];
      if (bin(b) > bin(e)) [b, e] = [e, b];
      await clearRange(b, e);
    };

    // -- the passes --

    const scriptedPass = async (deadline: number): Promise<void> => {
      const steps: Array<() => Promise<void>> = [
        async () => {
          await setKeys([...dataSet].map(([k, v]) => [unbin(k), v] as [Bytes, Bytes]));
          await compareDatabaseToMemory();
        },
        () => readInBatches(o.numGets, testGet),
        () => readInBatches(o.numGetRanges, testGetRange),
        () => readInBatches(o.numGetRangeSelectors, testGetRangeSelectors),
        () => readInBatches(o.numGetKeys, testGetKey),
        async () => {
          const victims = new Set<string>();
          for (let i = 0; i < o.numClears && store.size > 0; i++) victims.add(r.pick(store.keys));
          await clearKeys([...victims].sort().map(unbin));
          await compareDatabaseToMemory();
          await refill();
        },
        async () => {
          for (let i = 0; i < o.numClearRanges; i++) {
            await randomClearRange();
            await compareDatabaseToMemory();
            await refill();
          }
        },
      ];
      for (const step of steps) {
        if (ctx.now() >= deadline || !success) return;
        await step();
      }
    };

    const randomPass = async (endTime: number): Promise<void> => {
      while (ctx.now() < endTime && success) {
        const t = r.int(0, 7);
        randomOps++;
        if (t === 0) {
          // Sets become rarer as the key space fills up.
          if (r.chance(1 - store.size / Math.max(1, maxRandomTestKeys))) {
            const pairs: Array<[Bytes, Bytes]> = [];
            const n = r.int(1, keysPerTxn + 1);
            for (let i = 0; i < n; i++) pairs.push([pickKey(0.3), randomValue()]);
            const dedup = new Map(pairs.map(([k, v]) => [bin(k), v] as const));
            await setKeys([...dedup].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [unbin(k), v]));
            await compareDatabaseToMemory();
          }
        } else if (t === 1) await readInBatches(r.int(1, keysPerTxn + 1), testGet);
        else if (t === 2) await readInBatches(1, testGetRange);
        else if (t === 3) await readInBatches(1, testGetRangeSelectors);
        else if (t === 4) await readInBatches(r.int(1, 10), testGetKey);
        else if (t === 5) {
          if (store.size > 0) {
            const victims = new Set<string>();
            const n = r.int(1, Math.min(keysPerTxn, store.size) + 1);
            for (let i = 0; i < n; i++) victims.add(r.pick(store.keys));
            await clearKeys([...victims].sort().map(unbin));
            await compareDatabaseToMemory();
          }
        } else {
          await randomClearRange();
          await compareDatabaseToMemory();
        }
      }
    };

    return {
      async setup() {
        // Clear this client's key space (idempotent, so retries after maybe-commits are harmless).
        const deadline = o.resetDBTimeout > 0 ? ctx.now() + o.resetDBTimeout : Number.POSITIVE_INFINITY;
        await ctx.db.run(async (tr) => tr.clearRange(prefix, prefixEnd));
        if (ctx.now() > deadline) testFailure('Timed out clearing the key space');
      },

      async start() {
        while (dataSet.size < o.numKeys) dataSet.set(bin(randomKey()), randomValue());
        await scriptedPass(ctx.now() + 600);
        if (!success) return;
        // Restore the data set, then run the random mix.
        await setKeys([...dataSet].map(([k, v]) => [unbin(k), v] as [Bytes, Bytes]));
        await randomPass(ctx.now() + o.randomTestDuration);
        ctx.trace('ApiCorrectnessDone', { RandomOperations: randomOps, Keys: store.size });
      },

      async check() {
        // Nothing else writes this key space: it must still match the model after the run.
        if (success) await compareDatabaseToMemory();
        return success;
      },

      metrics() {
        return [{ name: 'Number of Random Operations Performed', value: randomOps }];
      },
    };
  },
});
