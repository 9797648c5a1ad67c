// The worker: what runs on every server process when it boots. It restarts the roles whose data is on
// its disk (coordinator, logs, storage servers), takes part in the leader election, heartbeats to the
// cluster controller, passes epoch changes to its roles, and starts roles the master recruits.
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import { startCommitProxy } from './commit-proxy.js';
import { type ControllerSettings, electionLoop } from './controller.js';
import { startCoordinator } from './coordinator.js';
import { startGrvProxy } from './grv-proxy.js';
import { type MasterLife, masterServedEndpoints, type RoleInit, runMaster } from './master.js';
import { type DbInfo, EP, type WorkerReport } from './protocol.js';
import { startResolver } from './resolver.js';
import type { ClusterRuntime } from './runtime.js';
import { createStorage, restartStorage, type StorageServer, storageHeaderName } from './storage.js';
import { createTLog, type HostedTLog, restartTLog } from './tlog.js';

/** How long a worker keeps telling the controller about a master that failed on it. */
const MASTER_FAILURE_REPORTS = seconds(5);

/** Boots the worker on a server process. */
export function bootWorker(rt: ClusterRuntime, proc: SimProcess, settings: ControllerSettings): void {
  const storage = new Map<string, StorageServer>();
  const tlogs = new Map<string, HostedTLog>();
  let cc: string | undefined;
  /** When the controller last answered a heartbeat. */
  let lastAnswer = Number.NEGATIVE_INFINITY;
  let info: DbInfo | undefined;
  /**
   * The epoch-scoped roles running here (master, resolvers, proxies), with the epoch each serves once
   * known and how to stop it. Like FoundationDB's, they end when a newer epoch is known: otherwise an
   * ended epoch's proxies would linger, and chaos that targets roles would hit them.
   */
  const epochRoles = new Map<string, { epoch: () => number | undefined; stop: () => void }>();
  /**
   * Commit proxies that failed here, with their epoch: told to the controller with every heartbeat until
   * a newer epoch is known. A one-shot message is lost when it fails while this worker knows no
   * controller (a partition from the coordinators) or on the way, and the controller watches processes,
   * not roles: the epoch would stall with a dead proxy.
   */
  const failedProxies = new Map<string, { epoch: number; reason: string }>();
  /**
   * Masters that ended here with an error, told to the controller with every heartbeat for a few seconds:
   * it watches processes, so without this a master that failed mid-recovery on a live process would
   * leave the cluster down until the recovery counts as stalled. (FoundationDB's controller sees the
   * master's interface break at once.) The controller ignores a report of a master it already replaced.
   */
  const failedMasters = new Map<string, { until: number; reason: string }>();
  const reportFailures = (): void => {
    for (const [id, f] of failedProxies) {
      if (info && info.epoch > f.epoch) failedProxies.delete(id);
      else if (cc)
        rpc.send(cc, EP.ccTriggerRecovery, { reason: `commit proxy failed: ${f.reason}`, proxy: id });
    }
    for (const [id, f] of failedMasters) {
      if (rt.world.now() > f.until) failedMasters.delete(id);
      else if (cc) rpc.send(cc, EP.ccTriggerRecovery, { reason: `master failed: ${f.reason}`, master: id });
    }
  };
  const rpc = rt.world.rpc(proc);
  proc.failureHandler = (e) => rt.processFailed(proc, e);
  rt.trace(
    'WorkerStart',
    { Address: proc.address, Class: proc.processClass, Incarnation: proc.incarnation },
    proc,
  );

  const learn = (next: DbInfo): void => {
    if (info && next.epoch < info.epoch) return;
    if (info && next.epoch === info.epoch && next.recoveryState === info.recoveryState) return;
    info = next;
    for (const ss of storage.values()) ss.setDbInfo(next);
    for (const [id, role] of epochRoles) {
      const epoch = role.epoch();
      if (epoch !== undefined && epoch < next.epoch) {
        epochRoles.delete(id);
        role.stop();
      }
    }
    // Storage servers no longer in the map (replaced while this process was away) are deleted, and so are
    // logs of older epochs: the new epoch's logs were seeded with everything they held.
    if (next.recoveryState === 'fully_recovered') {
      const current = new Set(next.logs.map((l) => l.id));
      for (const [id, log] of tlogs) {
        if (!current.has(id) && log.epoch <= next.epoch) {
          tlogs.delete(id);
          log.discard();
          rt.trace('TLogRemoved', { TLogID: id, Epoch: log.epoch, CurrentEpoch: next.epoch }, proc, 10, id);
        }
      }
      const known = new Set(next.storage.map((s) => s.id));
      for (const [id, ss] of storage) {
        if (!known.has(id) && ss.epoch < next.epoch) {
          storage.delete(id);
          ss.stop();
          proc.folder.files.delete(ss.file.name);
          proc.folder.files.delete(storageHeaderName(id));
          rt.trace(
            'StorageServerRemoved',
            { StorageID: id, Reason: 'no longer in the shard map' },
            proc,
            10,
            id,
          );
        }
      }
    }
  };

  const start = async (): Promise<void> => {
    // Every server can be made a coordinator by a coordinator change, so all serve the endpoints; only
    // listed ones hold state.
    await startCoordinator(rt, proc);
    for (const name of [...proc.folder.files.keys()].sort()) {
      if (name.startsWith('tlog-')) {
        const log = await restartTLog(rt, proc, name);
        if (log) {
          tlogs.set(log.id, log);
          began('tlog', log.id);
        }
      } else if (name.startsWith('storage-')) {
        const ss = await restartStorage(rt, proc, name);
        if (ss) {
          storage.set(ss.id, ss);
          began('storage', ss.id);
        }
      }
    }
    rpc.serve<RoleInit, boolean>(EP.workerInit, (init, respond) => {
      void startRole(init).then(
        () => respond.reply(true),
        (e: unknown) => {
          respond.fail('recruitment_failed', 1100);
          rt.processFailed(proc, e);
        },
      );
    });
    proc.spawn('election', () =>
      electionLoop(
        rt,
        proc,
        settings,
        (leader) => (cc = leader),
        () => cc !== undefined && rt.world.now() - lastAnswer <= 2 * seconds(rt.knob('HEARTBEAT_INTERVAL')),
      ),
    );
    proc.spawn('heartbeat', heartbeat);
  };

  // FoundationDB's Role events: a Begin when a role starts here, an End when this process goes down.
  const roleNames: Record<RoleInit['role'], string> = {
    master: 'MasterServer',
    tlog: 'TLog',
    storage: 'StorageServer',
    resolver: 'Resolver',
    grvProxy: 'GrvProxyServer',
    commitProxy: 'CommitProxyServer',
  };
  const roleEvent = (as: string, id: string, transition: 'Begin' | 'End') =>
    rt.trace('Role', { As: as, Transition: transition, RoleID: id }, proc, 10, id);
  /** Traces the Begin of a role; returns what traces its End (once: at its stop or when the process goes down). */
  const began = (role: RoleInit['role'], id: string): (() => void) => {
    roleEvent(roleNames[role], id, 'Begin');
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      roleEvent(roleNames[role], id, 'End');
    };
    proc.whenDown(end);
    return end;
  };
  /** Registers an epoch-scoped role, stopped (and its End traced) once a newer epoch is known. */
  const scoped = (id: string, epoch: () => number | undefined, stop: () => void, end: () => void): void => {
    epochRoles.set(id, {
      epoch,
      stop: () => {
        stop();
        end();
      },
    });
  };

  const startRole = async (init: RoleInit): Promise<void> => {
    const end = began(init.role, init.role === 'master' ? init.init.id : init.id);
    switch (init.role) {
      case 'master': {
        // The master runs on; the recruiter only needs to know it started.
        const id = init.init.id;
        const life: MasterLife = { epoch: undefined, stopped: false };
        scoped(
          id,
          () => life.epoch,
          () => {
            life.stopped = true;
            for (const ep of masterServedEndpoints(id)) proc.unlisten(ep);
            proc.removeRole(id);
          },
          end,
        );
        proc.spawn(`master ${id}`, async () => {
          try {
            await runMaster(rt, proc, init.init, life);
          } catch (e) {
            const reason = e instanceof Error ? e.message : String(e);
            rt.trace('MasterTerminated', { MasterID: init.init.id, Reason: reason }, proc, 20, init.init.id);
            proc.removeRole(id);
            epochRoles.delete(id);
            end();
            if (life.stopped) return; // ended on purpose (a newer epoch is known): nothing to report
            failedMasters.set(id, { until: rt.world.now() + MASTER_FAILURE_REPORTS, reason });
            reportFailures();
          }
        });
        return;
      }
      case 'tlog':
        tlogs.set(init.id, await createTLog(rt, proc, init));
        return;
      case 'storage': {
        const ss = await createStorage(
          rt,
          proc,
          init.fetch ? { id: init.id, shards: init.shards, fetch: init.fetch } : init,
        );
        storage.set(init.id, ss);
        if (info) ss.setDbInfo(info);
        return;
      }
      case 'resolver':
        scoped(init.id, () => init.epoch, startResolver(rt, proc, init), end);
        return;
      case 'grvProxy':
        scoped(init.id, () => init.epoch, startGrvProxy(rt, proc, init), end);
        return;
      case 'commitProxy': {
        const stop = startCommitProxy(rt, proc, {
          ...init,
          onFailure: (reason) => {
            failedProxies.set(init.id, { epoch: init.epoch, reason });
            reportFailures();
          },
        });
        scoped(init.id, () => init.epoch, stop, end);
        return;
      }
    }
  };

  /** True when one of this process's disk operations has waited longer than DISK_DEGRADED_TIMEOUT. */
  const diskDegraded = (): boolean => {
    const since = proc.oldestDiskOpSince();
    return since !== undefined && rt.world.now() - since > seconds(rt.knob('DISK_DEGRADED_TIMEOUT'));
  };

  const heartbeat = async (): Promise<void> => {
    for (;;) {
      if (cc && !rt.buggify('worker.skipHeartbeat', 0.02)) {
        const report: WorkerReport = {
          address: proc.address,
          processClass: proc.processClass,
          zoneId: proc.machine.locality.zoneId,
          machineId: proc.machine.locality.machineId,
          dcId: proc.machine.locality.dcId,
          storage: [...storage.keys()],
          fetching: [...storage.values()].filter((s) => !s.readable).map((s) => s.id),
          tlogs: [...tlogs.keys()],
          ...(diskDegraded() ? { degraded: true } : {}),
        };
        try {
          learn(await rpc.request<DbInfo>(cc, EP.ccRegister, report, seconds(rt.knob('RPC_TIMEOUT'))));
          lastAnswer = rt.world.now();
        } catch {
          // The controller may have moved; the election loop will find the new one.
        }
      }
      reportFailures();
      await proc.delay(seconds(rt.knob('HEARTBEAT_INTERVAL')));
    }
  };

  proc.spawn('worker boot', start);
}
