// The commit proxy role: batches client commits, gets a commit version from the sequencer, asks the
// resolvers, pushes the committed mutations (tagged by storage server) to every log of the epoch, and
// replies only after all logs made them durable. Any failure on that path ends the proxy: the cluster
// controller then recovers, and the clients of the batch see commit_unknown_result.
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import { masterEndpoints } from './grv-proxy.js';
import { type BKey, lowerBound } from './keys.js';
import { fillVersionstamp, type Mutation } from './mutation.js';
import {
  type CommitReply,
  type CommitRequest,
  endpointNames,
  type RoleRef,
  type Shard,
  type TaggedMutations,
} from './protocol.js';
import { type ResolveStatus, type ResolveTxn, resolverEndpoint } from './resolver.js';
import type { ClusterRuntime } from './runtime.js';
import { type PushRequest, tlogEndpoints } from './tlog.js';

export const commitEndpoint = endpointNames((id) => `proxy.commit.${id}`);

/** A resolver and the key range it owns. */
export interface ResolverAssignment {
  readonly ref: RoleRef;
  readonly begin: BKey;
  readonly end: BKey;
}

/** Splits the key space evenly-ish among `n` resolvers (by first byte). */
export function resolverRanges(n: number): [BKey, BKey][] {
  const out: [BKey, BKey][] = [];
  for (let i = 0; i < n; i++) {
    const b = i === 0 ? '' : String.fromCharCode(Math.floor((256 * i) / n));
    const e = i === n - 1 ? '\xff\xff' : String.fromCharCode(Math.floor((256 * (i + 1)) / n));
    out.push([b, e]);
  }
  return out;
}

/** Whether every range is non-empty and lies within [b, e): clipping would copy them unchanged. */
function allWithin(ranges: readonly (readonly [BKey, BKey])[], b: BKey, e: BKey): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r[0] < b || r[1] > e || r[0] >= r[1]) return false;
  }
  return true;
}

/**
 * `ranges` clipped to [b, e), empty pieces dropped. When nothing needs clipping (always, with one
 * resolver) the ranges themselves are returned, not a copy: resolvers only read them.
 */
function clip(ranges: readonly [BKey, BKey][], b: BKey, e: BKey): readonly [BKey, BKey][] {
  if (allWithin(ranges, b, e)) return ranges;
  const out: [BKey, BKey][] = [];
  // Indexed, not `for (const [rb, re] of ...)`: until V8 optimizes a loop, every element's destructuring
  // runs the iterator protocol and allocates (see docs/benchmarks.md, a fresh process's warm-up).
  for (let i = 0; i < ranges.length; i++) {
    const rb = ranges[i]![0];
    const re = ranges[i]![1];
    const cb = rb > b ? rb : b;
    const ce = re < e ? re : e;
    if (cb < ce) out.push([cb, ce]);
  }
  return out;
}

/** Whether two lists hold the same items in the same order. */
function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A version's mutations by tag, with equal lists shared: every member of a team gets the same mutations,
 * and one array lets the version's durable record be encoded once for all of them (storage.ts).
 */
function taggedOf(byTag: ReadonlyMap<string, Mutation[]>): TaggedMutations[] {
  const distinct: Mutation[][] = [];
  const out: TaggedMutations[] = [];
  for (const [tag, list] of byTag) {
    let shared = distinct.find((d) => sameItems(d, list));
    if (shared === undefined) {
      shared = list;
      distinct.push(list);
    }
    out.push({ tag, mutations: shared });
  }
  return out;
}

/** Starts a commit proxy for an epoch. */
export function startCommitProxy(
  rt: ClusterRuntime,
  proc: SimProcess,
  init: {
    id: string;
    epoch: number;
    master: RoleRef;
    resolvers: readonly ResolverAssignment[];
    logs: readonly RoleRef[];
    shards: readonly Shard[];
    /** The database lock's id when the epoch is locked: only lock-aware transactions commit. */
    lock?: string;
    onFailure: (reason: string) => void;
  },
): () => void {
  const rpc = rt.world.rpc(proc);
  proc.addRole('CP', init.id);
  const shardBegins = init.shards.map((s) => s.begin);
  let queue: { req: CommitRequest; respond: (r: CommitReply) => void }[] = [];
  let running = false;
  let dead = false;
  let knownCommitted = 0;

  /** Index of the shard holding `k` (shards are sorted by begin and cover the key space without gaps). */
  const shardIndex = (k: BKey): number => Math.max(0, lowerBound(shardBegins, `${k}\x00`) - 1);

  const add = (into: Map<string, Mutation[]>, t: string, m: Mutation): void => {
    const l = into.get(t);
    if (l) l.push(m);
    else into.set(t, [m]);
  };

  /**
   * Files each mutation under the storage servers of its shard; a range clear goes, clipped, to every shard
   * it overlaps, which are the consecutive shards from the one holding its begin. Indexed loops: this runs
   * for every mutation, cold in a fresh process too (see clip).
   */
  const tag = (muts: Mutation[], into: Map<string, Mutation[]>): void => {
    const shards = init.shards;
    for (let i = 0; i < muts.length; i++) {
      const m = muts[i]!;
      if (m.type === 'clearRange') {
        for (let j = shardIndex(m.key); j < shards.length && shards[j]!.begin < m.end; j++) {
          const s = shards[j]!;
          const b = m.key > s.begin ? m.key : s.begin;
          const e = m.end < s.end ? m.end : s.end;
          if (b >= e) continue;
          const clipped: Mutation = { type: 'clearRange', key: b, end: e };
          for (let k = 0; k < s.team.length; k++) add(into, s.team[k]!, clipped);
        }
      } else {
        const team = shards[shardIndex(m.key)]!.team;
        for (let k = 0; k < team.length; k++) add(into, team[k]!, m);
      }
    }
  };

  const die = (reason: string): void => {
    if (dead) return;
    dead = true;
    rt.trace('CommitProxyTerminated', { ProxyID: init.id, Reason: reason }, proc, 20, init.id);
    // Clients of queued commits never hear back: they time out with commit_unknown_result.
    queue = [];
    proc.removeRole(init.id);
    init.onFailure(reason);
  };

  const commitBatch = async (
    batch: { req: CommitRequest; respond: (r: CommitReply) => void }[],
  ): Promise<void> => {
    const timeout = seconds(rt.knob('RPC_TIMEOUT'));
    const { prev, version } = await rpc.request<{ prev: number; version: number }>(
      init.master.address,
      masterEndpoints(init.master.id).getVersion,
      {},
      timeout,
    );
    // Resolve: every resolver sees every transaction's ranges clipped to its key range.
    const results = await Promise.all(
      init.resolvers.map((r) => {
        const txns: ResolveTxn[] = batch.map(({ req }) => ({
          readVersion: req.readVersion,
          readRanges: clip(req.readRanges, r.begin, r.end),
          writeRanges: clip(req.writeRanges, r.begin, r.end),
        }));
        return rpc.request<ResolveStatus[]>(
          r.ref.address,
          resolverEndpoint(r.ref.id),
          { prevVersion: prev, version, txns },
          timeout,
        );
      }),
    );
    const statuses: ResolveStatus[] = batch.map((_, i) => {
      let s: ResolveStatus = 'ok';
      for (const r of results) {
        const x = r[i]!;
        if (x === 'too_old') return 'too_old';
        if (x === 'conflict') s = 'conflict';
      }
      return s;
    });
    const byTag = new Map<string, Mutation[]>();
    const replies: CommitReply[] = [];
    let batchIndex = 0;
    const committed: { attempt: number; batchIndex: number }[] = [];
    for (let i = 0; i < batch.length; i++) {
      const st = statuses[i]!;
      if (st !== 'ok') {
        replies.push({ ok: false, error: st === 'too_old' ? 'transaction_too_old' : 'not_committed' });
        continue;
      }
      const req = batch[i]!.req;
      const idx = batchIndex++;
      let muts = req.mutations as Mutation[];
      const stampVersion = rt.bug('versionstampUsesPrevVersion') ? prev : version;
      if (req.versionstamped) {
        muts = muts.map((m): Mutation => {
          if (m.type !== 'atomic') return m;
          if (m.op === 'setVersionstampedKey')
            return { type: 'set', key: fillVersionstamp(m.key, stampVersion, idx), value: m.value };
          if (m.op === 'setVersionstampedValue')
            return { type: 'set', key: m.key, value: fillVersionstamp(m.value, stampVersion, idx) };
          return m;
        });
      }
      tag(muts, byTag);
      if (req.attempt !== undefined) committed.push({ attempt: req.attempt, batchIndex: idx });
      replies.push({ ok: true, version, batchIndex: idx });
    }
    const tagged = taggedOf(byTag);
    const push: PushRequest = { prevVersion: prev, version, tagged, knownCommitted };
    if (rt.buggify('proxy.delayPush', 0.02)) await proc.delay(seconds(rt.world.random.uniform(0.005, 0.2)));
    if (committed.length > 0) rt.history?.batchPushed(init.epoch, version, committed);
    const acks = init.logs.map((l) =>
      rpc.request<boolean>(l.address, tlogEndpoints(l.id).push, push, timeout),
    );
    if (rt.bug('proxyAcksAfterFirstTLog')) {
      await Promise.any(acks);
      void Promise.allSettled(acks).then((r) => {
        if (r.some((x) => x.status === 'rejected')) die('log push failed');
        else rt.history?.batchDurable(init.epoch, version);
      });
    } else {
      await Promise.all(acks);
      rt.history?.batchDurable(init.epoch, version);
    }
    knownCommitted = Math.max(knownCommitted, version);
    // The master must know the version is committed before any client does: otherwise a read version
    // handed out right after this reply could precede the commit (a stale read).
    await rpc.request<boolean>(
      init.master.address,
      masterEndpoints(init.master.id).reportCommitted,
      { version },
      timeout,
    );
    if (rt.buggify('proxy.dropReplies', 0.02)) return; // replies lost after a commit: clients see commit_unknown_result
    for (let i = 0; i < batch.length; i++) batch[i]!.respond(replies[i]!);
  };

  // Batches are pipelined, as FoundationDB's are: versions come from the sequencer in order, and the
  // resolvers and logs process versions strictly in order whatever order the batches' messages arrive in.
  const maxInFlight = rt.knob('COMMIT_BATCHES_IN_FLIGHT');
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const loop = async (): Promise<void> => {
    running = true;
    while (!dead && queue.length > 0) {
      let interval = rt.knob('COMMIT_BATCH_INTERVAL');
      if (rt.buggify('proxy.longBatch', 0.05)) interval *= 20;
      await proc.delay(seconds(interval));
      while (inFlight >= maxInFlight && !dead) {
        const f = proc.future<void>('commit batch slot');
        slotFreed = () => f.resolve();
        await f.promise;
      }
      const batch = queue;
      queue = [];
      if (batch.length === 0 || dead) continue;
      inFlight++;
      void commitBatch(batch)
        .catch((e: unknown) => die(e instanceof Error ? e.message : String(e)))
        .finally(() => {
          inFlight--;
          const wake = slotFreed;
          slotFreed = undefined;
          wake?.();
        });
    }
    running = false;
  };

  rpc.serve<CommitRequest, CommitReply>(commitEndpoint(init.id), (req, respond) => {
    if (dead) return respond.fail('broken_promise', 1100);
    if (init.lock !== undefined && !req.lockAware)
      return respond.reply({ ok: false, error: 'database_locked' });
    queue.push({ req, respond: (r) => respond.reply(r) });
    if (!running) void loop();
  });
  // Like FoundationDB's proxies, commit an empty batch when idle, so that versions and the known-committed
  // version keep moving: storage servers make data durable and pop the logs only up to what is known
  // committed, and a rebuilding server fetches at a known-committed version.
  proc.spawn(`commit proxy ${init.id} idle batches`, async () => {
    for (;;) {
      await proc.delay(seconds(rt.knob('COMMIT_IDLE_INTERVAL')));
      if (dead) return;
      if (!running && inFlight === 0) {
        queue.push({
          req: { readVersion: 0, mutations: [], readRanges: [], writeRanges: [], versionstamped: false },
          respond: () => {},
        });
        void loop();
      }
    }
  });

  // An empty batch, on request, is the recovery transaction that opens the epoch.
  rpc.serve<Record<string, never>, boolean>(`proxy.recoveryTxn.${init.id}`, (_req, respond) => {
    if (dead) return respond.fail('broken_promise', 1100);
    queue.push({
      req: { readVersion: 0, mutations: [], readRanges: [], writeRanges: [], versionstamped: false },
      respond: () => respond.reply(true),
    });
    if (!running) void loop();
  });

  // Stopped by its worker once a newer epoch is known: it commits nothing more (its logs are locked
  // anyway), and its queued clients time out with commit_unknown_result as they would if it died.
  return () => {
    dead = true;
    queue = [];
    proc.unlisten(commitEndpoint(init.id));
    proc.unlisten(`proxy.recoveryTxn.${init.id}`);
    proc.removeRole(init.id);
  };
}
