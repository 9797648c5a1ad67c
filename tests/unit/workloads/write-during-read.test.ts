// WriteDuringRead against the reference model: every read, getKey, getRange and watch agrees with the
// workload's in-memory model on a correct database (also under commit_unknown_result), and the check
// names the right WDR* event when the data is corrupted or the database breaks read-your-writes or
// watches.
import { describe, expect, it } from 'vitest';
import type {
  AtomicOp,
  Bytes,
  KeySelector,
  KeyValue,
  RangeOptions,
  ReadOptions,
  Transaction,
  Version,
} from '../../../src/index.js';
import writeDuringRead from '../../../workloads/write-during-read.js';
import { ModelDatabase, type ModelDatabaseOptions } from '../../support/model-db.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

/**
 * Gives the reference model FoundationDB's issue-order read-your-writes semantics, which WriteDuringRead
 * checks and model-db.ts lacks (reported): there a read sees the writes issued while it was outstanding,
 * and versionstamped keys are applied after every other mutation of the commit. Here a write reaches the
 * model only after every read issued before it has finished (so each read sees exactly the writes issued
 * before it), and a versionstamped key that a later clear of the same transaction covers entirely is
 * dropped (its net effect under in-order application).
 */
class IssueOrderTransaction implements Transaction {
  private applied: Promise<void> = Promise.resolve();
  private reads = new Set<Promise<void>>();
  private stamped: Array<{ key: Bytes; value: Bytes; low: string; high: string }> = [];
  /** Bumped by reset/onError: writes queued before it are dropped, as the reset dropped them. */
  private generation = 0;

  constructor(private readonly inner: Transaction) {}

  private read<T>(f: () => Promise<T>): Promise<T> {
    const p = this.applied.then(f);
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.reads.add(settled);
    void settled.then(() => this.reads.delete(settled));
    return p;
  }

  private write(f: () => void): void {
    const earlier = [...this.reads];
    const generation = this.generation;
    this.applied = this.applied
      .then(() => Promise.all(earlier))
      .then(() => {
        if (generation === this.generation) f();
      });
    this.applied.catch(() => undefined);
  }

  getReadVersion(): Promise<Version> {
    return this.inner.getReadVersion();
  }
  setReadVersion(v: Version): void {
    this.inner.setReadVersion(v);
  }
  get(key: Bytes, opts?: ReadOptions): Promise<Bytes | undefined> {
    return this.read(() => this.inner.get(key, opts));
  }
  getKey(selector: KeySelector, opts?: ReadOptions): Promise<Bytes> {
    return this.read(() => this.inner.getKey(selector, opts));
  }
  getRange(begin: Bytes | KeySelector, end: Bytes | KeySelector, opts?: RangeOptions): Promise<KeyValue[]> {
    return this.read(() => this.inner.getRange(begin, end, opts));
  }
  set(key: Bytes, value: Bytes): void {
    this.write(() => this.inner.set(key, value));
  }
  clear(key: Bytes): void {
    this.write(() => this.inner.clear(key));
  }
  clearRange(begin: Bytes, end: Bytes): void {
    const b = binary(begin);
    const e = binary(end);
    this.stamped = this.stamped.filter((s) => !(b <= s.low && s.high < e));
    this.write(() => this.inner.clearRange(begin, end));
  }
  atomicOp(op: AtomicOp, key: Bytes, param: Bytes): void {
    if (op === 'setVersionstampedKey') this.setVersionstampedKey(key, param);
    else this.write(() => this.inner.atomicOp(op, key, param));
  }
  add(key: Bytes, param: Bytes): void {
    this.atomicOp('add', key, param);
  }
  bitAnd(key: Bytes, param: Bytes): void {
    this.atomicOp('bitAnd', key, param);
  }
  bitOr(key: Bytes, param: Bytes): void {
    this.atomicOp('bitOr', key, param);
  }
  bitXor(key: Bytes, param: Bytes): void {
    this.atomicOp('bitXor', key, param);
  }
  max(key: Bytes, param: Bytes): void {
    this.atomicOp('max', key, param);
  }
  min(key: Bytes, param: Bytes): void {
    this.atomicOp('min', key, param);
  }
  byteMin(key: Bytes, param: Bytes): void {
    this.atomicOp('byteMin', key, param);
  }
  byteMax(key: Bytes, param: Bytes): void {
    this.atomicOp('byteMax', key, param);
  }
  appendIfFits(key: Bytes, param: Bytes): void {
    this.atomicOp('appendIfFits', key, param);
  }
  compareAndClear(key: Bytes, param: Bytes): void {
    this.atomicOp('compareAndClear', key, param);
  }
  setVersionstampedKey(key: Bytes, value: Bytes): void {
    const body = key.subarray(0, key.length - 4);
    const at = new DataView(key.buffer, key.byteOffset + key.length - 4, 4).getUint32(0, true);
    const low = body.slice();
    low.fill(0, at, at + 10);
    const high = body.slice();
    high.fill(0xff, at, at + 10);
    this.stamped.push({ key, value, low: binary(low), high: binary(high) });
  }
  setVersionstampedValue(key: Bytes, value: Bytes): void {
    this.write(() => this.inner.setVersionstampedValue(key, value));
  }
  addReadConflictRange(begin: Bytes, end: Bytes): void {
    this.write(() => this.inner.addReadConflictRange(begin, end));
  }
  addReadConflictKey(key: Bytes): void {
    this.write(() => this.inner.addReadConflictKey(key));
  }
  addWriteConflictRange(begin: Bytes, end: Bytes): void {
    this.write(() => this.inner.addWriteConflictRange(begin, end));
  }
  addWriteConflictKey(key: Bytes): void {
    this.write(() => this.inner.addWriteConflictKey(key));
  }
  watch(key: Bytes): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.write(() => {
        this.inner.watch(key).then(resolve, reject);
      });
    });
  }
  async commit(): Promise<void> {
    await Promise.all([...this.reads]);
    await this.applied;
    for (const s of this.stamped) this.inner.setVersionstampedKey(s.key, s.value);
    this.stamped = [];
    await this.inner.commit();
  }
  getCommittedVersion(): Version {
    return this.inner.getCommittedVersion();
  }
  getVersionstamp(): Promise<Bytes> {
    return this.inner.getVersionstamp();
  }
  async onError(error: unknown): Promise<void> {
    this.forget();
    await this.inner.onError(error);
  }
  reset(): void {
    this.inner.reset();
    this.forget();
  }
  setTimeout(ms: number): void {
    this.inner.setTimeout(ms);
  }
  private forget(): void {
    this.generation++;
    this.applied = Promise.resolve();
    this.reads = new Set();
    this.stamped = [];
  }
}

class IssueOrderModel extends ModelDatabase {
  override createTransaction(): Transaction {
    return new IssueOrderTransaction(super.createTransaction());
  }
}

function binary(b: Bytes): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

const issueOrder =
  (extra: Partial<ModelDatabaseOptions> = {}) =>
  (env: Pick<ModelDatabaseOptions, 'now' | 'delay' | 'random'>): ModelDatabase =>
    new IssueOrderModel({ ...env, ...extra });

const WDR_FAILURES = [
  'WDRGetWrongResult',
  'WDRGetKeyWrongResult',
  'WDRGetRangeWrongResult',
  'WDRWatchWrongResult',
] as const;

describe('WriteDuringRead workload', () => {
  it.each([
    1, 2, 3, 4, 5, 6,
  ])('agrees with its model on a correct database (seed %i, 3 clients)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 15 },
      clientCount: 3,
      seed,
      db: issueOrder(),
    });
    expect(r.failures).toEqual([]);
    expect(r.checkResults).toEqual([true, true, true]);
    // Only client 0 runs transactions, as in FoundationDB.
    expect(r.metrics.get('Transactions')).toBeGreaterThan(5);
    const config = r.events.find((e) => e.type === 'RYWConfiguration');
    expect(config?.machine).toBe('10.0.0.1:1');
    // The range after the run is exactly what the model says: some data was written and kept.
    expect(r.events.some((e) => e.type === 'WDRCheckSkipped')).toBe(false);
  });

  it('is deterministic for a seed', async () => {
    const once = async () =>
      runWorkloadForTest({
        workload: writeDuringRead,
        options: { testDuration: 5 },
        seed: 9,
        db: issueOrder(),
      });
    const [a, b] = [await once(), await once()];
    expect(a.db.rawDump()).toEqual(b.db.rawDump());
    expect(a.metrics).toEqual(b.metrics);
  });

  it.each([21, 22, 23])('tolerates commit_unknown_result by reloading (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 15 },
      clientCount: 2,
      seed,
      db: issueOrder(),
      commitUnknownResultProbability: 0.3,
      commitUnknownResultDropFraction: 0.5,
    });
    expect(r.db.stats.unknownResults).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('retries transactions whose reads become too old, and still agrees with its model', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 30 },
      seed: 334,
      // A 0.3 s MVCC window: the workload's random delays make reads transaction_too_old.
      db: issueOrder({ mvccWindowVersions: 300_000 }),
    });
    expect(r.db.stats.tooOld).toBeGreaterThan(0);
    expect(r.metrics.get('Retries')).toBeGreaterThan(0);
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('fails with WDRGetRangeWrongResult when a key appears in its range after the run', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 5 },
      seed: 3,
      db: issueOrder(),
      beforeCheck: (db) => {
        db.rawSet(Uint8Array.of(0x02, 0x7f, 0x7f), Uint8Array.of(1));
      },
    });
    expect(r.passed).toBe(false);
    expect(r.checkResults).toEqual([false]);
    const f = failuresOfType(r, 'WDRGetRangeWrongResult');
    expect(f).toHaveLength(1);
    expect(f[0]!.details.Reason).toMatch(/after the run/);
  });

  it('fails with WDRGetRangeWrongResult when a stored value is changed after the run', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 5 },
      seed: 4,
      db: issueOrder(),
      beforeCheck: (db) => {
        const rows = db.rawDump(Uint8Array.of(0x02), Uint8Array.of(0x03));
        expect(rows.length).toBeGreaterThan(0);
        const victim = rows[Math.floor(rows.length / 2)]!;
        db.rawSet(victim.key, Uint8Array.of(...victim.value, 0x21));
      },
    });
    expect(r.checkResults).toEqual([false]);
    expect(failuresOfType(r, 'WDRGetRangeWrongResult')).toHaveLength(1);
  });

  it('catches a database without read-your-writes (WDRGet*WrongResult)', async () => {
    const r = await runWorkloadForTest({
      workload: writeDuringRead,
      options: { testDuration: 10 },
      seed: 5,
      db: issueOrder({ plantedBug: 'noReadYourWrites' }),
    });
    expect(r.passed).toBe(false);
    const kinds = new Set(r.failures.map((f) => f.type));
    expect([...kinds].some((k) => (WDR_FAILURES as readonly string[]).includes(k))).toBe(true);
  });

  it('catches watches that fire without a change (WDRWatchWrongResult)', async () => {
    let caught = 0;
    for (const seed of [1, 2, 3, 4]) {
      const r = await runWorkloadForTest({
        workload: writeDuringRead,
        options: { testDuration: 15 },
        seed,
        db: issueOrder({ plantedBug: 'spuriousWatches' }),
      });
      const f = failuresOfType(r, 'WDRWatchWrongResult');
      if (f.length > 0) {
        caught++;
        expect(f[0]!.details.Reason).toBe('Triggered without changing');
        expect(r.checkResults).toEqual([false]);
      }
    }
    expect(caught).toBeGreaterThan(0);
  });
});
