// The transaction log role: appends each version's tagged mutations in version order, fsyncs, and
// acknowledges; serves storage servers' peeks by tag; keeps data until every tag has popped it; and
// can be locked by a newer epoch, after which it accepts no pushes and reports its durable end.
import { seconds } from '../core/time.js';
import type { SimFile } from '../sim/disk.js';
import type { SimProcess } from '../sim/process.js';
import type { ByteReader } from './byte-codec.js';
import { readMutations, writeMutations } from './mutation.js';
import { endpointNames, type LogEntry, type TaggedMutations } from './protocol.js';
import { EncodedOnce, encodeBinaryRecord, openRecordLog, RecordLog } from './record-file.js';
import type { ClusterRuntime } from './runtime.js';

type TLogRecord =
  /**
   * The first record; a checkpoint repeats it (with the lock, if any) before its copies, adding the durable
   * end it had reached: when every version was popped, no copy is left to tell a restart how far it got.
   */
  | { t: 'init'; id: string; epoch: number; start: number; tags: string[]; end?: number }
  | { t: 'v'; v: number; m: TaggedMutations[] }
  | { t: 'lock' };

export interface PushRequest {
  readonly prevVersion: number;
  readonly version: number;
  readonly tagged: readonly TaggedMutations[];
  readonly knownCommitted: number;
}

export interface PeekReply {
  readonly entries: readonly LogEntry[];
  /** Every version up to here has been returned (for this tag). */
  readonly end: number;
  readonly knownCommitted: number;
  readonly locked: boolean;
}

export interface LockReply {
  readonly end: number;
  readonly knownCommitted: number;
}

/** Endpoint names of one TLog instance. */
export const tlogEndpoints = endpointNames((id) => ({
  push: `tlog.push.${id}`,
  peek: `tlog.peek.${id}`,
  pop: `tlog.pop.${id}`,
  lock: `tlog.lock.${id}`,
  confirm: `tlog.confirm.${id}`,
  tail: `tlog.tail.${id}`,
}));

/** The file name of a TLog's log. */
export function tlogFileName(id: string): string {
  return `tlog-${id}.log`;
}

/**
 * Each version's record, encoded once: a commit proxy pushes the same entry object to every log of the
 * epoch, a new epoch's logs are seeded with the old ones' entries, and a checkpoint copies them again.
 */
const encodedEntries = new EncodedOnce<readonly TaggedMutations[]>();

function entryRecord(entry: LogEntry): Uint8Array {
  return encodedEntries.get(entry.tagged, entry.version, () =>
    encodeBinaryRecord((w) => {
      w.u8(VERSION_RECORD);
      w.f64(entry.version);
      w.uint(entry.tagged.length);
      for (const t of entry.tagged) {
        w.bstr(t.tag);
        writeMutations(w, t.mutations);
      }
    }),
  );
}

/** The kind byte of a version's binary record (the log's other records are JSON). */
const VERSION_RECORD = 1;

/** Reads a binary record: a version's entry. */
function readEntryRecord(r: ByteReader): TLogRecord {
  if (r.u8() !== VERSION_RECORD) throw new RangeError('not a log entry');
  const v = r.f64();
  const m: TaggedMutations[] = [];
  for (let n = r.uint(); n > 0; n--) m.push({ tag: r.bstr(), mutations: readMutations(r) });
  return { t: 'v', v, m };
}

/** A running transaction log. */
class TLog {
  entries: LogEntry[] = [];
  /** Where each entry's record begins in the file (parallel to `entries`). */
  offsets: number[] = [];
  private checkpointing = false;
  end: number;
  durableEnd: number;
  knownCommitted = 0;
  locked = false;
  /** Its epoch is over and its entries are gone (HostedTLog.discard): it answers no more peeks. */
  discarded = false;
  /**
   * The durable end this log reported to the epoch that locked it. The new epoch chose its recovery
   * version from it, so nothing above it may ever be acknowledged: it will be rolled back. Undefined
   * until the lock is durable (while it is being written, nothing is acknowledged).
   */
  lockedEnd: number | undefined;
  private readonly popped = new Map<string, number>();
  private syncing = false;
  private readonly ackWaiters: { version: number; reply: () => void; reject: (name: string) => void }[] = [];
  private readonly orderWaiters = new Map<number, () => void>();
  private readonly peekWaiters: (() => void)[] = [];
  private readonly lockWaiters: (() => void)[] = [];
  readonly records: RecordLog;

  constructor(
    readonly rt: ClusterRuntime,
    readonly proc: SimProcess,
    readonly id: string,
    readonly epoch: number,
    readonly tags: readonly string[],
    readonly file: SimFile,
    readonly start: number,
    writeOffset: number,
  ) {
    this.end = start;
    this.durableEnd = start;
    this.records = new RecordLog(file, writeOffset);
    for (const t of tags) this.popped.set(t, 0);
  }

  /** Appends a JSON record to the file (ordered), not yet synced; versions go through `appendEntry`. */
  appendRecord(rec: Exclude<TLogRecord, { t: 'v' }>): Promise<void> {
    return this.records.append(rec);
  }

  /** Keeps `entry` (appending its record): what peeks, tails and restarts can see. */
  appendEntry(entry: LogEntry): Promise<void> {
    this.entries.push(entry);
    this.offsets.push(this.records.end);
    return this.records.appendEncoded(entryRecord(entry));
  }

  /**
   * Starts a checkpoint when the popped records before the first entry still needed take more room than
   * the knob and twice the entries after them: the init record (and the lock) and a copy of every retained
   * entry go to the end of the file, are synced, and everything before them is discarded. A crash before
   * the discard leaves the old records and some copies, which a restart reads as duplicates.
   */
  private maybeCheckpoint(): void {
    if (this.checkpointing) return;
    const live = this.records.end - (this.offsets[0] ?? this.records.end);
    const dead = this.records.used - live;
    if (dead <= Math.max(this.rt.knob('TLOG_CHECKPOINT_BYTES'), 2 * live)) return;
    this.checkpointing = true;
    this.rt.guard(
      this.proc,
      this.checkpoint(dead).finally(() => {
        this.checkpointing = false;
      }),
    );
  }

  private async checkpoint(dead: number): Promise<void> {
    const at = this.records.end;
    void this.appendRecord({
      t: 'init',
      id: this.id,
      epoch: this.epoch,
      start: this.start,
      tags: [...this.tags],
      end: this.durableEnd,
    });
    if (this.locked) void this.appendRecord({ t: 'lock' });
    for (let i = 0; i < this.entries.length; i++) {
      this.offsets[i] = this.records.end;
      void this.records.appendEncoded(entryRecord(this.entries[i]!));
    }
    const copied = this.entries.length;
    await this.records.sync();
    await this.records.discardBefore(at);
    this.rt.trace(
      'TLogCheckpoint',
      { TLogID: this.id, Epoch: this.epoch, Versions: copied, Discarded: dead },
      this.proc,
      10,
      this.id,
    );
  }

  /** Syncs until everything appended is durable, acknowledging pushes as their versions become durable. */
  private async syncLoop(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      while (this.durableEnd < this.end) {
        const target = this.end;
        if (this.rt.buggify('tlog.slowSync', 0.05))
          await this.proc.delay(seconds(this.rt.world.random.uniform(0.01, 0.5)));
        await this.records.sync();
        this.durableEnd = Math.max(this.durableEnd, target);
        this.releaseAcks();
        this.wakePeeks();
      }
    } finally {
      this.syncing = false;
    }
  }

  /**
   * The highest version that may be acknowledged: the durable end, or once locked the end reported in the
   * lock reply (-1 while the lock is being made durable). A sync already in flight when the lock came
   * must not acknowledge pushes the new epoch is about to roll back.
   */
  private ackLimit(): number {
    if (!this.locked || this.rt.bug('tlogAcksAfterLock')) return this.durableEnd;
    return this.lockedEnd ?? -1;
  }

  /** Acknowledges waiting pushes up to the ack limit; once the lock is reported, refuses the rest. */
  private releaseAcks(): void {
    const limit = this.ackLimit();
    for (let i = 0; i < this.ackWaiters.length; ) {
      const w = this.ackWaiters[i]!;
      if (w.version <= limit) {
        this.ackWaiters.splice(i, 1);
        w.reply();
      } else if (this.lockedEnd !== undefined) {
        this.ackWaiters.splice(i, 1);
        w.reject('tlog_stopped');
      } else i++;
    }
  }

  /** Locks the log (durably, once) and returns the end it reports: fixed from then on. */
  async lock(): Promise<LockReply> {
    // Planted bug: report the end without fencing the log, so the old epoch's proxy may push on.
    if (this.rt.bug('recoverySkipsLogLock'))
      return { end: this.durableEnd, knownCommitted: this.knownCommitted };
    // Planted bug: lock at once and report the end durable so far; a sync in flight acknowledges past it.
    if (this.rt.bug('tlogAcksAfterLock')) {
      this.locked = true;
      return { end: this.durableEnd, knownCommitted: this.knownCommitted };
    }
    if (!this.locked) {
      this.locked = true;
      // No push is appended once locked, so this sync makes every appended version durable: the end
      // reported is the one a restart from the file would find.
      const end = this.end;
      // The lock must be durable: a log that forgot it after a reboot could acknowledge an old epoch's commit.
      await this.appendRecord({ t: 'lock' });
      await this.records.sync();
      this.durableEnd = Math.max(this.durableEnd, end);
      this.lockedEnd = this.durableEnd;
      this.releaseAcks();
      this.wakePeeks();
    } else if (this.lockedEnd === undefined) {
      // A second lock request while the first is being written: answer once the lock is durable.
      const f = this.proc.future<void>('tlog lock');
      this.lockWaiters.push(() => f.resolve());
      await f.promise;
    }
    this.wakeLockWaiters();
    return { end: this.lockedEnd ?? this.durableEnd, knownCommitted: this.knownCommitted };
  }

  private wakeLockWaiters(): void {
    for (const w of this.lockWaiters.splice(0)) w();
  }

  private wakePeeks(): void {
    const ws = this.peekWaiters.splice(0);
    for (const w of ws) w();
  }

  /** Handles a push: waits for the previous version, appends, and acks once durable. */
  push(req: PushRequest, ack: () => void, reject: (name: string) => void): void {
    if (this.locked) return reject('tlog_stopped');
    if (req.version <= this.end) {
      // A retransmission of a version already appended: acknowledge when it is durable.
      if (req.version <= this.durableEnd) ack();
      else this.ackWaiters.push({ version: req.version, reply: ack, reject });
      return;
    }
    if (req.prevVersion > this.end) {
      // Versions must be appended in order; wait for the predecessor.
      this.orderWaiters.set(req.prevVersion, () => this.push(req, ack, reject));
      return;
    }
    if (req.prevVersion !== this.end) return reject('tlog_version_gap');
    this.knownCommitted = Math.max(this.knownCommitted, req.knownCommitted);
    this.end = req.version;
    this.rt.guard(this.proc, this.appendEntry({ version: req.version, tagged: req.tagged }));
    if (this.rt.bug('tlogAcksBeforeFsync')) ack();
    else this.ackWaiters.push({ version: req.version, reply: ack, reject });
    if (!this.syncing) this.rt.guard(this.proc, this.syncLoop());
    const next = this.orderWaiters.get(req.version);
    if (next) {
      this.orderWaiters.delete(req.version);
      next();
    }
  }

  /** Entries for `tag` from version `from`, up to the durable end (at most `limit` versions). */
  peek(tag: string, from: number, limit = 2000): PeekReply {
    const out: LogEntry[] = [];
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.version < from) lo = mid + 1;
      else hi = mid;
    }
    let end = this.durableEnd;
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.version > this.durableEnd) break;
      if (out.length >= limit) {
        end = out[out.length - 1]!.version;
        break;
      }
      let mine: TaggedMutations[] | undefined;
      for (const t of e.tagged) if (t.tag === tag) (mine ??= []).push(t);
      if (mine) out.push({ version: e.version, tagged: mine });
    }
    return { entries: out, end, knownCommitted: this.knownCommitted, locked: this.locked };
  }

  /** Waits (bounded) until the durable end reaches `from`. */
  waitForData(from: number, maxWait: number): Promise<void> {
    if (this.durableEnd >= from) return Promise.resolve();
    const f = this.proc.future<void>('tlog data');
    this.peekWaiters.push(() => f.resolve());
    this.proc.after(maxWait, () => f.resolve());
    return f.promise;
  }

  /** Records that `tag` has made everything up to `version` durable; trims what no tag needs. */
  pop(tag: string, version: number): void {
    const cur = this.popped.get(tag);
    if (cur === undefined || version <= cur) return;
    this.popped.set(tag, version);
    let min = Number.POSITIVE_INFINITY;
    for (const v of this.popped.values()) min = Math.min(min, v);
    let n = 0;
    while (n < this.entries.length && this.entries[n]!.version <= min) n++;
    if (n > 0) {
      this.entries.splice(0, n);
      this.offsets.splice(0, n);
    }
    this.maybeCheckpoint();
  }

  /** Every retained entry in (from, to], all tags: what a new epoch's logs must be seeded with. */
  tail(from: number, to: number): LogEntry[] {
    return this.entries.filter((e) => e.version > from && e.version <= to);
  }
}

/** A log running on a worker, as the worker tracks it. */
export interface HostedTLog {
  readonly id: string;
  readonly epoch: number;
  /** Stops serving and deletes the log's file (its epoch is over and a newer one holds its data). */
  discard(): void;
}

function hosted(log: TLog): HostedTLog {
  return {
    id: log.id,
    epoch: log.epoch,
    discard: () => {
      for (const ep of Object.values(tlogEndpoints(log.id))) log.proc.unlisten(ep);
      log.proc.removeRole(log.id);
      log.discarded = true;
      log.entries = [];
      log.offsets = [];
      log.proc.folder.files.delete(log.file.name);
    },
  };
}

/** Serves a TLog's endpoints on its process. */
function serve(rt: ClusterRuntime, log: TLog): void {
  const rpc = rt.world.rpc(log.proc);
  const ep = tlogEndpoints(log.id);
  log.proc.addRole('TL', log.id);
  rpc.serve<PushRequest, boolean>(ep.push, (req, respond) => {
    if (rt.buggify('tlog.dropPushReply', 0.001)) return; // the reply is lost; the proxy must cope
    log.push(
      req,
      () => respond.reply(true),
      (name) => respond.fail(name, 1100),
    );
  });
  rpc.serve<{ tag: string; from: number; limit?: number }, PeekReply>(ep.peek, (req, respond) => {
    void log.waitForData(req.from, seconds(0.5)).then(() => {
      // A peek that arrived as the log was discarded (at the same instant, or while it waited for data)
      // must not be answered from the emptied log: its end would claim versions it no longer holds, and
      // the storage server would skip them (swarm seed 20200: a replica lost two clears this way).
      if (log.discarded) return respond.fail('broken_promise', 1100);
      const reply = log.peek(req.tag, req.from, req.limit);
      if (rt.buggify('tlog.slowPeek', 0.01))
        log.proc.after(seconds(rt.world.random.uniform(0.01, 0.5)), () => respond.reply(reply));
      else respond.reply(reply);
    });
  });
  rpc.on<{ tag: string; version: number }>(ep.pop, (req) => log.pop(req.tag, req.version));
  rpc.serve<{ epoch: number }, LockReply>(ep.lock, (_req, respond) => {
    rt.guard(
      log.proc,
      log.lock().then((reply) => respond.reply(reply)),
    );
  });
  rpc.serve<Record<string, never>, boolean>(ep.confirm, (_req, respond) => respond.reply(!log.locked));
  rpc.serve<{ from: number; to: number }, LogEntry[]>(ep.tail, (req, respond) =>
    respond.reply(log.tail(req.from, req.to)),
  );
}

/** Creates a new TLog for an epoch, seeded with the previous epochs' tail, durably, then serves it. */
export async function createTLog(
  rt: ClusterRuntime,
  proc: SimProcess,
  init: { id: string; epoch: number; start: number; tags: string[]; seed: LogEntry[] },
): Promise<HostedTLog> {
  const file = rt.world.open(proc, tlogFileName(init.id));
  const log = new TLog(rt, proc, init.id, init.epoch, init.tags, file, init.start, 0);
  let written = log.appendRecord({
    t: 'init',
    id: init.id,
    epoch: init.epoch,
    start: init.start,
    tags: init.tags,
  });
  for (const e of init.seed) written = log.appendEntry(e);
  await written;
  await log.records.sync();
  log.durableEnd = init.start;
  log.end = init.start;
  rt.trace(
    'TLogStart',
    { TLogID: init.id, Epoch: init.epoch, StartVersion: init.start, SeedVersions: init.seed.length },
    proc,
    10,
    init.id,
  );
  serve(rt, log);
  return hosted(log);
}

/** Restarts a TLog from its file after a reboot. Returns it, or undefined if the file was unusable. */
export async function restartTLog(
  rt: ClusterRuntime,
  proc: SimProcess,
  fileName: string,
): Promise<HostedTLog | undefined> {
  const file = rt.world.open(proc, fileName);
  // Acknowledged versions were synced, and a crash cannot damage synced records: a cut tail held only
  // versions nobody was told about.
  const scan = await openRecordLog<TLogRecord>(file, readEntryRecord);
  const first = scan.records[0];
  if (!first || first.t !== 'init') {
    // Its creation never became durable, so no master ever counted on it.
    rt.trace('TLogUnusableFile', { File: fileName }, proc, 20);
    proc.folder.files.delete(fileName);
    return undefined;
  }
  const log = new TLog(rt, proc, first.id, first.epoch, first.tags, file, first.start, scan.end);
  for (let i = 0; i < scan.records.length; i++) {
    const r = scan.records[i]!;
    if (r.t === 'v') {
      // A checkpoint cut short by a crash left copies of versions already read: skip them.
      const last = log.entries.at(-1);
      if (last !== undefined && r.v <= last.version) continue;
      log.entries.push({ version: r.v, tagged: r.m });
      log.offsets.push(scan.offsets[i]!);
      // Seed entries lie at or below the log's start; its end is never below the start.
      log.end = Math.max(log.end, r.v);
    } else if (r.t === 'lock') log.locked = true;
    // A checkpoint's init: every version up to its end was durable here, popped ones included.
    else if (r.t === 'init' && r.end !== undefined) log.end = Math.max(log.end, r.end);
  }
  log.durableEnd = log.end;
  if (log.locked) log.lockedEnd = log.durableEnd;
  rt.trace(
    'TLogRestart',
    { TLogID: first.id, Epoch: first.epoch, DurableEnd: log.end, Locked: log.locked ? 1 : 0 },
    proc,
    10,
    first.id,
  );
  serve(rt, log);
  return hosted(log);
}
