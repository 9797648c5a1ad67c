// The resolver role: optimistic concurrency control. Processes batches strictly in version order and
// rejects a transaction whose read-conflict ranges intersect writes committed after its read version,
// or whose read version is older than the MVCC window.
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import { ConflictSet } from './conflict-set.js';
import { type BKey, isSingleKey } from './keys.js';
import { endpointNames } from './protocol.js';
import type { ClusterRuntime } from './runtime.js';

export interface ResolveTxn {
  readonly readVersion: number;
  readonly readRanges: readonly [BKey, BKey][];
  readonly writeRanges: readonly [BKey, BKey][];
}
export interface ResolveRequest {
  readonly prevVersion: number;
  readonly version: number;
  readonly txns: readonly ResolveTxn[];
}
export type ResolveStatus = 'ok' | 'conflict' | 'too_old';

export const resolverEndpoint = endpointNames((id) => `resolver.resolve.${id}`);

/** Starts a resolver for an epoch; its version chain starts at the recovery version. Returns its stop. */
export function startResolver(
  rt: ClusterRuntime,
  proc: SimProcess,
  init: { id: string; start: number },
): () => void {
  let last = init.start;
  // Writes of every accepted transaction, newest version per key segment (trimmed to the MVCC window).
  const written = new ConflictSet();
  const waiting = new Map<number, () => void>();
  const done = new Map<number, ResolveStatus[]>();
  proc.addRole('RV', init.id);
  const ignoreRanges = rt.bug('resolverIgnoresRangeReads');

  /** True when a write newer than `after` touched one of the transaction's (checked) read ranges. */
  const conflicts = (t: ResolveTxn, after: number): boolean => {
    const ranges = t.readRanges;
    for (let i = 0; i < ranges.length; i++) {
      const rb = ranges[i]![0];
      const re = ranges[i]![1];
      if (ignoreRanges && !isSingleKey(rb, re)) continue;
      if (written.writtenAfter(rb, re, after)) return true;
    }
    return false;
  };

  const resolve = (req: ResolveRequest): ResolveStatus[] => {
    const window = rt.knob('MAX_READ_TRANSACTION_LIFE_VERSIONS');
    const statuses: ResolveStatus[] = [];
    // Earlier transactions of the same batch commit first: their writes are recorded at this batch's
    // version, which is newer than any read version checked against it.
    const after = (t: ResolveTxn) => Math.min(t.readVersion, req.version - 1);
    for (const t of req.txns) {
      if (t.readVersion < req.version - window) {
        statuses.push('too_old');
        continue;
      }
      // A new epoch's resolver knows no writes from before its start: a transaction that read at an
      // earlier version cannot be checked, so it must retry (FoundationDB rejects it the same way).
      const bad = t.readRanges.length > 0 && t.readVersion < init.start ? true : conflicts(t, after(t));
      statuses.push(bad ? 'conflict' : 'ok');
      if (!bad) for (const w of t.writeRanges) written.write(w[0], w[1], req.version);
    }
    written.forgetBefore(req.version - window);
    return statuses;
  };

  const process = (req: ResolveRequest, reply: (s: ResolveStatus[]) => void): void => {
    if (req.version <= last) {
      // A retransmission: answer from memory if we still have it.
      const prior = done.get(req.version);
      if (prior) reply(prior);
      return;
    }
    if (req.prevVersion !== last) {
      waiting.set(req.prevVersion, () => process(req, reply));
      return;
    }
    const statuses = resolve(req);
    last = req.version;
    done.set(req.version, statuses);
    if (done.size > 1000) done.delete(done.keys().next().value as number);
    reply(statuses);
    const next = waiting.get(req.version);
    if (next) {
      waiting.delete(req.version);
      next();
    }
  };

  rt.world.rpc(proc).serve<ResolveRequest, ResolveStatus[]>(resolverEndpoint(init.id), (req, respond) =>
    process(req, (s) => {
      if (rt.buggify('resolver.slowReply', 0.02))
        proc.after(seconds(rt.world.random.uniform(0.01, 0.3)), () => respond.reply(s));
      else respond.reply(s);
    }),
  );
  return () => {
    proc.unlisten(resolverEndpoint(init.id));
    proc.removeRole(init.id);
    waiting.clear();
    done.clear();
  };
}
