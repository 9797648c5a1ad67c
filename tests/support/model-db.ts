// A reference model of FoundationDB's client semantics, for tests: an in-memory, multi-version key-value
// store with optimistic concurrency, read-your-writes, atomic operations, key selectors, versionstamps,
// watches and the standard retry loop. It is written from the specification (FoundationDB's documented
// behaviour), not from faultline's cluster code, so that workloads can be tested against an independent
// oracle. The value semantics of atomic operations and versionstamps are the one shared implementation
// (src/cluster/mutation.ts), as in the cluster and the oracle's reference model (src/oracle/model.ts). As in FoundationDB, a read sees the transaction's
// writes as of when it was issued (not those issued while it is outstanding), a commit applies the
// mutations in issue order (versionstamped ones included), and a watch compares with the value its
// transaction saw when watch() was called.
//
// Keys are handled internally as "binary strings" (one UTF-16 code unit per byte, 0..255) because
// JavaScript compares such strings in exactly the byte-lexicographic order FoundationDB uses.

import {
  checkClearRange,
  checkConflictRange,
  checkLimit,
  checkReadRange,
  checkSetReadVersion,
  isSpecialKey,
} from '../../src/cluster/api-checks.js';
import {
  type AtomicOp,
  type AttemptInfo,
  type Bytes,
  type Database,
  FdbError,
  fdbError,
  type KeySelector,
  type KeyValue,
  Limits,
  type RangeOptions,
  type ReadOptions,
  type Transaction,
  type TransactionOption,
  VALUE_ATOMIC_OPS,
  type Version,
} from '../../src/cluster/client-api.js';
import type { Random } from '../../src/core/random.js';
import { referenceAtomic, referenceVersionstamp } from '../../src/oracle/semantics.js';

/** Upper bound of the normal keyspace (`\xff`); user keys must sort below it. */
const KEYSPACE_END = '\xff';
const MODEL_ATOMIC_OPS: ReadonlySet<string> = new Set<string>(VALUE_ATOMIC_OPS);

/** Construction parameters of a ModelDatabase. */
export interface ModelDatabaseOptions {
  /** Simulated time in integer microseconds. Versions advance with it (1,000,000 per second). */
  readonly now: () => number;
  /** Random stream for latencies, back-off jitter and fault injection. */
  readonly random: Random;
  /** Sleeps for `seconds` of simulated time. Every latency and back-off goes through it. */
  readonly delay: (seconds: number) => Promise<void>;
  /**
   * Largest simulated latency of each step, seconds; each call draws uniformly in [0, max]. Latency is
   * what lets concurrent transactions interleave (and so conflict). Defaults: grv 0.001, read 0.002,
   * commit 0.004. Use 0 for a model whose operations complete at the instant they are called.
   */
  readonly latency?: { readonly grv?: number; readonly read?: number; readonly commit?: number };
  /** MVCC window, versions: older read versions get transaction_too_old. Default 5,000,000 (5 s). */
  readonly mvccWindowVersions?: number;
  /** First back-off of onError, seconds. Default 0.01 (FoundationDB's DEFAULT_BACKOFF). */
  readonly initialBackoff?: number;
  /** Largest back-off of onError, seconds. Default 1.0 (FoundationDB's DEFAULT_MAX_BACKOFF). */
  readonly maxBackoff?: number;
  /** A deliberate defect, so tests can prove a workload catches the class of bug it exists for. */
  readonly plantedBug?: ModelPlantedBug;
}

/**
 * Deliberate defects of the model: `ignoreReadConflicts` (commits never conflict),
 * `ignoreRangeReadConflicts` (range reads and selectors add no read-conflict range),
 * `noReadYourWrites` (reads ignore the transaction's own writes), `spuriousWatches` (a watch fires
 * as soon as it is registered, changed or not).
 */
export type ModelPlantedBug =
  | 'ignoreReadConflicts'
  | 'ignoreRangeReadConflicts'
  | 'noReadYourWrites'
  | 'spuriousWatches';

/** Counters a test can assert on. */
export interface ModelStats {
  /** Transactions that committed (including ones reported as commit_unknown_result). */
  commits: number;
  /** Commits rejected with not_committed. */
  conflicts: number;
  /** Reads or commits rejected with transaction_too_old. */
  tooOld: number;
  /** commit_unknown_result errors injected. */
  unknownResults: number;
  /** Of those, commits that were dropped (not applied) before reporting commit_unknown_result. */
  droppedUnknownResults: number;
  /** Watches that fired. */
  watchesFired: number;
}

/**
 * A mutation as the model logs and applies it, in issue order (versionstamped ones included, as the
 * commit proxy applies them).
 */
type Mutation =
  | { readonly type: 'set'; readonly key: string; readonly value: Bytes }
  | { readonly type: 'clearRange'; readonly begin: string; readonly end: string }
  | { readonly type: 'atomic'; readonly op: AtomicOp; readonly key: string; readonly param: Bytes }
  /** `key` still holds the placeholder and its 4-byte offset suffix; filled at commit. */
  | { readonly type: 'versionstampedKey'; readonly key: Bytes; readonly value: Bytes }
  /** `value` still holds the placeholder and its 4-byte offset suffix; filled at commit. */
  | { readonly type: 'versionstampedValue'; readonly key: string; readonly value: Bytes };

/** One version of a key: a value, or undefined for a clear. */
interface VersionedValue {
  readonly version: Version;
  readonly value: Bytes | undefined;
}

/** A half-open key range [begin, end) in binary-string form. */
type Range = readonly [string, string];

/** A transaction's knowledge of one key written in it. */
type PointWrite =
  /** The value no longer depends on the database (set, clear, or atomic ops after a clear). */
  | { readonly kind: 'value'; readonly value: Bytes | undefined }
  /** Atomic operations to fold over the database value (never changed in place: views share it). */
  | { readonly kind: 'ops'; readonly ops: ReadonlyArray<{ readonly op: AtomicOp; readonly param: Bytes }> }
  /** The target of setVersionstampedValue: unknown until commit. */
  | { readonly kind: 'unreadable' };

interface WatchEntry {
  readonly expected: Bytes | undefined;
  readonly resolve: () => void;
}

// ---------------------------------------------------------------------------------------------------
// Byte helpers

/** Bytes to the internal binary-string key form. */
export function toKeyString(b: Bytes): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 4096)));
  }
  return s;
}

/** The internal binary-string key form back to bytes. */
export function fromKeyString(s: string): Bytes {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function bytesEqual(a: Bytes | undefined, b: Bytes | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rangesIntersect(a: Range, b: Range): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

// ---------------------------------------------------------------------------------------------------
// Atomic operations and versionstamps: the reference semantics this model shares with the oracle
// (src/oracle/semantics.ts, written apart from the cluster's own), over bytes.

/**
 * The value an atomic operation leaves, given the existing value (undefined when absent); undefined
 * means the key is cleared. Versionstamped operations are not handled here (they need the commit).
 */
export function applyAtomicOp(op: AtomicOp, existing: Bytes | undefined, operand: Bytes): Bytes | undefined {
  if (op === 'setVersionstampedKey' || op === 'setVersionstampedValue')
    throw new Error(`applyAtomicOp: ${op} needs a commit version`);
  const out = referenceAtomic(
    op,
    existing === undefined ? undefined : toKeyString(existing),
    toKeyString(operand),
  );
  return out === undefined ? undefined : fromKeyString(out);
}

/** The 10-byte versionstamp: 8-byte big-endian commit version, then 2-byte big-endian batch order. */
export function makeVersionstamp(version: Version, batchOrder: number): Bytes {
  const out = new Uint8Array(10);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(version), false);
  dv.setUint16(8, batchOrder, false);
  return out;
}

/** Splits a versionstamp operand: the bytes without the 4-byte LE offset suffix, and the offset. */
function placeholder(b: Bytes): { body: Bytes; offset: number } {
  if (b.length < 4) throw fdbError('client_invalid_operation');
  const body = b.subarray(0, b.length - 4);
  const offset = new DataView(b.buffer, b.byteOffset + b.length - 4, 4).getUint32(0, true);
  if (offset + 10 > body.length) throw fdbError('client_invalid_operation');
  return { body, offset };
}

function fillVersionstamp(b: Bytes, stamp: Bytes): Bytes {
  placeholder(b); // an offset outside the operand is the caller's error
  const dv = new DataView(stamp.buffer, stamp.byteOffset, 10);
  const version = Number(dv.getBigUint64(0, false));
  return fromKeyString(referenceVersionstamp(toKeyString(b), version, dv.getUint16(8, false)));
}

// ---------------------------------------------------------------------------------------------------
// The multi-version store

/** Every key ever written, each with its versions (pruned outside the MVCC window). */
class VersionedStore {
  private readonly rows = new Map<string, VersionedValue[]>();
  private sorted: string[] = [];
  private pending: string[] = [];

  /** All keys ever written, sorted (some may be cleared at a given version). */
  keys(): readonly string[] {
    if (this.pending.length > 0) {
      const add = this.pending.sort(compareStrings);
      const merged: string[] = new Array(this.sorted.length + add.length);
      let i = 0;
      let j = 0;
      let o = 0;
      while (i < this.sorted.length || j < add.length) {
        if (j >= add.length || (i < this.sorted.length && this.sorted[i]! < add[j]!))
          merged[o++] = this.sorted[i++]!;
        else merged[o++] = add[j++]!;
      }
      this.sorted = merged;
      this.pending = [];
    }
    return this.sorted;
  }

  valueAt(key: string, version: Version): Bytes | undefined {
    const rows = this.rows.get(key);
    if (!rows) return undefined;
    for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.version <= version) return rows[i]!.value;
    return undefined;
  }

  latest(key: string): VersionedValue | undefined {
    const rows = this.rows.get(key);
    return rows ? rows[rows.length - 1] : undefined;
  }

  write(key: string, version: Version, value: Bytes | undefined, horizon: Version): void {
    let rows = this.rows.get(key);
    if (!rows) {
      if (value === undefined) return; // clearing a key that never existed changes nothing
      rows = [];
      this.rows.set(key, rows);
      this.pending.push(key);
    }
    const last = rows[rows.length - 1];
    if (last && last.version === version) rows[rows.length - 1] = { version, value };
    else rows.push({ version, value });
    // Keep only one version at or below the horizon: nothing older can be read.
    let firstNeeded = 0;
    while (firstNeeded + 1 < rows.length && rows[firstNeeded + 1]!.version <= horizon) firstNeeded++;
    if (firstNeeded > 0) rows.splice(0, firstNeeded);
  }
}

// ---------------------------------------------------------------------------------------------------
// The database

/**
 * An independent in-memory reference implementation of FoundationDB's client API: strictly serializable
 * optimistic concurrency over a multi-version store, with the faults a test needs to inject.
 */
export class ModelDatabase implements Database {
  /** Counters for tests. */
  readonly stats: ModelStats = {
    commits: 0,
    conflicts: 0,
    tooOld: 0,
    unknownResults: 0,
    droppedUnknownResults: 0,
    watchesFired: 0,
  };
  /** @internal */
  readonly store = new VersionedStore();
  private version: Version = 0;
  private readonly history: Array<{ readonly version: Version; readonly ranges: readonly Range[] }> = [];
  private readonly watches = new Map<string, WatchEntry[]>();
  private unknownResultProbability = 0;
  private unknownResultDropFraction = 0;
  /** @internal */
  readonly random: Random;
  /** @internal */
  readonly opts: Required<
    Pick<ModelDatabaseOptions, 'mvccWindowVersions' | 'initialBackoff' | 'maxBackoff'>
  > & {
    readonly latency: { readonly grv: number; readonly read: number; readonly commit: number };
    readonly plantedBug: ModelPlantedBug | undefined;
  };

  constructor(private readonly o: ModelDatabaseOptions) {
    this.random = o.random;
    this.opts = {
      mvccWindowVersions: o.mvccWindowVersions ?? 5_000_000,
      initialBackoff: o.initialBackoff ?? 0.01,
      maxBackoff: o.maxBackoff ?? 1.0,
      plantedBug: o.plantedBug,
      latency: {
        grv: o.latency?.grv ?? 0.001,
        read: o.latency?.read ?? 0.002,
        commit: o.latency?.commit ?? 0.004,
      },
    };
  }

  // -- fault injection and raw access (tests only) --

  /**
   * After a commit that succeeded, report commit_unknown_result (1021) with `probability`. With
   * `dropFraction` > 0, that fraction of the injected results instead drops the commit before it applies
   * (a proxy that died mid-commit): the client cannot tell the two apart. Defaults: off; dropFraction 0.
   */
  injectCommitUnknownResult(probability: number, dropFraction = 0): void {
    this.unknownResultProbability = probability;
    this.unknownResultDropFraction = dropFraction;
  }

  /** Writes `key` = `value` as a new committed version, bypassing transactions and conflicts. */
  rawSet(key: Bytes, value: Bytes): void {
    const v = this.nextCommitVersion();
    this.store.write(toKeyString(key), v, value, this.horizon());
    this.notifyWatches(v);
  }

  /** Clears `key` as a new committed version, bypassing transactions and conflicts. */
  rawClear(key: Bytes): void {
    const v = this.nextCommitVersion();
    this.store.write(toKeyString(key), v, undefined, this.horizon());
    this.notifyWatches(v);
  }

  /** The latest committed value of `key`. */
  rawGet(key: Bytes): Bytes | undefined {
    return this.store.latest(toKeyString(key))?.value;
  }

  /** Every present key-value pair at the latest version, in key order (optionally within [begin, end)). */
  rawDump(begin?: Bytes, end?: Bytes): KeyValue[] {
    const b = begin ? toKeyString(begin) : '';
    const e = end ? toKeyString(end) : KEYSPACE_END;
    const keys = this.store.keys();
    const out: KeyValue[] = [];
    for (let i = lowerBound(keys, b); i < keys.length && keys[i]! < e; i++) {
      const v = this.store.latest(keys[i]!)?.value;
      if (v !== undefined) out.push({ key: fromKeyString(keys[i]!), value: v });
    }
    return out;
  }

  /** The latest committed version. */
  get committedVersion(): Version {
    return this.version;
  }

  // -- Database --

  createTransaction(): Transaction {
    return new ModelTransaction(this);
  }

  async run<T>(body: (tr: Transaction, info: AttemptInfo) => Promise<T>): Promise<T> {
    const tr = this.createTransaction();
    let maybeCommitted = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await body(tr, { maybeCommitted, attempt });
        await tr.commit();
        return result;
      } catch (e) {
        if (e instanceof FdbError && e.maybeCommitted) maybeCommitted = true;
        await tr.onError(e);
      }
    }
  }

  /** @internal The database lock's id (hex) while locked. */
  lockId: string | undefined;

  async lockDatabase(lockId: Bytes): Promise<void> {
    await this.sleep(this.latency('commit'));
    const id = hexOf(lockId);
    if (this.lockId !== undefined && this.lockId !== id) throw fdbError('database_locked');
    this.lockId = id;
  }

  async unlockDatabase(lockId: Bytes): Promise<void> {
    await this.sleep(this.latency('commit'));
    const id = hexOf(lockId);
    if (this.lockId !== undefined && this.lockId !== id) throw fdbError('database_locked');
    this.lockId = undefined;
  }

  async databaseLock(): Promise<Bytes | undefined> {
    await this.sleep(this.latency('read'));
    return this.lockId === undefined ? undefined : Uint8Array.from(Buffer.from(this.lockId, 'hex'));
  }

  // -- internals used by ModelTransaction --

  /** @internal Simulated time, microseconds. */
  now(): number {
    return this.o.now();
  }

  /** @internal */
  sleep(seconds: number): Promise<void> {
    return this.o.delay(seconds);
  }

  /** @internal A latency draw for one step. */
  latency(kind: 'grv' | 'read' | 'commit'): number {
    const max = this.opts.latency[kind];
    return max > 0 ? this.random.uniform(0, max) : 0;
  }

  /** @internal The version the database has reached (versions advance with time, even without commits). */
  currentVersion(): Version {
    const t = this.o.now();
    if (t > this.version) this.version = t;
    return this.version;
  }

  /** @internal Versions older than this cannot be read or committed against. */
  horizon(): Version {
    return this.currentVersion() - this.opts.mvccWindowVersions;
  }

  /** @internal Throws transaction_too_old / future_version when `rv` cannot be read at now. */
  checkReadVersion(rv: Version): void {
    if (rv < this.horizon()) {
      this.stats.tooOld++;
      throw fdbError('transaction_too_old');
    }
    if (rv > this.currentVersion()) throw fdbError('future_version');
  }

  private nextCommitVersion(): Version {
    const t = this.o.now();
    this.version = t > this.version ? t : this.version + 1;
    return this.version;
  }

  /**
   * @internal Resolves and applies one commit atomically: conflict check against writes committed after
   * `readVersion`, then the mutations in issue order at a new version. Returns the commit version.
   */
  resolveAndApply(
    readVersion: Version,
    reads: readonly Range[],
    writes: readonly Range[],
    mutations: readonly Mutation[],
  ): Version {
    const horizon = this.horizon();
    const checked = this.opts.plantedBug === 'ignoreReadConflicts' ? [] : reads;
    if (checked.length > 0 && readVersion < horizon) {
      this.stats.tooOld++;
      throw fdbError('transaction_too_old');
    }
    // Committed writes after the read version, newest first (history is in version order).
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i]!;
      if (h.version <= readVersion) break;
      for (const r of checked) {
        for (const w of h.ranges) {
          if (rangesIntersect(r, w)) {
            this.stats.conflicts++;
            throw fdbError('not_committed');
          }
        }
      }
    }
    const injectUnknown =
      this.unknownResultProbability > 0 && this.random.chance(this.unknownResultProbability);
    if (injectUnknown && this.random.chance(this.unknownResultDropFraction)) {
      this.stats.unknownResults++;
      this.stats.droppedUnknownResults++;
      throw fdbError('commit_unknown_result');
    }
    const v = this.nextCommitVersion();
    const stamp = makeVersionstamp(v, 0);
    for (const m of mutations) this.applyMutation(m, v, stamp, horizon);
    this.history.push({ version: v, ranges: writes });
    let drop = 0;
    while (drop < this.history.length && this.history[drop]!.version < horizon) drop++;
    if (drop > 0) this.history.splice(0, drop);
    this.stats.commits++;
    this.notifyWatches(v);
    if (injectUnknown) {
      this.stats.unknownResults++;
      throw fdbError('commit_unknown_result');
    }
    return v;
  }

  private applyMutation(m: Mutation, v: Version, stamp: Bytes, horizon: Version): void {
    switch (m.type) {
      case 'set':
        this.store.write(m.key, v, m.value, horizon);
        return;
      case 'clearRange': {
        const keys = this.store.keys();
        for (let i = lowerBound(keys, m.begin); i < keys.length && keys[i]! < m.end; i++) {
          const k = keys[i]!;
          if (this.store.latest(k)?.value !== undefined) this.store.write(k, v, undefined, horizon);
        }
        return;
      }
      case 'atomic': {
        const existing = this.store.latest(m.key)?.value;
        this.store.write(m.key, v, applyAtomicOp(m.op, existing, m.param), horizon);
        return;
      }
      case 'versionstampedKey':
        this.store.write(toKeyString(fillVersionstamp(m.key, stamp)), v, m.value, horizon);
        return;
      case 'versionstampedValue':
        this.store.write(m.key, v, fillVersionstamp(m.value, stamp), horizon);
        return;
    }
  }

  /** @internal Registers a watch after its transaction committed; fires at once if the value differs. */
  addWatch(key: string, expected: Bytes | undefined, resolve: () => void): void {
    if (this.opts.plantedBug === 'spuriousWatches' || !bytesEqual(this.store.latest(key)?.value, expected)) {
      this.stats.watchesFired++;
      resolve();
      return;
    }
    let list = this.watches.get(key);
    if (!list) {
      list = [];
      this.watches.set(key, list);
    }
    list.push({ expected, resolve });
  }

  private notifyWatches(v: Version): void {
    for (const [key, list] of this.watches) {
      const latest = this.store.latest(key);
      if (!latest || latest.version !== v) continue;
      const keep: WatchEntry[] = [];
      for (const w of list) {
        if (bytesEqual(latest.value, w.expected)) keep.push(w);
        else {
          this.stats.watchesFired++;
          w.resolve();
        }
      }
      if (keep.length === 0) this.watches.delete(key);
      else this.watches.set(key, keep);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Transactions

/** A key selector in normal form (orEqual removed, as FoundationDB's client does before resolving). */
interface NormalSelector {
  readonly key: string;
  readonly offset: number;
}

function normalize(sel: KeySelector): NormalSelector {
  let key = toKeyString(sel.key);
  if (sel.orEqual) key += '\x00';
  if (key > KEYSPACE_END) key = KEYSPACE_END;
  return { key, offset: sel.offset };
}

interface PendingWatch {
  readonly key: string;
  /** The transaction's writes when watch() was called: the watch compares with the value seen then. */
  readonly view: WriteView;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** True when `k` lies in one of `ranges` (sorted, disjoint). */
function inRanges(ranges: readonly Range[], k: string): boolean {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid]![1] <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo]![0] <= k;
}

/**
 * A transaction's own writes as of one instant: what a read (or watch) issued then merges with the
 * database, as FoundationDB's read-your-writes reads see the write map as of their issue, not the writes
 * made while they are outstanding. Never changed: the transaction copies its write map before changing a
 * map a view shares.
 */
class WriteView {
  private sorted: string[] | undefined;

  constructor(
    readonly writes: ReadonlyMap<string, PointWrite>,
    /** Sorted, disjoint ranges cleared by the transaction. */
    readonly cleared: readonly Range[],
  ) {}

  /** The written keys, sorted. */
  sortedKeys(): readonly string[] {
    if (!this.sorted) this.sorted = [...this.writes.keys()].sort(compareStrings);
    return this.sorted;
  }

  inCleared(k: string): boolean {
    return inRanges(this.cleared, k);
  }
}

type TxState = 'active' | 'committing' | 'committed' | 'failed';

class ModelTransaction implements Transaction {
  private readVersion: Version | undefined;
  private readVersionPromise: Promise<Version> | undefined;
  /** This transaction's point writes. Shared with `shared` (if set): copy it first to change it. */
  private writes = new Map<string, PointWrite>();
  /** Sorted, disjoint ranges cleared by this transaction (replaced, never changed in place). */
  private cleared: Range[] = [];
  /** The view handed to reads since the last write, sharing `writes`. */
  private shared: WriteView | undefined;
  private mutations: Mutation[] = [];
  private readConflicts: Range[] = [];
  private writeConflicts: Range[] = [];
  private pendingWatches: PendingWatch[] = [];
  private size = 0;
  private state: TxState = 'active';
  private committedVersion: Version = -1;
  private versionstamp: {
    promise: Promise<Bytes>;
    resolve: (b: Bytes) => void;
    reject: (e: unknown) => void;
  };
  private backoff: number;
  private deadline = 0;
  private timeoutMs = 0;
  private startedAt: number;
  private lockAware = false;
  private readLockAware = false;

  constructor(private readonly db: ModelDatabase) {
    this.backoff = db.opts.initialBackoff;
    this.versionstamp = ModelTransaction.newVersionstamp();
    this.startedAt = db.now();
  }

  private static newVersionstamp(): {
    promise: Promise<Bytes>;
    resolve: (b: Bytes) => void;
    reject: (e: unknown) => void;
  } {
    let resolve!: (b: Bytes) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<Bytes>((a, b) => {
      resolve = a;
      reject = b;
    });
    promise.catch(() => {}); // a versionstamp nobody asks for must not be an unhandled rejection
    return { promise, resolve, reject };
  }

  // -- lifecycle checks --

  private checkUsable(): void {
    if (this.state !== 'active') throw fdbError('used_during_commit');
    if (this.deadline > 0 && this.db.now() >= this.deadline) throw fdbError('transaction_timed_out');
  }

  private checkTimeout(): void {
    if (this.deadline > 0 && this.db.now() >= this.deadline) throw fdbError('transaction_timed_out');
  }

  private static checkKey(key: Bytes): void {
    if (key.length > Limits.maxKeySize) throw fdbError('key_too_large');
    if (key.length > 0 && key[0] === 0xff) throw fdbError('key_outside_legal_range');
  }

  private static checkValue(value: Bytes): void {
    if (value.length > Limits.maxValueSize) throw fdbError('value_too_large');
  }

  // -- read versions --

  getReadVersion(): Promise<Version> {
    if (this.readVersion !== undefined) return Promise.resolve(this.readVersion);
    if (!this.readVersionPromise) {
      this.readVersionPromise = (async () => {
        await this.db.sleep(this.db.latency('grv'));
        if (this.db.lockId !== undefined && !this.lockAware && !this.readLockAware) {
          this.readVersionPromise = undefined;
          throw fdbError('database_locked');
        }
        const v = this.readVersion ?? this.db.currentVersion();
        this.readVersion = v;
        return v;
      })();
    }
    return this.readVersionPromise;
  }

  setReadVersion(v: Version): void {
    checkSetReadVersion(v, this.readVersion !== undefined || this.readVersionPromise !== undefined);
    this.readVersion = v;
    this.readVersionPromise = Promise.resolve(v);
  }

  /** Waits for the read version and one read's latency, then checks the version can still be read. */
  private async beginRead(): Promise<Version> {
    this.checkUsable();
    const rv = await this.getReadVersion();
    await this.db.sleep(this.db.latency('read'));
    this.checkUsable();
    this.db.checkReadVersion(rv);
    return rv;
  }

  // -- the read-your-writes view --

  /**
   * The transaction's writes as of now, for a read or watch issued now: later writes do not change it.
   * Empty with the planted bug `noReadYourWrites`.
   */
  private currentView(): WriteView {
    if (this.db.opts.plantedBug === 'noReadYourWrites') return new WriteView(new Map(), []);
    if (!this.shared) this.shared = new WriteView(this.writes, this.cleared);
    return this.shared;
  }

  /** The write map, ready to change: copied first when a view handed out earlier still shares it. */
  private writable(): Map<string, PointWrite> {
    if (this.shared) {
      this.writes = new Map(this.writes);
      this.shared = undefined;
    }
    return this.writes;
  }

  /** The value of `k` as a read with writes `wv` sees it, and whether it depends on the database. */
  private view(wv: WriteView, k: string, rv: Version): { value: Bytes | undefined; dependsOnDb: boolean } {
    const w = wv.writes.get(k);
    if (w) {
      if (w.kind === 'value') return { value: w.value, dependsOnDb: false };
      if (w.kind === 'unreadable') throw new FdbError(1036, 'accessed_unreadable');
      let v = this.db.store.valueAt(k, rv);
      for (const o of w.ops) v = applyAtomicOp(o.op, v, o.param);
      return { value: v, dependsOnDb: true };
    }
    if (wv.inCleared(k)) return { value: undefined, dependsOnDb: false };
    return { value: this.db.store.valueAt(k, rv), dependsOnDb: true };
  }

  /** Present keys at or after `from`, ascending. */
  private *forward(wv: WriteView, from: string, rv: Version): Generator<[string, Bytes]> {
    const a = this.db.store.keys();
    const b = wv.sortedKeys();
    let i = lowerBound(a, from);
    let j = lowerBound(b, from);
    while (i < a.length || j < b.length) {
      const ka = a[i];
      const kb = b[j];
      let k: string;
      if (kb === undefined || (ka !== undefined && ka < kb)) {
        k = ka!;
        i++;
      } else if (ka === undefined || kb < ka) {
        k = kb;
        j++;
      } else {
        k = ka;
        i++;
        j++;
      }
      if (k >= KEYSPACE_END) return;
      const v = this.view(wv, k, rv).value;
      if (v !== undefined) yield [k, v];
    }
  }

  /** Present keys strictly before `before`, descending. */
  private *backward(wv: WriteView, before: string, rv: Version): Generator<[string, Bytes]> {
    const a = this.db.store.keys();
    const b = wv.sortedKeys();
    let i = lowerBound(a, before) - 1;
    let j = lowerBound(b, before) - 1;
    while (i >= 0 || j >= 0) {
      const ka = i >= 0 ? a[i] : undefined;
      const kb = j >= 0 ? b[j] : undefined;
      let k: string;
      if (kb === undefined || (ka !== undefined && ka > kb)) {
        k = ka!;
        i--;
      } else if (ka === undefined || kb > ka) {
        k = kb;
        j--;
      } else {
        k = ka;
        i--;
        j--;
      }
      if (k >= KEYSPACE_END) continue;
      const v = this.view(wv, k, rv).value;
      if (v !== undefined) yield [k, v];
    }
  }

  /**
   * Resolves a normalized selector: the last key < sel.key is offset 0; each step of offset moves one
   * present key. Running off the start gives '' and off the end gives '\xff', as FoundationDB does.
   */
  private resolve(wv: WriteView, sel: NormalSelector, rv: Version): { key: string; ranOff: boolean } {
    if (sel.offset >= 1) {
      let n = sel.offset;
      for (const [k] of this.forward(wv, sel.key, rv)) if (--n === 0) return { key: k, ranOff: false };
      return { key: KEYSPACE_END, ranOff: true };
    }
    let n = -sel.offset;
    for (const [k] of this.backward(wv, sel.key, rv)) if (n-- === 0) return { key: k, ranOff: false };
    return { key: '', ranOff: true };
  }

  private addReadConflict(begin: string, end: string): void {
    if (begin >= end) return;
    this.readConflicts.push([begin, end]);
    this.size += begin.length + end.length;
  }

  private addWriteConflict(begin: string, end: string): void {
    if (begin >= end) return;
    this.writeConflicts.push([begin, end]);
    this.size += begin.length + end.length;
  }

  // -- reads --
  // Each read takes the transaction's writes as of its call (currentView) before it waits: writes issued
  // while it is outstanding do not show in its result nor shape its read-conflict range.

  async get(key: Bytes, opts?: ReadOptions): Promise<Bytes | undefined> {
    if (key.length <= Limits.maxKeySize && isSpecialKey(toKeyString(key))) return undefined;
    ModelTransaction.checkKey(key);
    const wv = this.currentView();
    const rv = await this.beginRead();
    const k = toKeyString(key);
    const { value, dependsOnDb } = this.view(wv, k, rv);
    if (!opts?.snapshot && dependsOnDb) this.addReadConflict(k, `${k}\x00`);
    return value;
  }

  async getKey(selector: KeySelector, opts?: ReadOptions): Promise<Bytes> {
    if (toKeyString(selector.key) > KEYSPACE_END) throw fdbError('key_outside_legal_range');
    const wv = this.currentView();
    const rv = await this.beginRead();
    const sel = normalize(selector);
    const { key } = this.resolve(wv, sel, rv);
    if (!opts?.snapshot && this.db.opts.plantedBug !== 'ignoreRangeReadConflicts') {
      // FoundationDB's getKey conflict range: from the selector's key to the key it resolved to.
      if (sel.offset <= 0) this.addReadConflict(key, sel.key);
      else this.addReadConflict(sel.key, `${key}\x00`);
    }
    return fromKeyString(key);
  }

  async getRange(
    begin: Bytes | KeySelector,
    end: Bytes | KeySelector,
    opts?: RangeOptions,
  ): Promise<KeyValue[]> {
    const toSel = (x: Bytes | KeySelector): NormalSelector =>
      x instanceof Uint8Array ? { key: toKeyString(x), offset: 1 } : normalize(x);
    const limit = opts?.limit ?? 0;
    const reverse = opts?.reverse ?? false;
    checkLimit(limit);
    const plainKeys = begin instanceof Uint8Array && end instanceof Uint8Array;
    const keyOf = (x: Bytes | KeySelector): string => toKeyString(x instanceof Uint8Array ? x : x.key);
    if (checkReadRange(keyOf(begin), keyOf(end), !plainKeys) === 'special') return [];
    const b = toSel(begin);
    const e = toSel(end);
    const wv = this.currentView();
    const rv = await this.beginRead();
    // A begin selector that cannot precede the end selector reads nothing (and adds no conflict).
    if (b.offset >= e.offset && b.key >= e.key) return [];
    const rb = this.resolve(wv, b, rv);
    const re = this.resolve(wv, e, rv);
    const result: Array<[string, Bytes]> = [];
    let more = false;
    if (rb.key < re.key) {
      const it = reverse ? this.backward(wv, re.key, rv) : this.forward(wv, rb.key, rv);
      for (const kv of it) {
        if (reverse ? kv[0] < rb.key : kv[0] >= re.key) break;
        if (limit > 0 && result.length === limit) {
          more = true;
          break;
        }
        result.push(kv);
      }
    }
    if (!opts?.snapshot && this.db.opts.plantedBug !== 'ignoreRangeReadConflicts')
      this.addRangeReadConflict(b, e, rb.ranOff, re.ranOff, result, more, reverse);
    return result.map(([k, v]) => ({ key: fromKeyString(k), value: v }));
  }

  /**
   * The read-conflict range of a range read, as FoundationDB's client computes it: the keys the result
   * depends on, from the selectors' keys (or the returned rows when a limit cut the read short) out to
   * the end of the keyspace when a selector ran off it.
   */
  private addRangeReadConflict(
    b: NormalSelector,
    e: NormalSelector,
    beginRanOff: boolean,
    endRanOff: boolean,
    result: ReadonlyArray<[string, Bytes]>,
    more: boolean,
    reverse: boolean,
  ): void {
    const first = result[0]?.[0];
    const last = result[result.length - 1]?.[0];
    const readToBegin = beginRanOff && !(reverse && more);
    const readThroughEnd = endRanOff && !(!reverse && more);
    let rangeBegin: string;
    if (readToBegin) rangeBegin = '';
    else if (((!reverse || !more || b.offset > 1) && b.offset > 0) || result.length === 0) rangeBegin = b.key;
    else rangeBegin = (reverse ? last : first)!;
    if (e.offset > b.offset && e.key < rangeBegin) rangeBegin = e.key;
    let rangeEnd: string;
    if (readThroughEnd) rangeEnd = KEYSPACE_END;
    else if (((reverse || !more || e.offset <= 0) && e.offset <= 1) || result.length === 0) rangeEnd = e.key;
    else rangeEnd = `${(reverse ? first : last)!}\x00`;
    if (b.offset < e.offset && b.key > rangeEnd) rangeEnd = b.key;
    this.addReadConflict(rangeBegin, rangeEnd);
  }

  // -- writes --

  private touchWrite(k: string, w: PointWrite): void {
    this.writable().set(k, w);
  }

  set(key: Bytes, value: Bytes): void {
    this.checkUsable();
    if (key.length <= Limits.maxKeySize && isSpecialKey(toKeyString(key))) {
      throw fdbError('special_keys_write_disabled');
    }
    ModelTransaction.checkKey(key);
    ModelTransaction.checkValue(value);
    const k = toKeyString(key);
    this.touchWrite(k, { kind: 'value', value });
    this.mutations.push({ type: 'set', key: k, value });
    this.size += key.length + value.length;
    this.addWriteConflict(k, `${k}\x00`);
  }

  clear(key: Bytes): void {
    this.checkUsable();
    ModelTransaction.checkKey(key);
    const k = toKeyString(key);
    this.touchWrite(k, { kind: 'value', value: undefined });
    this.mutations.push({ type: 'clearRange', begin: k, end: `${k}\x00` });
    this.size += 2 * key.length + 1;
    this.addWriteConflict(k, `${k}\x00`);
  }

  clearRange(begin: Bytes, end: Bytes): void {
    this.checkUsable();
    const b = toKeyString(begin);
    const e = toKeyString(end);
    checkClearRange(b, e);
    if (b === e) return;
    // Record the clear in the view: it hides the database and every earlier write in the range.
    const writes = this.writable();
    const merged: Range[] = [];
    let nb = b;
    let ne = e;
    for (const r of this.cleared) {
      if (r[1] < nb || r[0] > ne) merged.push(r);
      else {
        if (r[0] < nb) nb = r[0];
        if (r[1] > ne) ne = r[1];
      }
    }
    merged.push([nb, ne]);
    merged.sort((x, y) => compareStrings(x[0], y[0]));
    this.cleared = merged;
    const doomed = [...writes.keys()].filter((k) => b <= k && k < e);
    for (const k of doomed) writes.delete(k);
    this.mutations.push({ type: 'clearRange', begin: b, end: e });
    this.size += b.length + e.length;
    this.addWriteConflict(b, e);
  }

  atomicOp(op: AtomicOp, key: Bytes, param: Bytes): void {
    if (op === 'setVersionstampedKey') {
      this.setVersionstampedKey(key, param);
      return;
    }
    if (op === 'setVersionstampedValue') {
      this.setVersionstampedValue(key, param);
      return;
    }
    this.checkUsable();
    if (!MODEL_ATOMIC_OPS.has(op)) throw fdbError('invalid_mutation_type');
    ModelTransaction.checkKey(key);
    ModelTransaction.checkValue(param);
    const k = toKeyString(key);
    const w = this.writes.get(k);
    if (w?.kind === 'value') this.touchWrite(k, { kind: 'value', value: applyAtomicOp(op, w.value, param) });
    else if (w?.kind === 'ops') this.touchWrite(k, { kind: 'ops', ops: [...w.ops, { op, param }] });
    else if (w?.kind === 'unreadable') {
      // stays unreadable: the base is only known at commit
    } else if (inRanges(this.cleared, k))
      this.touchWrite(k, { kind: 'value', value: applyAtomicOp(op, undefined, param) });
    else this.touchWrite(k, { kind: 'ops', ops: [{ op, param }] });
    this.mutations.push({ type: 'atomic', op, key: k, param });
    this.size += key.length + param.length;
    this.addWriteConflict(k, `${k}\x00`);
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
    this.checkUsable();
    const { body, offset } = placeholder(key);
    ModelTransaction.checkKey(body);
    ModelTransaction.checkValue(value);
    this.mutations.push({ type: 'versionstampedKey', key: key.slice(), value: value.slice() });
    this.size += key.length + value.length;
    // The key is unknown until commit: conflict on every key the placeholder could become, from the
    // stamp of the current read version (or 0) to the largest stamp.
    const low = body.slice();
    low.set(makeVersionstamp(this.readVersion ?? 0, 0), offset);
    const high = body.slice();
    high.fill(0xff, offset, offset + 10);
    this.addWriteConflict(toKeyString(low), `${toKeyString(high)}\x00`);
  }

  setVersionstampedValue(key: Bytes, value: Bytes): void {
    this.checkUsable();
    ModelTransaction.checkKey(key);
    placeholder(value);
    ModelTransaction.checkValue(value.subarray(0, value.length - 4));
    const k = toKeyString(key);
    this.touchWrite(k, { kind: 'unreadable' });
    this.mutations.push({ type: 'versionstampedValue', key: k, value: value.slice() });
    this.size += key.length + value.length;
    this.addWriteConflict(k, `${k}\x00`);
  }

  addReadConflictRange(begin: Bytes, end: Bytes): void {
    this.checkUsable();
    checkConflictRange(toKeyString(begin), toKeyString(end));
    this.addReadConflict(toKeyString(begin), toKeyString(end));
  }

  addReadConflictKey(key: Bytes): void {
    const k = toKeyString(key);
    this.checkUsable();
    this.addReadConflict(k, `${k}\x00`);
  }

  addWriteConflictRange(begin: Bytes, end: Bytes): void {
    this.checkUsable();
    checkConflictRange(toKeyString(begin), toKeyString(end));
    this.addWriteConflict(toKeyString(begin), toKeyString(end));
  }

  addWriteConflictKey(key: Bytes): void {
    const k = toKeyString(key);
    this.checkUsable();
    this.addWriteConflict(k, `${k}\x00`);
  }

  // -- watches --

  /**
   * Watches `key` against the value this transaction sees now (its writes so far included), from its
   * commit on: a later write of the transaction that changes the key makes the watch fire once it
   * commits, as FoundationDB's does. A key holding a versionstamped value of this transaction cannot be
   * read, so its watch fails with accessed_unreadable.
   */
  watch(key: Bytes): Promise<void> {
    this.checkUsable();
    ModelTransaction.checkKey(key);
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((a, b) => {
      resolve = a;
      reject = b;
    });
    promise.catch(() => {}); // an abandoned watch's error must not surface as an unhandled rejection
    const k = toKeyString(key);
    const view = this.currentView();
    if (view.writes.get(k)?.kind === 'unreadable') reject(new FdbError(1036, 'accessed_unreadable'));
    else this.pendingWatches.push({ key: k, view, resolve, reject });
    return promise;
  }

  // -- commit --

  async commit(): Promise<void> {
    this.checkUsable();
    this.state = 'committing';
    try {
      const readOnly = this.mutations.length === 0 && this.writeConflicts.length === 0;
      if (readOnly) {
        // FoundationDB does not send a read-only transaction to the cluster.
        this.committedVersion = -1;
        const rv = this.readVersion ?? (await this.getReadVersion());
        this.registerWatches(rv);
        this.state = 'committed';
        this.versionstamp.reject(new FdbError(2021, 'no_commit_version'));
        return;
      }
      if (this.size > Limits.maxTransactionSize) throw fdbError('transaction_too_large');
      const rv = await this.getReadVersion();
      await this.db.sleep(this.db.latency('commit'));
      this.checkTimeout();
      if (this.db.lockId !== undefined && !this.lockAware) throw fdbError('database_locked');
      const v = this.db.resolveAndApply(rv, this.readConflicts, this.writeConflicts, this.mutations);
      this.committedVersion = v;
      this.state = 'committed';
      this.versionstamp.resolve(makeVersionstamp(v, 0));
      this.registerWatches(v);
    } catch (e) {
      if (this.state === 'committing') this.state = 'failed';
      // An unknown result may have committed: a versionstamp or watch cannot be trusted either way.
      this.versionstamp.reject(e);
      for (const w of this.pendingWatches) w.reject(e);
      this.pendingWatches = [];
      throw e;
    }
  }

  /**
   * Starts this transaction's watches, each against the value it saw when watch() was called: its writes
   * up to then over the database at the read version. One the transaction changed afterwards fires at once.
   */
  private registerWatches(version: Version): void {
    for (const w of this.pendingWatches) {
      let expected: Bytes | undefined;
      try {
        expected = this.view(w.view, w.key, this.readVersion ?? version).value;
      } catch (e) {
        w.reject(e);
        continue;
      }
      this.db.addWatch(w.key, expected, w.resolve);
    }
    this.pendingWatches = [];
  }

  getCommittedVersion(): Version {
    return this.committedVersion;
  }

  getVersionstamp(): Promise<Bytes> {
    return this.versionstamp.promise;
  }

  async onError(error: unknown): Promise<void> {
    if (!(error instanceof FdbError) || !error.retryable) throw error;
    let wait: number;
    if (error.code === 1007 || error.code === 1009) {
      wait = Math.min(0.01, this.db.opts.maxBackoff);
    } else {
      wait = this.backoff * this.db.random.next();
      this.backoff = Math.min(this.backoff * 2, this.db.opts.maxBackoff);
    }
    const backoff = this.backoff;
    const timeoutMs = this.timeoutMs;
    const startedAt = this.startedAt;
    this.reset();
    // onError keeps the back-off and the timeout clock of the logical transaction.
    this.backoff = backoff;
    this.startedAt = startedAt;
    this.setTimeout(timeoutMs);
    await this.db.sleep(wait);
  }

  reset(): void {
    for (const w of this.pendingWatches) w.reject(fdbError('transaction_cancelled'));
    if (this.state !== 'committed' && this.state !== 'failed') {
      this.versionstamp.reject(fdbError('transaction_cancelled'));
    }
    this.readVersion = undefined;
    this.readVersionPromise = undefined;
    this.writes = new Map();
    this.shared = undefined;
    this.cleared = [];
    this.mutations = [];
    this.readConflicts = [];
    this.writeConflicts = [];
    this.pendingWatches = [];
    this.size = 0;
    this.state = 'active';
    this.committedVersion = -1;
    this.versionstamp = ModelTransaction.newVersionstamp();
    this.backoff = this.db.opts.initialBackoff;
    this.startedAt = this.db.now();
    this.timeoutMs = 0;
    this.deadline = 0;
  }

  setTimeout(ms: number): void {
    this.timeoutMs = ms;
    this.deadline = ms > 0 ? this.startedAt + ms * 1000 : 0;
  }

  setOption(option: TransactionOption): void {
    if (option === 'lockAware') this.lockAware = true;
    else if (option === 'readLockAware') this.readLockAware = true;
    else throw fdbError('invalid_option');
  }
}

function hexOf(b: Bytes): string {
  return Buffer.from(b).toString('hex');
}
