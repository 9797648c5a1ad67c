// The database client used by tester processes: finds the cluster through the coordinators, gets read
// versions from GRV proxies, reads from storage replicas (failing over between them), keeps a
// read-your-writes cache, and commits through commit proxies with FoundationDB's retry loop.
import { appendAll } from '../core/arrays.js';
import type { Random } from '../core/random.js';
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import { RpcError } from '../sim/rpc.js';
import {
  checkClearRange,
  checkConflictRange,
  checkLimit,
  checkReadRange,
  checkSetReadVersion,
  checkVersionstampPlaceholder,
  isSpecialKey,
} from './api-checks.js';
import {
  type AtomicOp,
  type AttemptInfo,
  type Bytes,
  type Database,
  ErrorCodes,
  type ErrorName,
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
} from './client-api.js';
import { commitEndpoint } from './commit-proxy.js';
import type { LeaderInfo } from './coordinator.js';
import { type GrvRequest, grvEndpoint } from './grv-proxy.js';
import type { AttemptOutcome, HistoryRecorder } from './history.js';
import type { BKey } from './keys.js';
import { fromB, toB } from './keys.js';
import { applyAtomic, type Mutation, mutationSize } from './mutation.js';
import {
  type CommitReply,
  type CommitRequest,
  type DbInfo,
  EP,
  type LockRequest,
  type RoleRef,
  type Shard,
} from './protocol.js';
import type { ClusterRuntime } from './runtime.js';
import { type RangeReply, storageEndpoints, type WatchReply } from './storage.js';

const MAX_KEY: BKey = '\xff';
/** Fewest storage rows per chunk when a range read with a limit merges local writes. */
const SCAN_CHUNK_ROWS = 100;

/** The atomic operations the client knows (setVersionstampedKey and -Value are handled apart). */
const ATOMIC_OPS: ReadonlySet<string> = new Set<string>(VALUE_ATOMIC_OPS);

/** Client-side counters, for workload metrics and tests. */
export interface ClientStats {
  commits: number;
  conflicts: number;
  unknownResults: number;
  tooOld: number;
  retries: number;
}

/** A database client bound to one tester process. */
export class ClusterClient implements Database {
  info: DbInfo | undefined;
  private refreshing: Promise<DbInfo> | undefined;
  readonly stats: ClientStats = { commits: 0, conflicts: 0, unknownResults: 0, tooOld: 0, retries: 0 };
  readonly random: Random;

  constructor(
    readonly rt: ClusterRuntime,
    readonly proc: SimProcess,
  ) {
    this.random = rt.world.random.fork(`client:${proc.address}`);
  }

  createTransaction(): Transaction {
    return new ClientTransaction(this);
  }

  async run<T>(body: (tr: Transaction, info: AttemptInfo) => Promise<T>): Promise<T> {
    const tr = new ClientTransaction(this);
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

  /**
   * The cluster layout already known, unless `force` asks for a fresh one: the hot paths take it without
   * an await (each await is a promise and a microtask), and call clusterInfo only when this is undefined.
   */
  knownInfo(force = false): DbInfo | undefined {
    return force ? undefined : this.info;
  }

  /** The current cluster layout, asking the coordinators and the controller when unknown or stale. */
  async clusterInfo(force = false): Promise<DbInfo> {
    if (this.info && !force) return this.info;
    if (!this.refreshing) {
      this.refreshing = this.fetchInfo().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  /** Addresses the coordinators name as cluster controller (following a forward to new coordinators). */
  async leaders(): Promise<string[]> {
    const rpc = this.rt.world.rpc(this.proc);
    const timeout = seconds(0.5);
    for (let hops = 0; hops < 3; hops++) {
      const coords = this.rt.coordinatorsOf(this.proc);
      const replies = await Promise.all(
        coords.map((c) =>
          rpc
            .request<{ leader: LeaderInfo | null; forward: string[] | null }>(
              c,
              EP.coordGetLeader,
              {},
              timeout,
            )
            .catch(() => undefined),
        ),
      );
      const forward = replies.find((r) => r?.forward)?.forward;
      if (forward && forward.join() !== coords.join()) {
        this.rt.setCoordinatorsOf(this.proc, forward);
        continue;
      }
      return [
        ...new Set(replies.map((r) => r?.leader?.address).filter((a): a is string => a !== undefined)),
      ].sort();
    }
    return [];
  }

  private async fetchInfo(): Promise<DbInfo> {
    const rpc = this.rt.world.rpc(this.proc);
    const timeout = seconds(0.5);
    for (;;) {
      for (const cc of await this.leaders()) {
        try {
          const info = await rpc.request<DbInfo>(cc, EP.ccClientInfo, {}, timeout);
          if (info.commitProxies.length > 0 && info.grvProxies.length > 0) {
            this.info = info;
            return info;
          }
        } catch {
          // try the next leader candidate
        }
      }
      await this.proc.delay(seconds(0.2));
    }
  }

  /**
   * A committed version at least `version`, with the epoch it was committed in (FoundationDB's
   * waitForCommittedVersion): asks GRV proxies until one hands out a read version that high.
   */
  async committedVersionAtLeast(version: number): Promise<{ version: number; epoch: number }> {
    const rpc = this.rt.world.rpc(this.proc);
    let failures = 0;
    for (;;) {
      const info = await this.clusterInfo(failures > 0);
      const proxy = this.random.pick(info.grvProxies);
      try {
        const v = await rpc.request<number>(
          proxy.address,
          grvEndpoint(proxy.id),
          { lockAware: true },
          seconds(this.rt.knob('CLIENT_READ_TIMEOUT')),
        );
        // A GRV proxy belongs to one epoch and answers only while that epoch is live (none of its logs
        // is locked), so `v` is committed in the epoch of the layout the proxy was picked from.
        if (v >= version) return { version: v, epoch: info.epoch };
        failures = 0;
        await this.proc.delay(seconds(0.01));
      } catch {
        failures++;
        await this.proc.delay(seconds(Math.min(0.5, 0.01 * 2 ** failures)));
      }
    }
  }

  lockDatabase(lockId: Bytes): Promise<void> {
    return this.changeLock({ op: 'lock', id: lockHex(lockId) });
  }

  unlockDatabase(lockId: Bytes): Promise<void> {
    return this.changeLock({ op: 'unlock', id: lockHex(lockId) });
  }

  async databaseLock(): Promise<Bytes | undefined> {
    const lock = (await this.clusterInfo(true)).lock;
    return lock === undefined ? undefined : lockBytes(lock);
  }

  /**
   * Asks the cluster controller to lock or unlock until the layout it hands out shows the change in force
   * (the recovery that applies it is done accepting commits), as FoundationDB's lockDatabase retries.
   */
  private async changeLock(req: LockRequest): Promise<void> {
    const rpc = this.rt.world.rpc(this.proc);
    for (;;) {
      const { lock } = await this.clusterInfo(true);
      if (req.op === 'lock' ? lock === req.id : lock === undefined) return;
      if (lock !== undefined && lock !== req.id) throw fdbError('database_locked');
      for (const cc of await this.leaders()) rpc.send(cc, EP.ccLock, req);
      await this.proc.delay(seconds(0.25));
    }
  }

  /** Shards overlapping [begin, end), in key order. */
  shardsFor(info: DbInfo, begin: BKey, end: BKey): Shard[] {
    return info.shards.filter((s) => s.begin < end && begin < s.end);
  }

  /** The shard holding `key` (the first of shardsFor(key, key + '\x00'), without building either). */
  shardOf(info: DbInfo, key: BKey): Shard | undefined {
    for (const s of info.shards) if (s.begin <= key && key < s.end) return s;
    return undefined;
  }

  storageRef(info: DbInfo, id: string): RoleRef | undefined {
    return info.storage.find((s) => s.id === id);
  }
}

/** A transaction's writes and clears at one moment, for reads issued then. */
interface LocalView {
  readonly writes: ReadonlyMap<BKey, WriteState>;
  readonly clears: readonly (readonly [BKey, BKey])[];
}

/** A watch set in a transaction, registered with storage once the transaction commits. */
interface PendingWatch {
  readonly key: BKey;
  /** The attempt that set it. */
  readonly attempt: number;
  /** The value the transaction saw when watch() was called (known now, or read at its read version). */
  readonly value: Promise<WatchedValue>;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * A watch's value and the version it is the value at: the read version it was read at; absent when it is
 * the transaction's own write (then it is the value from the transaction's commit on).
 */
interface WatchedValue {
  readonly value: BKey | undefined;
  readonly since?: number;
}

type WriteState =
  | { readonly base: 'value'; readonly value: BKey | undefined }
  | { readonly base: 'underlying'; readonly ops: readonly [AtomicOp, BKey][] };

/** The two read-version requests there are (the GRV proxy only reads them). */
const LOCK_AWARE_GRV: GrvRequest = { lockAware: true };
const PLAIN_GRV: GrvRequest = { lockAware: false };

/** The write state of a key a clear covered (write states are never changed, only replaced). */
const CLEARED: WriteState = { base: 'value', value: undefined };

class ClientTransaction implements Transaction {
  private readVersion: number | undefined;
  private grv: Promise<number> | undefined;
  private mutations: Mutation[] = [];
  private writes = new Map<BKey, WriteState>();
  private clearedRanges: [BKey, BKey][] = [];
  private readRanges: [BKey, BKey][] = [];
  private writeRanges: [BKey, BKey][] = [];
  private committedVersion = -1;
  /** The batch index of the successful commit (-1: none yet); its versionstamp is made only when asked for. */
  private stampBatch = -1;
  /** getVersionstamp() calls made before the commit finished; answered when it does. */
  private stampWaiters: { resolve: (b: Bytes) => void; reject: (e: unknown) => void }[] = [];
  private versionstamped = false;
  private pendingWatches: PendingWatch[] = [];
  private timeoutMs = 0;
  private lockAware = false;
  private readLockAware = false;
  private startedAt: number;
  private size = 0;
  /** Retries so far (kept across reset, for backoff). */
  private attempts = 0;
  /** This attempt's id with the history observer (-1 when none is attached). */
  private attemptId: number;

  constructor(private readonly db: ClusterClient) {
    this.startedAt = db.rt.world.now();
    this.attemptId = this.history?.attemptStarted(db.proc.address, this.startedAt) ?? -1;
  }

  /** The history observer (the oracle), when one is attached. */
  private get history(): HistoryRecorder | undefined {
    return this.db.rt.history;
  }

  private recordOutcome(outcome: AttemptOutcome): void {
    this.history?.commitOutcome(this.attemptId, outcome, this.rt.world.now());
  }

  private get rt(): ClusterRuntime {
    return this.db.rt;
  }

  private checkTimeout(): void {
    if (this.timeoutMs > 0 && this.rt.world.now() - this.startedAt > this.timeoutMs * 1000) {
      throw fdbError('transaction_timed_out');
    }
  }

  setTimeout(ms: number): void {
    this.timeoutMs = ms;
  }

  setOption(option: TransactionOption): void {
    if (option === 'lockAware') this.lockAware = true;
    else if (option === 'readLockAware') this.readLockAware = true;
    else throw fdbError('invalid_option');
  }

  reset(): void {
    for (const w of this.pendingWatches) w.reject(fdbError('transaction_cancelled'));
    this.readVersion = undefined;
    this.grv = undefined;
    this.mutations = [];
    this.writes = new Map();
    this.clearedRanges = [];
    this.readRanges = [];
    this.writeRanges = [];
    this.committedVersion = -1;
    this.stampBatch = -1;
    this.failStamps('transaction_cancelled');
    this.versionstamped = false;
    this.pendingWatches = [];
    this.size = 0;
    this.startedAt = this.rt.world.now();
    this.attemptId = this.history?.attemptStarted(this.db.proc.address, this.startedAt) ?? -1;
  }

  setReadVersion(v: number): void {
    checkSetReadVersion(v, this.readVersion !== undefined || this.grv !== undefined);
    this.readVersion = v;
    this.history?.readVersionKnown(this.attemptId, v, 'explicit');
  }

  async getReadVersion(): Promise<number> {
    if (this.readVersion !== undefined) return this.readVersion;
    if (!this.grv) this.grv = this.fetchReadVersion();
    const v = await this.grv;
    this.readVersion ??= v;
    return this.readVersion;
  }

  private async fetchReadVersion(): Promise<number> {
    const rpc = this.rt.world.rpc(this.db.proc);
    const attempt = this.attemptId;
    this.history?.readVersionRequested(attempt, this.rt.world.now());
    for (let i = 0; ; i++) {
      this.checkTimeout();
      const info = this.db.knownInfo(i > 0) ?? (await this.db.clusterInfo(true));
      const proxy = this.db.random.pick(info.grvProxies);
      try {
        const v = await rpc.request<number>(
          proxy.address,
          grvEndpoint(proxy.id),
          this.lockAware || this.readLockAware ? LOCK_AWARE_GRV : PLAIN_GRV,
          seconds(this.rt.knob('CLIENT_READ_TIMEOUT')),
        );
        // A read version from long ago: reads must fail with transaction_too_old, never serve stale data.
        if (this.rt.buggify('client.ancientReadVersion', 0.005)) {
          const ancient = Math.max(0, v - 2 * this.rt.knob('MAX_READ_TRANSACTION_LIFE_VERSIONS'));
          this.history?.readVersionKnown(attempt, ancient, 'ancient');
          return ancient;
        }
        this.history?.readVersionKnown(attempt, v, 'grv');
        return v;
      } catch (e) {
        if (e instanceof RpcError && e.errorName === 'database_locked') throw fdbError('database_locked');
        await this.db.proc.delay(seconds(Math.min(0.5, 0.01 * 2 ** i)));
      }
    }
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** Reads [begin, end) from storage at the read version, across shards, failing over between replicas. */
  private async storageRange(
    begin: BKey,
    end: BKey,
    limit: number,
    reverse: boolean,
  ): Promise<[BKey, BKey][]> {
    const version = this.readVersion ?? (await this.getReadVersion());
    const owner = this.attemptId;
    const rpc = this.rt.world.rpc(this.db.proc);
    const out: [BKey, BKey][] = [];
    for (let attempt = 0; ; attempt++) {
      this.checkTimeout();
      const info = this.db.knownInfo(attempt > 0) ?? (await this.db.clusterInfo(true));
      out.length = 0;
      let shards = this.db.shardsFor(info, begin, end);
      if (reverse) shards = shards.reverse();
      let failed = false;
      for (const sh of shards) {
        const b = begin > sh.begin ? begin : sh.begin;
        const e = end < sh.end ? end : sh.end;
        const remaining = limit > 0 ? limit - out.length : 0;
        const reply = await this.readFromTeam<RangeReply>(info, sh, (ss) =>
          rpc.request<RangeReply>(
            ss.address,
            storageEndpoints(ss.id).range,
            { begin: b, end: e, version, limit: remaining, reverse },
            seconds(this.rt.knob('CLIENT_READ_TIMEOUT')),
          ),
        );
        if (!reply) {
          failed = true;
          break;
        }
        this.history?.rangeRead(
          owner,
          version,
          { begin: b, end: e, limit: remaining, reverse },
          reply.kv,
          reply.more,
        );
        appendAll(out, reply.kv);
        if (limit > 0 && out.length >= limit) break;
      }
      if (!failed) return out;
      await this.db.proc.delay(seconds(Math.min(0.5, 0.02 * 2 ** attempt)));
    }
  }

  /** Tries each replica of a shard once, in random order; too-old and future-version errors surface. */
  private async readFromTeam<R>(
    info: DbInfo,
    shard: Shard,
    read: (ss: RoleRef) => Promise<R>,
  ): Promise<R | undefined> {
    for (const id of this.db.random.shuffle(shard.team)) {
      const ss = this.db.storageRef(info, id);
      if (!ss) continue;
      try {
        return await read(ss);
      } catch (e) {
        this.surfaceReadError(e);
      }
    }
    return undefined;
  }

  /**
   * A replica's too-old or future-version answer is the transaction's error (thrown here); any other
   * failure (a timeout, a replica that does not hold the shard) means trying the next replica.
   */
  private surfaceReadError(e: unknown): void {
    if (
      e instanceof RpcError &&
      (e.errorName === 'transaction_too_old' || e.errorName === 'future_version')
    ) {
      if (e.errorName === 'transaction_too_old') this.db.stats.tooOld++;
      throw fdbError(e.errorName);
    }
  }

  /**
   * A point read at the read version from the key's shard, each replica tried once in random order, with
   * the transaction's atomic operations on the key (`w`) applied to what storage holds. The team loop is
   * written out here rather than through readFromTeam: this is the hottest read, and the closure, its
   * promise and the reply wrapper were a tenth of what a run allocates.
   */
  private async storageGet(key: BKey, w: WriteState | undefined): Promise<Bytes | undefined> {
    const version = this.readVersion ?? (await this.getReadVersion());
    const owner = this.attemptId;
    if (this.rt.buggify('client.slowRead', 0.01))
      await this.db.proc.delay(seconds(this.db.random.uniform(0.01, 0.5)));
    const rpc = this.rt.world.rpc(this.db.proc);
    for (let attempt = 0; ; attempt++) {
      this.checkTimeout();
      const info = this.db.knownInfo(attempt > 0) ?? (await this.db.clusterInfo(true));
      const shard = this.db.shardOf(info, key);
      if (!shard) throw fdbError('key_outside_legal_range');
      for (const id of this.db.random.shuffle(shard.team)) {
        const ss = this.db.storageRef(info, id);
        if (!ss) continue;
        let v: BKey | null;
        try {
          v = await rpc.request<BKey | null>(
            ss.address,
            storageEndpoints(ss.id).get,
            { key, version },
            seconds(this.rt.knob('CLIENT_READ_TIMEOUT')),
          );
        } catch (e) {
          this.surfaceReadError(e);
          continue;
        }
        this.history?.pointRead(owner, version, key, v ?? undefined);
        const seen = ClientTransaction.overlay(w, false, v ?? undefined);
        return seen === undefined ? undefined : fromB(seen);
      }
      await this.db.proc.delay(seconds(Math.min(0.5, 0.02 * 2 ** attempt)));
    }
  }

  private coveredByClear(key: BKey): boolean {
    const cleared = this.clearedRanges;
    for (let i = 0; i < cleared.length; i++) if (key >= cleared[i]![0] && key < cleared[i]![1]) return true;
    return false;
  }

  /** A key's value given its write state and whether a clear covered it, applied to the underlying value. */
  private static overlay(
    w: WriteState | undefined,
    cleared: boolean,
    underlying: BKey | undefined,
  ): BKey | undefined {
    if (!w) return cleared ? undefined : underlying;
    if (w.base === 'value') return w.value;
    let v = underlying;
    for (const [op, p] of w.ops) v = applyAtomic(op, v, p);
    return v;
  }

  /** The transaction's current view of a key over an underlying value. */
  private overlay(key: BKey, underlying: BKey | undefined): BKey | undefined {
    return ClientTransaction.overlay(this.writes.get(key), this.coveredByClear(key), underlying);
  }

  /**
   * Not an async function: a read that goes to storage is one async call (storageGet), not two, which
   * saves a promise and a microtask on the hottest call; errors still come back as a rejected promise.
   */
  get(key: Bytes, opts?: ReadOptions): Promise<Bytes | undefined> {
    let k: BKey;
    let w: WriteState | undefined;
    try {
      // No module serves the special key space in faultline: its keys read as absent.
      k = toB(key);
      if (key.length <= Limits.maxKeySize && isSpecialKey(k)) return Promise.resolve(undefined);
      this.checkKey(key);
      // Reads see this transaction's writes as of when the read was issued, not when it completes.
      w = this.writes.get(k);
      const cleared = !w && this.coveredByClear(k);
      if ((w && w.base === 'value') || cleared) {
        const v = ClientTransaction.overlay(w, cleared, undefined);
        return Promise.resolve(v === undefined ? undefined : fromB(v));
      }
    } catch (e) {
      return Promise.reject(e);
    }
    if (!opts?.snapshot) this.readRanges.push([k, `${k}\x00`]);
    return this.storageGet(k, w);
  }

  /** This transaction's writes and clears as they stand now (read-your-writes is as of issue time). */
  private localView(): LocalView {
    return { writes: new Map(this.writes), clears: [...this.clearedRanges] };
  }

  /** Range read through the read-your-writes cache, as of `view`, adding no read conflicts. */
  private async scanB(
    begin: BKey,
    end: BKey,
    limit: number,
    reverse: boolean,
    view: LocalView,
  ): Promise<[BKey, BKey][]> {
    if (begin >= end) return [];
    const writes = new Map<BKey, WriteState>();
    for (const [k, w] of view.writes) if (k >= begin && k < end) writes.set(k, w);
    const clears = view.clears.filter(([b, e]) => b < end && begin < e);
    if (writes.size === 0 && clears.length === 0) return this.storageRange(begin, end, limit, reverse);
    // Local writes and clears change what a limit counts, so storage is read in growing chunks until the
    // merged view holds `limit` rows or the range is used up. Reading the whole range at once made every
    // key selector of a transaction with a write in range scan the database to its end.
    const covered = (k: BKey) => clears.some(([b, e]) => k >= b && k < e);
    const merged = new Map<BKey, BKey>();
    let lo = begin; // storage rows of [begin, lo) (forward) or [hi, end) (reverse) are merged
    let hi = end;
    let chunk = limit > 0 ? Math.max(SCAN_CHUNK_ROWS, limit + writes.size) : 0;
    for (;;) {
      const rows = await this.storageRange(lo, hi, chunk, reverse);
      for (const [k, v] of rows) {
        const o = ClientTransaction.overlay(writes.get(k), covered(k), v);
        if (o !== undefined) merged.set(k, o);
      }
      const last = rows[rows.length - 1];
      const more = chunk > 0 && rows.length >= chunk && last !== undefined;
      if (more && reverse) hi = last[0];
      else if (more) lo = `${last[0]}\x00`;
      const result = ClientTransaction.mergeLocal(
        merged,
        writes,
        covered,
        (k) => !more || (reverse ? k >= hi : k < lo),
      );
      if (reverse) result.reverse();
      if (!more || result.length >= limit) return limit > 0 ? result.slice(0, limit) : result;
      chunk *= 2;
    }
  }

  /** Storage rows already overlaid (`merged`) plus local writes with no storage row, where `done`, in key order. */
  private static mergeLocal(
    merged: ReadonlyMap<BKey, BKey>,
    writes: ReadonlyMap<BKey, WriteState>,
    covered: (k: BKey) => boolean,
    done: (k: BKey) => boolean,
  ): [BKey, BKey][] {
    const out: [BKey, BKey][] = [];
    for (const [k, v] of merged) if (done(k)) out.push([k, v]);
    for (const [k, w] of writes) {
      if (merged.has(k) || !done(k)) continue;
      const o = ClientTransaction.overlay(w, covered(k), undefined);
      if (o !== undefined) out.push([k, o]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /**
   * Resolves a key selector by scanning from its key, through `view`, adding no read conflicts: the key
   * it names (MAX_KEY or '' when it runs off the end or the beginning) and the range whose contents
   * decided that.
   */
  private async resolveSelector(sel: KeySelector, view: LocalView): Promise<ResolvedSelector> {
    const k = toB(sel.key);
    const start = sel.orEqual ? `${k}\x00` : k;
    if (sel.offset >= 1) {
      const rows = await this.scanB(start, MAX_KEY, sel.offset, false, view);
      const key = rows.length >= sel.offset ? rows[sel.offset - 1]![0] : MAX_KEY;
      return {
        start,
        offset: sel.offset,
        key,
        scanned: scannedRange(start, MAX_KEY, sel.offset, false, rows),
      };
    }
    const n = 1 - sel.offset;
    const rows = await this.scanB('', start, n, true, view);
    const key = rows.length >= n ? rows[n - 1]![0] : '';
    return { start, offset: sel.offset, key, scanned: scannedRange('', start, n, true, rows) };
  }

  async getKey(selector: KeySelector, opts: ReadOptions = {}): Promise<Bytes> {
    if (toB(selector.key) > MAX_KEY) throw fdbError('key_outside_legal_range');
    const r = await this.resolveSelector(selector, this.localView());
    // The key depends on exactly the keys the resolving scan covered (FoundationDB's getKey conflict).
    if (!opts.snapshot && r.scanned) this.readRanges.push(r.scanned);
    return fromB(r.key);
  }

  async getRange(
    begin: Bytes | KeySelector,
    end: Bytes | KeySelector,
    opts: RangeOptions = {},
  ): Promise<KeyValue[]> {
    const snapshot = opts.snapshot ?? false;
    const limit = opts.limit ?? 0;
    const reverse = opts.reverse ?? false;
    checkLimit(limit);
    const plainKeys = begin instanceof Uint8Array && end instanceof Uint8Array;
    const beginKey = toB(begin instanceof Uint8Array ? begin : begin.key);
    const endKey = toB(end instanceof Uint8Array ? end : end.key);
    if (checkReadRange(beginKey, endKey, !plainKeys) === 'special') return [];
    // Everything below sees this transaction's writes as they stand now, however long it takes.
    const view = this.localView();
    // A plain key is the selector firstGreaterOrEqual(key), which needs no scan to resolve.
    const plain = (key: BKey): ResolvedSelector => ({ start: key, offset: 1, key, scanned: undefined });
    const b = begin instanceof Uint8Array ? plain(beginKey) : await this.resolveSelector(begin, view);
    const e = end instanceof Uint8Array ? plain(endKey) : await this.resolveSelector(end, view);
    const clippedEnd = e.key > MAX_KEY ? MAX_KEY : e.key;
    const rows = await this.scanB(b.key, clippedEnd, limit, reverse, view);
    if (!snapshot)
      this.readRanges.push(...selectorRangeConflicts(b, { ...e, key: clippedEnd }, limit, reverse, rows));
    return rows.map(([k, v]) => ({ key: fromB(k), value: fromB(v) }));
  }

  // ---- writes ---------------------------------------------------------------------------------

  private checkKey(key: Bytes): void {
    if (key.length > Limits.maxKeySize) throw fdbError('key_too_large');
    if (key.length > 0 && key[0] === 0xff) throw fdbError('key_outside_legal_range');
  }

  private checkValue(value: Bytes): void {
    if (value.length > Limits.maxValueSize) throw fdbError('value_too_large');
  }

  private addMutation(m: Mutation): void {
    this.size += mutationSize(m);
    if (this.size > Limits.maxTransactionSize) throw fdbError('transaction_too_large');
    this.mutations.push(m);
  }

  set(key: Bytes, value: Bytes): void {
    const k = toB(key);
    if (key.length <= Limits.maxKeySize && isSpecialKey(k)) throw fdbError('special_keys_write_disabled');
    this.checkKey(key);
    this.checkValue(value);
    const v = toB(value);
    this.addMutation({ type: 'set', key: k, value: v });
    this.writes.set(k, { base: 'value', value: v });
    this.writeRanges.push([k, `${k}\x00`]);
  }

  clear(key: Bytes): void {
    this.checkKey(key);
    const k = toB(key);
    this.clearB(k, `${k}\x00`);
  }

  clearRange(begin: Bytes, end: Bytes): void {
    const b = toB(begin);
    const e = toB(end);
    checkClearRange(b, e);
    this.clearB(b, e);
  }

  private clearB(b: BKey, e: BKey): void {
    if (b >= e) return;
    this.addMutation({ type: 'clearRange', key: b, end: e });
    // Setting a key the map already holds while iterating it is well defined: no copy of the keys.
    for (const k of this.writes.keys()) if (k >= b && k < e) this.writes.set(k, CLEARED);
    this.clearedRanges.push([b, e]);
    this.writeRanges.push([b, e]);
  }

  atomicOp(op: AtomicOp, key: Bytes, param: Bytes): void {
    if (op === 'setVersionstampedKey') return this.setVersionstampedKey(key, param);
    if (op === 'setVersionstampedValue') return this.setVersionstampedValue(key, param);
    if (!ATOMIC_OPS.has(op)) throw fdbError('invalid_mutation_type');
    this.checkKey(key);
    this.checkValue(param);
    const k = toB(key);
    const p = toB(param);
    this.addMutation({ type: 'atomic', op, key: k, value: p });
    const w = this.writes.get(k);
    if (w?.base === 'value' || (!w && this.coveredByClear(k))) {
      this.writes.set(k, {
        base: 'value',
        value: applyAtomic(op, w?.base === 'value' ? w.value : undefined, p),
      });
    } else {
      this.writes.set(k, { base: 'underlying', ops: [...(w?.base === 'underlying' ? w.ops : []), [op, p]] });
    }
    this.writeRanges.push([k, `${k}\x00`]);
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
    this.checkKey(key);
    this.checkValue(value);
    const k = toB(key);
    checkVersionstampPlaceholder(k);
    this.addMutation({ type: 'atomic', op: 'setVersionstampedKey', key: k, value: toB(value) });
    this.versionstamped = true;
    // The final key is unknown until commit; conflict on the whole key space is what FoundationDB avoids by
    // not adding any write conflict for it, and so do we.
  }

  setVersionstampedValue(key: Bytes, value: Bytes): void {
    this.checkKey(key);
    this.checkValue(value);
    const v = toB(value);
    checkVersionstampPlaceholder(v);
    const k = toB(key);
    this.addMutation({ type: 'atomic', op: 'setVersionstampedValue', key: k, value: v });
    this.versionstamped = true;
    this.writeRanges.push([k, `${k}\x00`]);
  }

  addReadConflictRange(begin: Bytes, end: Bytes): void {
    const b = toB(begin);
    const e = toB(end);
    checkConflictRange(b, e);
    this.readRanges.push([b, e]);
  }
  addReadConflictKey(key: Bytes): void {
    const k = toB(key);
    this.readRanges.push([k, `${k}\x00`]);
  }
  addWriteConflictRange(begin: Bytes, end: Bytes): void {
    const b = toB(begin);
    const e = toB(end);
    checkConflictRange(b, e);
    this.writeRanges.push([b, e]);
  }
  addWriteConflictKey(key: Bytes): void {
    const k = toB(key);
    this.writeRanges.push([k, `${k}\x00`]);
  }

  watch(key: Bytes): Promise<void> {
    this.checkKey(key);
    const k = toB(key);
    const w = this.writes.get(k);
    const f = this.db.proc.future<void>(`watch ${k}`);
    // The value to compare against is the one this transaction sees now: its own write if it made one,
    // else the stored value at its read version.
    const known = w?.base === 'value' || (!w && this.coveredByClear(k));
    const value: Promise<WatchedValue> = known
      ? Promise.resolve({ value: this.overlay(k, undefined) })
      : this.get(key, { snapshot: true }).then((v) => ({
          value: v === undefined ? undefined : toB(v),
          since: this.readVersion ?? -1,
        }));
    // A watch whose value could not be read fails with the read's error (once its transaction commits),
    // as FoundationDB's does: comparing against a guess would fire it for a change that never happened.
    value.catch(() => {});
    this.pendingWatches.push({
      key: k,
      attempt: this.attemptId,
      value,
      resolve: () => f.resolve(),
      reject: (e) => f.reject(e),
    });
    return f.promise;
  }

  // ---- commit ---------------------------------------------------------------------------------

  async commit(): Promise<void> {
    this.checkTimeout();
    if (this.mutations.length === 0 && this.writeRanges.length === 0) {
      this.committedVersion = -1;
      this.failStamps('client_invalid_operation'); // a read-only transaction has no versionstamp
      // As FoundationDB's commit waits for the transaction's reads in flight, wait for the watches'
      // values: a caller that writes the key once this commit returns must not change it before the
      // watch has read what it compares against (swarm seed 23137: the watch read the caller's own later
      // write and waited forever for a change).
      if (this.pendingWatches.length > 0) await Promise.allSettled(this.pendingWatches.map((w) => w.value));
      this.startWatches(this.readVersion ?? 0);
      return;
    }
    const readVersion = this.readVersion ?? (await this.getReadVersion());
    const req: CommitRequest = {
      readVersion,
      mutations: this.mutations,
      readRanges: this.readRanges,
      writeRanges: this.writeRanges,
      versionstamped: this.versionstamped,
      attempt: this.history ? this.attemptId : undefined,
      lockAware: this.lockAware,
    };
    this.history?.commitSent(this.attemptId, readVersion, this.mutations, this.readRanges);
    const info = this.db.knownInfo() ?? (await this.db.clusterInfo());
    const proxy = this.db.random.pick(info.commitProxies);
    const rpc = this.rt.world.rpc(this.db.proc);
    let reply: CommitReply;
    try {
      reply = await rpc.request<CommitReply>(
        proxy.address,
        commitEndpoint(proxy.id),
        req,
        seconds(this.rt.knob('CLIENT_COMMIT_TIMEOUT')),
      );
    } catch {
      // The proxy died, the epoch ended, or the reply was lost: the commit may or may not have happened.
      this.db.stats.unknownResults++;
      this.recordOutcome({ kind: 'commit_unknown_result' });
      void this.db.clusterInfo(true);
      this.failStamps('commit_unknown_result');
      throw fdbError('commit_unknown_result');
    }
    if (!reply.ok) {
      if (reply.error === 'not_committed') this.db.stats.conflicts++;
      else if (reply.error === 'transaction_too_old') this.db.stats.tooOld++;
      this.recordOutcome({ kind: reply.error });
      this.failStamps(reply.error);
      throw fdbError(reply.error);
    }
    this.committedVersion = reply.version;
    this.recordOutcome({ kind: 'committed', version: reply.version, batchIndex: reply.batchIndex });
    this.stampBatch = reply.batchIndex;
    if (this.stampWaiters.length > 0) {
      const stamp = versionstampBytes(reply.version, reply.batchIndex);
      for (const w of this.stampWaiters.splice(0)) w.resolve(stamp);
    }
    this.db.stats.commits++;
    this.startWatches(reply.version);
    if (this.rt.buggify('client.commitUnknownResult', 0.01)) {
      this.db.stats.unknownResults++;
      throw fdbError('commit_unknown_result');
    }
  }

  private startWatches(version: number): void {
    const watches = this.pendingWatches;
    this.pendingWatches = [];
    for (const w of watches) void this.runWatch(w, version);
  }

  /**
   * Registers a watch with a replica and resolves it once the change it reports is committed. A storage
   * server compares against the versions it has applied, which may be ahead of what is committed (the
   * client's next read version could precede the change) or be rolled back by a recovery (the change
   * never happened). So, as FoundationDB's watchValue does, wait for a committed version at least the
   * change's; and if that version comes from a later epoch than the one the server applied the change
   * in, a recovery came between and may have discarded it: watch again from the committed version.
   */
  private async runWatch(w: PendingWatch, version: number): Promise<void> {
    const rpc = this.rt.world.rpc(this.db.proc);
    let seen: WatchedValue;
    try {
      seen = await w.value;
    } catch (e) {
      w.reject(e);
      return;
    }
    const value = seen.value;
    // Compare no earlier than the version the value is from: a read-only transaction can commit before
    // its read version arrives (version 0 here), and a replica behind that read version would compare
    // an older state and fire for no change (swarm seed 1845).
    let from = Math.max(version, seen.since ?? -1);
    for (let attempt = 0; ; attempt++) {
      const info = this.db.knownInfo(attempt > 0) ?? (await this.db.clusterInfo(true));
      const shard = this.db.shardOf(info, w.key);
      const id = shard ? this.db.random.pick(shard.team) : undefined;
      const ss = id ? this.db.storageRef(info, id) : undefined;
      let fired: WatchReply | undefined;
      if (ss) {
        try {
          fired = await rpc.request<WatchReply>(
            ss.address,
            storageEndpoints(ss.id).watch,
            { key: w.key, value: value ?? null, version: from },
            seconds(Limits.watchReregisterSeconds),
          );
        } catch {
          // re-register with another replica
        }
      }
      if (fired) {
        const committed = await this.db.committedVersionAtLeast(fired.version);
        // Committed in the epoch the server applied it from: every log of that epoch holds it, so no
        // recovery can roll it back, and reads at read versions from now on see it.
        if (committed.epoch === fired.epoch) {
          // The transaction's own write is the value from its commit on; a later transaction of the same
          // commit batch can overwrite it at the same version, so its window opens just below that version.
          this.history?.watchFired(w.attempt, w.key, value, seen.since ?? version - 1, committed.version);
          w.resolve();
          return;
        }
        // The server may compare again at a version it has not rolled back yet: give it time to learn
        // of the recovery (the backoff below) before asking again.
        from = Math.max(from, committed.version);
      }
      await this.db.proc.delay(seconds(Math.min(1, 0.05 * 2 ** attempt)));
    }
  }

  getCommittedVersion(): number {
    return this.committedVersion;
  }

  /** Like FoundationDB's: may be called before commit; resolves once the commit succeeds. */
  getVersionstamp(): Promise<Bytes> {
    if (this.stampBatch >= 0)
      return Promise.resolve(versionstampBytes(this.committedVersion, this.stampBatch));
    const f = this.db.proc.future<Bytes>('versionstamp');
    this.stampWaiters.push(f);
    return f.promise;
  }

  /** Fails every versionstamp still waited for with one error `name` (made only when one is waited for). */
  private failStamps(name: ErrorName): void {
    const ws = this.stampWaiters;
    if (ws.length === 0) return;
    this.stampWaiters = [];
    const error = fdbError(name);
    for (const w of ws) w.reject(error);
  }

  async onError(error: unknown): Promise<void> {
    if (!(error instanceof FdbError) || !error.retryable) throw error;
    this.db.stats.retries++;
    const attempt = Math.min(++this.attempts, 7);
    const backoff = this.db.random.uniform(0.5, 1) * Math.min(1, 0.01 * 2 ** attempt);
    await this.db.proc.delay(seconds(backoff));
    if (error.code === ErrorCodes.commit_unknown_result || error.code === ErrorCodes.broken_promise) {
      await this.db.clusterInfo(true);
    }
    this.reset();
  }
}

/** A lock id as the cluster carries it: lower-case hex. */
function lockHex(id: Bytes): string {
  let out = '';
  for (const b of id) out += b.toString(16).padStart(2, '0');
  return out;
}

function lockBytes(hex: string): Bytes {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function versionstampBytes(version: number, batchIndex: number): Bytes {
  const out = new Uint8Array(10);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(version), false);
  dv.setUint16(8, batchIndex, false);
  return out;
}

/** A key selector resolved by scanning: its normalized base key and offset, and what the scan found. */
export interface ResolvedSelector {
  /** Where the scan started: the selector's key, or the key after it when orEqual. */
  readonly start: BKey;
  readonly offset: number;
  /** The key it names: MAX_KEY when it ran off the end, '' when it ran off the beginning. */
  readonly key: BKey;
  /** The range whose contents decided `key`; undefined when no scan was needed. */
  readonly scanned: [BKey, BKey] | undefined;
}

/** The keys a scan of [begin, end) observed: all of them, or up to the last row when the limit cut it. */
function scannedRange(
  begin: BKey,
  end: BKey,
  limit: number,
  reverse: boolean,
  rows: readonly [BKey, BKey][],
): [BKey, BKey] | undefined {
  if (begin >= end) return undefined;
  if (limit > 0 && rows.length >= limit) {
    const last = rows[rows.length - 1]![0];
    return reverse ? [last, end] : [begin, `${last}\x00`];
  }
  return [begin, end];
}

/**
 * The read conflicts of a range read between resolved selectors `b` and `e` that returned `rows`: the
 * keys whose change, alone or together with others, could change the result. Like FoundationDB's
 * read-your-writes addConflictRange, never narrower than needed and in two places narrower than every
 * key the scans happened to look at:
 *
 * - End selector with offset >= 1 that found its key E: the result ends at the largest returned key
 *   `top`, and no key lies between `top` and E. If nothing in [e.start, top] changes, the keys from
 *   e.start up to `top` still number fewer than the offset, so the new end is still above `top`, and
 *   any keys inserted above `top` land at or past the new end. So neither the rest of the end selector's
 *   scan nor the scan of (top, E) matters beyond max(e.start, top + 1) (below e.start, a key inserted
 *   after `top` would be returned). When the end ran off the end of the database (E is MAX_KEY) this
 *   holds only for a forward read cut by its limit (the end still lands above `top`, and the rows are
 *   still the first `limit` keys); otherwise an insert past `top` can fall inside the range and be
 *   returned, so everything to the end counts.
 * - Reverse read cut by its limit with a begin selector of offset <= 1: the rows are the highest keys
 *   below the end, down to `low`. If nothing in [low, end) changes, the begin still resolves at or
 *   below `low` (offset 1: `low` itself still qualifies; offset <= 0: counting back from the begin key
 *   passes `low` no earlier than before), so keys below `low` cannot change the result. With an offset
 *   of 2 or more this is not so: clearing keys the begin selector counted could move it above `low`.
 *
 * Everything else is kept as scanned: the begin selector's scan (it fixes where the rows start), the
 * end selector's scan when its offset is <= 0 (clearing keys it counted moves the end down into the
 * rows), and the rows' own range. When nothing was returned, the whole of every scan counts.
 */
export function selectorRangeConflicts(
  b: ResolvedSelector,
  e: ResolvedSelector,
  limit: number,
  reverse: boolean,
  rows: readonly [BKey, BKey][],
): [BKey, BKey][] {
  const out: [BKey, BKey][] = [];
  const add = (range: readonly [BKey, BKey] | undefined): void => {
    if (range && range[0] < range[1]) out.push([range[0], range[1]]);
  };
  if (rows.length === 0) {
    add(b.scanned);
    add(e.scanned);
    add([b.key, e.key]);
    return out;
  }
  const limited = limit > 0 && rows.length >= limit;
  const first = rows[0]![0];
  const last = rows[rows.length - 1]![0];
  const low = reverse ? last : first;
  const top = reverse ? first : last;
  const afterTop = `${top}\x00`;
  const trimEnd = e.offset >= 1 && (e.key < MAX_KEY || (limited && !reverse));
  const endBound = trimEnd ? (e.start > afterTop ? e.start : afterTop) : e.key;
  // The rows' range.
  if (reverse) add([limited ? low : b.key, endBound]);
  else add([b.key, limited ? afterTop : endBound]);
  // The end selector's scan.
  if (e.scanned) add(trimEnd ? [e.scanned[0], e.scanned[1] < endBound ? e.scanned[1] : endBound] : e.scanned);
  // The begin selector's scan.
  if (b.scanned) {
    const trimBegin = reverse && limited && b.offset <= 1 && b.scanned[0] < low;
    add(trimBegin ? [low, b.scanned[1]] : b.scanned);
  }
  return out;
}
