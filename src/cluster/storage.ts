// The storage server role: owns shards as part of a team, pulls its tag's mutations from the logs,
// keeps a multi-version window in memory, makes known-committed versions durable and pops the logs,
// rolls back versions a recovery discarded, serves reads and watches, and rebuilds a shard from a
// healthy replica when it starts empty.
import { appendAll } from '../core/arrays.js';
import { seconds } from '../core/time.js';
import type { SimFile } from '../sim/disk.js';
import type { SimProcess } from '../sim/process.js';
import { type Responder, RpcError } from '../sim/rpc.js';
import type { ByteReader } from './byte-codec.js';
import { type GrvRequest, grvEndpoint } from './grv-proxy.js';
import type { BKey, KeyRange } from './keys.js';
import { applyAtomic, type Mutation, readMutations, writeMutations } from './mutation.js';
import { type DbInfo, endpointNames, type LogEntry, type RoleRef } from './protocol.js';
import { EncodedOnce, encodeBinaryRecord, openRecordLog, RecordLog } from './record-file.js';
import type { ClusterRuntime } from './runtime.js';
import { type PeekReply, tlogEndpoints } from './tlog.js';
import { VersionedStore } from './versioned-store.js';

type StorageRecord =
  /** The first record. `fetch` is set for a server created to be rebuilt from replicas. */
  | { t: 'meta'; id: string; shards: KeyRange[]; fetch?: FetchPlan }
  /** A fetched snapshot; for a server with a fetch plan, its presence means the fetch completed. */
  | { t: 'snap'; v: number; kv: [BKey, BKey][] }
  | { t: 'v'; v: number; m: Mutation[] }
  /** The version made durable by one durability step (even when it carried no mutations). */
  | { t: 'durable'; v: number };

/** Kind bytes of the binary records: the data (the server's other records are JSON). */
const VERSION_RECORD = 1;
const SNAPSHOT_RECORD = 2;

/**
 * Each version's record, encoded once for the storage servers that make it durable with the same list of
 * mutations: the commit proxy gives every member of a team the same array.
 */
const encodedVersions = new EncodedOnce<readonly Mutation[]>();

/** One version's mutations, as a binary record. */
function versionRecord(v: number, m: readonly Mutation[]): Uint8Array {
  return encodedVersions.get(m, v, () =>
    encodeBinaryRecord((w) => {
      w.u8(VERSION_RECORD);
      w.f64(v);
      writeMutations(w, m);
    }),
  );
}

/** A snapshot's key-value pairs at version `v`, as a binary record. */
function snapshotRecord(v: number, kv: readonly [BKey, BKey][]): Uint8Array {
  return encodeBinaryRecord((w) => {
    w.u8(SNAPSHOT_RECORD);
    w.f64(v);
    w.uint(kv.length);
    for (const [k, value] of kv) {
      w.bstr(k);
      w.bstr(value);
    }
  });
}

/** Reads a binary record (a version's mutations or a snapshot). */
function readDataRecord(r: ByteReader): StorageRecord {
  const kind = r.u8();
  const v = r.f64();
  if (kind === VERSION_RECORD) return { t: 'v', v, m: readMutations(r) };
  if (kind !== SNAPSHOT_RECORD) throw new RangeError(`unknown record kind ${kind}`);
  const kv: [BKey, BKey][] = [];
  for (let n = r.uint(); n > 0; n--) kv.push([r.bstr(), r.bstr()]);
  return { t: 'snap', v, kv };
}

/** Endpoint names of one storage server. */
export const storageEndpoints = endpointNames((id) => ({
  get: `ss.get.${id}`,
  range: `ss.range.${id}`,
  watch: `ss.watch.${id}`,
  status: `ss.status.${id}`,
}));

export function storageFileName(id: string): string {
  return `storage-${id}.log`;
}

/**
 * The header file of a storage server: after each durability step it records the version made durable,
 * so that a restart can tell a crash's torn tail (only unsynced data lost) from damage that lost synced
 * data (a flipped bit), which must not be served. Like a storage engine's commit header.
 */
export function storageHeaderName(id: string): string {
  return `ssheader-${id}.log`;
}

/** A storage header larger than this drops the records before its last one. */
const HEADER_MAX_BYTES = 16 * 1024;

export interface GetRequest {
  readonly key: BKey;
  readonly version: number;
}
export interface RangeRequest {
  readonly begin: BKey;
  readonly end: BKey;
  readonly version: number;
  readonly limit: number;
  readonly reverse: boolean;
}
export interface RangeReply {
  readonly kv: [BKey, BKey][];
  /** True when the limit cut the range short. */
  readonly more: boolean;
}
/**
 * A watch's answer: the version at which this server saw the value differ from the watched one, and the
 * epoch whose logs it had applied that version from. The version may not be committed yet (a server
 * applies what the logs give it before it knows it is committed), and a recovery may still roll it back:
 * the client waits for a committed version at least this one before reporting the change.
 */
export interface WatchReply {
  readonly version: number;
  readonly epoch: number;
}
export interface StorageStatus {
  readonly id: string;
  readonly version: number;
  readonly durableVersion: number;
  readonly readable: boolean;
  readonly epoch: number;
}

/** How a new storage server gets its data: each shard from its own surviving replicas. */
export interface FetchPlan {
  /** The epoch this server was created for: its tag exists in the logs only from that epoch on. */
  readonly epoch: number;
  readonly shards: readonly {
    readonly begin: BKey;
    readonly end: BKey;
    readonly sources: readonly RoleRef[];
  }[];
}

/** A running storage server. */
export class StorageServer {
  readonly store = new VersionedStore();
  version = 0;
  durableVersion = 0;
  oldestVersion = 0;
  knownCommitted = 0;
  epoch = 0;
  readable = true;
  /** Removed from the shard map and stopped by its worker: it pulls, writes and serves nothing more. */
  stopped = false;
  private info: DbInfo | undefined;
  private unsynced: { v: number; m: Mutation[] }[] = [];
  readonly records: RecordLog;
  /** Set when the server starts: the log recording its durable version (see storageHeaderName). */
  header: RecordLog | undefined;
  private logIndex = 0;
  private readonly versionWaiters: { version: number; wake: () => void }[] = [];
  private readonly watches = new Map<BKey, { value: BKey | undefined; wake: (r: WatchReply) => void }[]>();
  /** Watched keys the version being applied wrote (see wakeWatches). */
  private readonly touched = new Set<BKey>();
  /** Entries pulled while a fetch is in progress; applied once the fetched snapshot is installed. */
  private buffered: LogEntry[] | null = null;
  /** Size of the last checkpoint written (0 until one is): the file may grow to a few times it. */
  private checkpointBytes = 0;

  constructor(
    readonly rt: ClusterRuntime,
    readonly proc: SimProcess,
    readonly id: string,
    readonly shards: KeyRange[],
    readonly file: SimFile,
    writeOffset: number,
  ) {
    this.records = new RecordLog(file, writeOffset);
    // Each server starts pulling from its own log (FoundationDB peeks by locality), so servers of one
    // shard may read different logs.
    this.logIndex = rt.world.random.fork(`storage-log:${id}`).int(0, 1000);
  }

  /** Stops this server for good (its worker removes its files): endpoints, loops and role label go. */
  stop(): void {
    this.stopped = true;
    for (const ep of Object.values(storageEndpoints(this.id))) this.proc.unlisten(ep);
    this.proc.removeRole(this.id);
  }

  /** Appends a JSON record to this server's file (durable at the next sync); data records are binary. */
  append(rec: Exclude<StorageRecord, { t: 'v' | 'snap' }>): Promise<void> {
    return this.records.append(rec);
  }

  owns(key: BKey): boolean {
    return this.shards.some((s) => key >= s.begin && key < s.end);
  }

  /** Learns the current epoch; on a new epoch, rolls back versions above its recovery version. */
  setDbInfo(info: DbInfo): void {
    if (this.info && info.epoch <= this.info.epoch) return;
    this.info = info;
    if (info.epoch > this.epoch) {
      // What this server pulled came from the logs of its epoch, which ended where the next epoch's
      // recovery began. A server that missed whole epochs (cut off from the controller while they came and
      // went) must roll back to that point, not to the newest recovery version: versions its old epoch's
      // logs held above where that epoch ended were discarded, even where a later epoch's recovery version
      // lies above them. Recovery versions only grow, so the next epoch's is the smallest of the ones it
      // missed. (Were it ever missing from the history, only durable data would be certainly committed.)
      const next = info.epochStarts.find((s) => s.epoch === this.epoch + 1);
      const ended = next ? next.recoveryVersion : this.durableVersion;
      this.epoch = info.epoch;
      // Durable versions were known committed when written, so no recovery can discard them; a server
      // restarted from disk does not know which epoch wrote them and must not treat them as rolled back.
      const rollbackTo = Math.max(ended, this.durableVersion);
      if (this.version > rollbackTo) {
        if (this.rt.bug('storageSkipsRollback')) {
          this.version = rollbackTo;
        } else {
          const dropped = this.store.rollback(rollbackTo);
          this.unsynced = this.unsynced.filter((u) => u.v <= rollbackTo);
          if (this.buffered) this.buffered = this.buffered.filter((e) => e.version <= rollbackTo);
          this.rt.trace(
            'StorageServerRollback',
            { StorageID: this.id, From: this.version, To: rollbackTo, Entries: dropped, Epoch: info.epoch },
            this.proc,
            10,
            this.id,
          );
          this.version = rollbackTo;
        }
      }
    }
  }

  private applyEntry(e: LogEntry): void {
    for (const t of e.tagged) {
      for (const m of t.mutations) this.applyMutation(e.version, m);
      this.unsynced.push({ v: e.version, m: t.mutations as Mutation[] });
    }
    this.wakeWatches(e.version);
  }

  /** Applies one mutation at version `v` (also used to replay the file on restart). */
  applyMutation(v: number, m: Mutation): void {
    if (m.type === 'set') {
      if (this.owns(m.key)) this.put(m.key, v, m.value);
    } else if (m.type === 'clearRange') {
      const end = this.rt.bug('clearRangeEndInclusive') ? `${m.end}\x00` : m.end;
      for (const k of this.store.keysIn(m.key, end)) if (this.owns(k)) this.put(k, v, null);
    } else if (this.owns(m.key)) {
      const next = applyAtomic(m.op, this.store.latest(m.key), m.value, this.rt.bug('atomicAddDropsCarry'));
      this.put(m.key, v, next ?? null);
    }
  }

  private put(key: BKey, v: number, value: BKey | null): void {
    this.store.put(key, v, value);
    if (this.watches.has(key)) this.touched.add(key);
  }

  /**
   * Wakes the watches on keys version `v` wrote whose value now differs from the watched one. Called once
   * every mutation of the version is applied: a transaction that clears a key and sets it back to the same
   * value in one commit does not change it, and must not fire its watches.
   */
  private wakeWatches(v: number): void {
    if (this.touched.size === 0) return;
    for (const key of this.touched) {
      const ws = this.watches.get(key);
      if (!ws) continue;
      const now = this.store.latest(key);
      const keep = ws.filter((w) => {
        if (w.value === now) return true;
        w.wake({ version: v, epoch: this.epoch });
        return false;
      });
      if (keep.length > 0) this.watches.set(key, keep);
      else this.watches.delete(key);
    }
    this.touched.clear();
  }

  /** Moves the applied version forward and wakes reads waiting for it. */
  private advance(v: number): void {
    if (v <= this.version) return;
    this.version = v;
    for (let i = 0; i < this.versionWaiters.length; ) {
      const w = this.versionWaiters[i]!;
      if (w.version <= v) {
        this.versionWaiters.splice(i, 1);
        w.wake();
      } else i++;
    }
  }

  /** Pulls this server's tag from the current epoch's logs, forever. */
  async pullLoop(): Promise<void> {
    const rpc = this.rt.world.rpc(this.proc);
    while (!this.stopped) {
      const info = this.info;
      if (!info || info.logs.length === 0) {
        await this.proc.delay(seconds(0.1));
        continue;
      }
      const log = info.logs[this.logIndex % info.logs.length]!;
      const epoch = info.epoch;
      if (this.rt.buggify('storage.delayedPull', 0.01))
        await this.proc.delay(seconds(this.rt.world.random.uniform(0.1, 1)));
      let reply: PeekReply;
      try {
        reply = await rpc.request<PeekReply>(
          log.address,
          tlogEndpoints(log.id).peek,
          {
            tag: this.id,
            from: this.version + 1,
            ...(this.rt.buggify('storage.smallPeeks', 0.25) ? { limit: 3 } : {}),
          },
          seconds(this.rt.knob('RPC_TIMEOUT')),
        );
      } catch {
        this.logIndex++;
        await this.proc.delay(seconds(0.05));
        continue;
      }
      if (this.stopped) return;
      if (this.epoch !== epoch || !this.info || this.info.epoch !== epoch) continue; // stale epoch's answer
      for (const e of reply.entries) {
        if (e.version <= this.version) continue;
        if (this.buffered) this.buffered.push(e);
        else this.applyEntry(e);
        this.advance(e.version);
      }
      this.advance(reply.end);
      this.knownCommitted = Math.max(this.knownCommitted, Math.min(reply.knownCommitted, this.version));
      if (reply.entries.length === 0) await this.proc.delay(seconds(this.rt.knob('TLOG_PEEK_INTERVAL')));
    }
  }

  /** Makes known-committed versions durable, then pops the logs; compacts history outside the window. */
  async durabilityLoop(): Promise<void> {
    const rpc = this.rt.world.rpc(this.proc);
    for (;;) {
      await this.proc.delay(seconds(this.rt.knob('STORAGE_DURABILITY_LAG')));
      if (this.stopped) return;
      if (this.rt.buggify('storage.slowDurability', 0.05))
        await this.proc.delay(seconds(this.rt.world.random.uniform(0.5, 3)));
      if (this.buffered) continue;
      const target = Math.min(this.version, this.knownCommitted);
      if (target > this.durableVersion) {
        const batch = this.unsynced.filter((u) => u.v <= target);
        this.unsynced = this.unsynced.filter((u) => u.v > target);
        // One record per version keeps replay exact.
        // A version's list is its one tagged entry's own array (shared with the team, so its record is
        // encoded once), copied only when a second entry of the version has to be added to it.
        const byVersion = new Map<number, readonly Mutation[]>();
        for (const u of batch) {
          const list = byVersion.get(u.v);
          byVersion.set(u.v, list === undefined ? u.m : [...list, ...u.m]);
        }
        for (const [v, m] of byVersion) void this.records.appendEncoded(versionRecord(v, m));
        await this.append({ t: 'durable', v: target });
        await this.records.sync();
        if (this.info?.config?.storageEngine === 'ssd') await this.file.sync(); // page write
        this.durableVersion = Math.max(this.durableVersion, target);
        await this.commitHeader();
        const info = this.info;
        if (info) {
          for (const log of info.logs)
            rpc.send(log.address, tlogEndpoints(log.id).pop, { tag: this.id, version: target });
        }
        await this.maybeCheckpoint();
      }
      const window = this.rt.knob('MAX_READ_TRANSACTION_LIFE_VERSIONS');
      const oldest = Math.min(this.durableVersion, this.version - window);
      if (oldest > this.oldestVersion) {
        this.store.compact(oldest);
        this.oldestVersion = oldest;
      }
    }
  }

  /**
   * Records the durable version in the header, durably (after the data it describes was synced). Only
   * the last record counts, so once the header holds more than a few sectors the ones before it go.
   */
  private async commitHeader(): Promise<void> {
    const header = this.header;
    if (!header) return;
    void header.append({ durable: this.durableVersion });
    await header.sync();
    if (header.used > HEADER_MAX_BYTES) await header.discardBefore(header.lastAt);
  }

  /**
   * Writes a checkpoint when the file has grown well past the data: the server's identity and its whole
   * durable state as one snapshot record at the end of the file, synced, and then everything before it
   * discarded. Restarts replay from the snapshot. It is taken right after a durability step, so the file
   * holds nothing above the durable version, and the snapshot stands for everything before it; a crash
   * before the discard leaves both, and replaying the old records and then the snapshot gives the same state.
   */
  private async maybeCheckpoint(): Promise<void> {
    const since = this.records.used;
    if (since <= Math.max(this.rt.knob('STORAGE_CHECKPOINT_BYTES'), 2 * this.checkpointBytes)) return;
    const at = this.records.end;
    const v = this.durableVersion;
    const kv: [BKey, BKey][] = [];
    for (const s of this.shards)
      appendAll(kv, this.store.range(s.begin, s.end, v, Number.POSITIVE_INFINITY, false));
    void this.append({ t: 'meta', id: this.id, shards: this.shards });
    await this.records.appendEncoded(snapshotRecord(v, kv));
    this.checkpointBytes = this.records.end - at;
    await this.records.sync();
    await this.records.discardBefore(at);
    this.rt.trace(
      'StorageServerCheckpoint',
      { StorageID: this.id, Version: v, Keys: kv.length, Bytes: this.checkpointBytes, Discarded: since },
      this.proc,
      10,
      this.id,
    );
  }

  /** Waits until the applied version reaches `v`, or fails with future_version after a bounded wait. */
  waitForVersion(v: number): Promise<boolean> {
    if (v <= this.version) return Promise.resolve(true);
    const f = this.proc.future<boolean>('storage version');
    this.versionWaiters.push({ version: v, wake: () => f.resolve(true) });
    // The answer must come before the client's read timeout: a client that timed out takes this server for
    // a dead replica and tries the others, forever for a version that is far in the future.
    const wait = Math.min(this.rt.knob('FUTURE_VERSION_DELAY'), 0.9 * this.rt.knob('CLIENT_READ_TIMEOUT'));
    this.proc.after(seconds(wait), () => f.resolve(false));
    return f.promise;
  }

  /** Checks a read is servable; returns an error name or undefined. */
  readError(version: number, key?: BKey): string | undefined {
    if (!this.readable) return 'process_behind';
    if (key !== undefined && !this.owns(key)) return 'wrong_shard_server';
    // Reads older than the MVCC window are refused even where history happens not to be compacted yet:
    // the window is a promise to clients, not an accident of compaction.
    const window = this.rt.knob('MAX_READ_TRANSACTION_LIFE_VERSIONS');
    if (version < this.oldestVersion || version < this.version - window) return 'transaction_too_old';
    return undefined;
  }

  /** Installs a fetched snapshot at version `at` and applies what was pulled meanwhile. */
  async installFetched(at: number, kv: [BKey, BKey][]): Promise<void> {
    for (const s of this.shards) this.store.dropRange(s.begin, s.end);
    for (const [k, v] of kv) this.store.put(k, at, v);
    const pending = this.buffered ?? [];
    this.buffered = null;
    for (const e of pending) if (e.version > at) this.applyEntry(e);
    this.unsynced = this.unsynced.filter((u) => u.v > at);
    await this.records.appendEncoded(snapshotRecord(at, kv));
    await this.records.sync();
    this.durableVersion = Math.max(this.durableVersion, at);
    await this.commitHeader();
    this.oldestVersion = at;
    this.readable = true;
  }

  /** Rebuilds this server's shards from healthy replicas (FoundationDB's fetchKeys, simplified). */
  async fetch(plan: FetchPlan): Promise<void> {
    this.readable = false;
    this.buffered ??= [];
    this.rt.fetchingStorage.add(this.id);
    // Fetch at a version that is committed (so the snapshot can be made durable and no recovery can roll
    // it back) and above this epoch's start (where this server's tag begins in the logs), and that it has
    // pulled up to, so the buffered versions above it complete the picture.
    // Versions before the epoch that created this server's tag are only under other servers' tags.
    while (!this.info || this.info.epoch < plan.epoch || this.knownCommitted <= this.info.recoveryVersion) {
      await this.proc.delay(seconds(0.05));
    }
    // Sources that did not answer are tried last in later rounds: a dead one costs a whole RPC timeout,
    // and a few of those before a live one would age the snapshot version out of the MVCC window.
    const misses = new Map<string, number>();
    for (;;) {
      const at = await this.snapshotVersion();
      const got = await this.fetchShards(plan, at, misses);
      if (got && at >= this.version - this.rt.knob('MAX_READ_TRANSACTION_LIFE_VERSIONS')) {
        await this.installFetched(at, got.kv);
        this.rt.fetchingStorage.delete(this.id);
        this.rt.trace(
          'FetchKeysComplete',
          { StorageID: this.id, Version: at, Keys: got.kv.length, Source: [...got.used].join(',') },
          this.proc,
          10,
          this.id,
        );
        return;
      }
      await this.proc.delay(seconds(0.5));
      if (this.rt.buggify('storage.slowFetchRetry', 0.2))
        await this.proc.delay(seconds(this.rt.world.random.uniform(1, 5)));
    }
  }

  /**
   * The version a fetch reads its snapshot at: the newest version this server has pulled that is known
   * committed. The logs learn what is known committed from the next commit batch, so on an idle cluster it
   * trails the newest version by a whole idle interval (COMMIT_IDLE_INTERVAL), which can be longer than the
   * MVCC window the sources serve reads in; then a GRV proxy's read version, which is committed, is asked.
   */
  private async snapshotVersion(): Promise<number> {
    const window = this.rt.knob('MAX_READ_TRANSACTION_LIFE_VERSIONS');
    const known = Math.min(this.version, this.knownCommitted);
    if (known >= this.version - window / 2) return known;
    const committed = await this.committedVersion();
    return Math.max(known, Math.min(this.version, committed ?? 0));
  }

  /** A read version from one of this epoch's GRV proxies (committed), or undefined when none answers. */
  private async committedVersion(): Promise<number | undefined> {
    const rpc = this.rt.world.rpc(this.proc);
    for (const proxy of this.info?.grvProxies ?? []) {
      try {
        return await rpc.request<number>(
          proxy.address,
          grvEndpoint(proxy.id),
          { lockAware: true } satisfies GrvRequest,
          seconds(this.rt.knob('RPC_TIMEOUT')),
        );
      } catch {
        // the next proxy
      }
    }
    return undefined;
  }

  /** Every shard of the plan read at `at`, each from one complete replica; undefined when one failed. */
  private async fetchShards(
    plan: FetchPlan,
    at: number,
    misses: Map<string, number>,
  ): Promise<{ kv: [BKey, BKey][]; used: Set<string> } | undefined> {
    const rpc = this.rt.world.rpc(this.proc);
    const kv: [BKey, BKey][] = [];
    const used = new Set<string>();
    for (const shard of plan.shards) {
      let got: RangeReply | undefined;
      // Any one complete replica of the shard will do; try them in turn (one still fetching refuses).
      const sources = this.fetchSources(shard)
        .map((src, i) => ({ src, i, missed: misses.get(src.id) ?? 0 }))
        .sort((a, b) => a.missed - b.missed || a.i - b.i)
        .map((x) => x.src);
      for (const src of sources) {
        try {
          got = await rpc.request<RangeReply>(
            src.address,
            storageEndpoints(src.id).range,
            {
              begin: shard.begin,
              end: shard.end,
              version: at,
              limit: 0,
              reverse: false,
            } satisfies RangeRequest,
            seconds(this.rt.knob('RPC_TIMEOUT')),
          );
          used.add(src.id);
          break;
        } catch (e) {
          if (e instanceof RpcError && e.errorName === 'timed_out')
            misses.set(src.id, (misses.get(src.id) ?? 0) + 1);
        }
      }
      if (!got) return undefined;
      appendAll(kv, got.kv);
    }
    return { kv, used };
  }

  /**
   * Where to fetch a shard from: the replicas the plan named, then the shard's other current replicas.
   * A fetch resumed after a restart may run epochs after its plan was made, when the named replicas
   * may have been replaced or moved; the current shard map knows where the shard lives now.
   */
  private fetchSources(shard: FetchPlan['shards'][number]): RoleRef[] {
    const info = this.info;
    // A planned source may have moved too (a rebooted machine's folder can come back on another
    // process): ask where the newest layout this server knows places it.
    const sources = shard.sources.map((p) => info?.storage.find((r) => r.id === p.id) ?? p);
    const current = info?.shards.find((s) => s.begin === shard.begin && s.end === shard.end);
    for (const id of current?.team ?? []) {
      const ref = info?.storage.find((r) => r.id === id);
      if (ref && id !== this.id && !sources.some((r) => r.id === id && r.address === ref.address))
        sources.push(ref);
    }
    return sources;
  }

  status(): StorageStatus {
    return {
      id: this.id,
      version: this.version,
      durableVersion: this.durableVersion,
      readable: this.readable,
      epoch: this.epoch,
    };
  }

  /**
   * Registers a watch: resolves when the key's value, in the versions this server has applied, differs
   * from `value`, with the version where it does (see WatchReply: not necessarily committed).
   */
  watch(key: BKey, value: BKey | undefined): Promise<WatchReply> {
    const f = this.proc.future<WatchReply>('watch');
    if (this.store.latest(key) !== value) {
      f.resolve({ version: this.version, epoch: this.epoch });
      return f.promise;
    }
    const list = this.watches.get(key) ?? [];
    list.push({ value, wake: (r) => f.resolve(r) });
    this.watches.set(key, list);
    return f.promise;
  }
}

/** Fails a read with what readError found, and its FoundationDB code. */
function failRead(respond: Pick<Responder<unknown>, 'fail'>, error: string): void {
  respond.fail(error, error === 'transaction_too_old' ? 1007 : 1037);
}

function serve(rt: ClusterRuntime, ss: StorageServer): void {
  const rpc = rt.world.rpc(ss.proc);
  const ep = storageEndpoints(ss.id);
  ss.proc.addRole('SS', ss.id);
  rpc.serve<GetRequest, BKey | null>(ep.get, (req, respond) => {
    const early = ss.readError(req.version, req.key);
    if (early) return failRead(respond, early);
    // A version already applied is read at once, as FoundationDB's waitForVersion is ready then: no
    // promise, closure or microtask for the common read.
    if (req.version <= ss.version || rt.bug('storageReadsUnappliedVersion'))
      return respond.reply(ss.store.get(req.key, req.version) ?? null);
    void ss.waitForVersion(req.version).then((ok) => {
      if (!ok) return respond.fail('future_version', 1009);
      const err = ss.readError(req.version, req.key);
      if (err) return failRead(respond, err);
      respond.reply(ss.store.get(req.key, req.version) ?? null);
    });
  });
  rpc.serve<RangeRequest, RangeReply>(ep.range, (req, respond) => {
    const early = ss.readError(req.version);
    if (early) return failRead(respond, early);
    void ss.waitForVersion(req.version).then((ok) => {
      if (!ok) return respond.fail('future_version', 1009);
      const err = ss.readError(req.version);
      if (err) return failRead(respond, err);
      // Clip to owned shards: the client splits ranges by shard, so this only trims edges.
      const shard = ss.shards.find((s) => req.begin < s.end && s.begin < req.end);
      if (!shard) return respond.fail('wrong_shard_server', 1037);
      const begin = req.begin > shard.begin ? req.begin : shard.begin;
      const end = req.end < shard.end ? req.end : shard.end;
      const lim = req.limit > 0 ? req.limit + 1 : 0;
      const from = req.reverse && rt.bug('reverseRangeSkipsBegin') ? `${begin}\x00` : begin;
      const kv = ss.store.range(from, end, req.version, lim, req.reverse);
      const more = req.limit > 0 && kv.length > req.limit;
      if (more) kv.length = req.limit;
      respond.reply({ kv, more });
    });
  });
  rpc.serve<{ key: BKey; value: BKey | null; version: number }, WatchReply>(ep.watch, (req, respond) => {
    if (!ss.owns(req.key) || !ss.readable) return respond.fail('wrong_shard_server', 1037);
    // Compare only once this replica has caught up to the version the watcher saw.
    void ss.waitForVersion(req.version).then((ok) => {
      if (!ok) return respond.fail('future_version', 1009);
      void ss.watch(req.key, req.value ?? undefined).then((r) => respond.reply(r));
    });
  });
  rpc.serve<Record<string, never>, StorageStatus>(ep.status, (_req, respond) => respond.reply(ss.status()));
}

/** Creates a new storage server (at database creation, or as a replacement that fetches its data). */
export async function createStorage(
  rt: ClusterRuntime,
  proc: SimProcess,
  init: { id: string; shards: KeyRange[]; fetch?: FetchPlan },
): Promise<StorageServer> {
  const file = rt.world.open(proc, storageFileName(init.id));
  const ss = new StorageServer(rt, proc, init.id, init.shards, file, 0);
  // The fetch plan is durable with the server's identity: a server that crashes before its fetch
  // completes must resume it after a restart, not come back readable with an empty store.
  await ss.append({
    t: 'meta',
    id: init.id,
    shards: init.shards,
    ...(init.fetch ? { fetch: init.fetch } : {}),
  });
  await ss.records.sync();
  ss.header = new RecordLog(rt.world.open(proc, storageHeaderName(init.id)), 0);
  rt.trace(
    'StorageServerStart',
    { StorageID: init.id, Shards: init.shards.length, Fetch: init.fetch ? 1 : 0 },
    proc,
    10,
    init.id,
  );
  serve(rt, ss);
  proc.spawn(`storage ${init.id} pull`, () => ss.pullLoop());
  proc.spawn(`storage ${init.id} durability`, () => ss.durabilityLoop());
  if (init.fetch) {
    const plan = init.fetch;
    proc.spawn(`storage ${init.id} fetch`, () => ss.fetch(plan));
  }
  return ss;
}

/**
 * Restarts a storage server from its files. A server whose log lost data it had made durable (damage,
 * not a crash) is discarded and comes back empty, to be rebuilt from a replica: it never serves it.
 */
export async function restartStorage(
  rt: ClusterRuntime,
  proc: SimProcess,
  fileName: string,
): Promise<StorageServer | undefined> {
  const file = rt.world.open(proc, fileName);
  const scan = await openRecordLog<StorageRecord>(file, readDataRecord);
  const meta = scan.records[0];
  let durable = 0;
  let headerEnd = 0;
  if (meta?.t === 'meta') {
    const header = await openRecordLog<{ durable: number }>(rt.world.open(proc, storageHeaderName(meta.id)));
    durable = header.records.at(-1)?.durable ?? 0;
    headerEnd = header.end;
  }
  const replayed = scan.records.reduce((v, r) => (r.t === 'meta' ? v : Math.max(v, r.v)), 0);
  if (!meta || meta.t !== 'meta' || replayed < durable) {
    rt.trace(
      'StorageServerCorruptFile',
      { File: fileName, DurableVersion: durable, ReadableVersion: replayed },
      proc,
      30,
    );
    proc.folder.files.delete(fileName);
    if (meta?.t === 'meta') proc.folder.files.delete(storageHeaderName(meta.id));
    return undefined;
  }
  const ss = new StorageServer(rt, proc, meta.id, meta.shards, file, scan.end);
  ss.header = new RecordLog(rt.world.open(proc, storageHeaderName(meta.id)), headerEnd);
  for (const r of scan.records.slice(1)) {
    if (r.t === 'snap') {
      for (const s of ss.shards) ss.store.dropRange(s.begin, s.end);
      for (const [k, v] of r.kv) ss.store.put(k, r.v, v);
      ss.version = Math.max(ss.version, r.v);
    } else if (r.t === 'v') {
      for (const m of r.m) ss.applyMutation(r.v, m);
      ss.version = Math.max(ss.version, r.v);
    } else if (r.t === 'durable') {
      ss.version = Math.max(ss.version, r.v);
    }
  }
  ss.durableVersion = ss.version;
  ss.oldestVersion = ss.version;
  ss.knownCommitted = ss.version;
  // A server created to fetch its shards whose snapshot never became durable holds only some of the
  // mutations under its tag, not the shards' data: it must not serve reads. Like FoundationDB's storage
  // server restarting with a shard still being added, it stays unreadable and fetches again. (Nothing
  // but the meta record can precede the snapshot: the durability loop writes nothing while fetching.)
  const resumeFetch = meta.fetch !== undefined && !scan.records.some((r) => r.t === 'snap');
  if (resumeFetch) {
    ss.readable = false;
    rt.fetchingStorage.add(meta.id);
  }
  rt.trace(
    'StorageServerRestart',
    { StorageID: meta.id, DurableVersion: ss.version, Keys: ss.store.size, Fetch: resumeFetch ? 1 : 0 },
    proc,
    10,
    meta.id,
  );
  serve(rt, ss);
  proc.spawn(`storage ${meta.id} pull`, () => ss.pullLoop());
  proc.spawn(`storage ${meta.id} durability`, () => ss.durabilityLoop());
  if (resumeFetch && meta.fetch) {
    const plan = meta.fetch;
    proc.spawn(`storage ${meta.id} fetch`, () => ss.fetch(plan));
  }
  return ss;
}
