// The GRV proxy role: serves read versions in batches. Before answering it confirms that its epoch is
// still live (no log of the epoch is locked), so a stale epoch never hands out a read version.
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import type { Responder } from '../sim/rpc.js';
import { endpointNames, type RoleRef } from './protocol.js';
import type { ClusterRuntime } from './runtime.js';
import { tlogEndpoints } from './tlog.js';

export const grvEndpoint = endpointNames((id) => `grv.get.${id}`);
export const masterEndpoints = endpointNames((id) => ({
  getVersion: `master.getVersion.${id}`,
  reportCommitted: `master.reportCommitted.${id}`,
  liveCommitted: `master.liveCommitted.${id}`,
}));

/** A read-version request: `lockAware` for transactions that may read while the database is locked. */
export interface GrvRequest {
  readonly lockAware?: boolean;
}

/** Starts a GRV proxy for an epoch. Returns its stop. */
export function startGrvProxy(
  rt: ClusterRuntime,
  proc: SimProcess,
  init: { id: string; master: RoleRef; logs: readonly RoleRef[]; lock?: string },
): () => void {
  const rpc = rt.world.rpc(proc);
  proc.addRole('GP', init.id);
  /** The requests of the next batch: their responders themselves (no closures per request). */
  let queue: Responder<number>[] = [];
  let scheduled = false;

  let stopped = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    if (stopped) return;
    const batch = queue;
    queue = [];
    const timeout = seconds(rt.knob('RPC_TIMEOUT'));
    try {
      const version = await rpc.request<number>(
        init.master.address,
        masterEndpoints(init.master.id).liveCommitted,
        {},
        timeout,
      );
      if (!rt.bug('grvSkipsEpochCheck')) {
        const live = await Promise.all(
          init.logs.map((l) => rpc.request<boolean>(l.address, tlogEndpoints(l.id).confirm, {}, timeout)),
        );
        if (!live.every(Boolean)) throw new Error('epoch ended');
      }
      if (rt.buggify('grv.delayReply', 0.01)) await proc.delay(seconds(rt.world.random.uniform(0.01, 0.2)));
      for (const b of batch) b.reply(version);
    } catch {
      for (const b of batch) b.fail('broken_promise', 1100);
    }
  };

  rpc.serve<GrvRequest, number>(grvEndpoint(init.id), (req, respond) => {
    // A locked database hands read versions only to lock-aware transactions (FoundationDB's GRV reply
    // carries the lock, and the client refuses a version it may not use).
    if (init.lock !== undefined && !req.lockAware) return respond.fail('database_locked', 1038);
    queue.push(respond);
    if (!scheduled) {
      scheduled = true;
      proc.after(seconds(rt.knob('GRV_BATCH_INTERVAL')), () => void flush());
    }
  });
  return () => {
    stopped = true;
    proc.unlisten(grvEndpoint(init.id));
    proc.removeRole(init.id);
    const waiting = queue;
    queue = [];
    for (const b of waiting) b.fail('broken_promise', 1100);
  };
}
