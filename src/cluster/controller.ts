// The cluster controller: elected through the coordinators' leader register; tracks workers by
// heartbeat, starts recoveries when a transaction-system role fails or on request, asks for storage
// repairs (simple data distribution), and tells workers and clients where everything is.
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import type { LeaderInfo } from './coordinator.js';
import { leaversReady, type MoveRequest } from './data-movement.js';
import type { MasterInit } from './master.js';
import {
  type DbConfig,
  type DbInfo,
  EP,
  type LockRequest,
  nextLockState,
  type WorkerReport,
} from './protocol.js';
import type { ClusterRuntime } from './runtime.js';

/** An empty DbInfo, before the first recovery. */
export const NO_DB_INFO: DbInfo = {
  epoch: 0,
  recoveryVersion: 0,
  epochStarts: [],
  recoveryState: 'reading_coordinated_state',
  master: undefined,
  grvProxies: [],
  commitProxies: [],
  resolvers: [],
  logs: [],
  storage: [],
  shards: [],
  config: undefined,
};

/** What the controller needs to create or reconfigure the database. */
export interface ControllerSettings {
  readonly initialConfig: DbConfig;
  readonly shardCount: number;
}

/**
 * Runs the leader election on a worker; while this worker leads, runs the cluster controller.
 *
 * A follower asks the coordinators who leads every HEARTBEAT_INTERVAL while it knows no controller or its
 * controller does not answer (`controllerAnswers`), and only every LEADER_POLL_INTERVAL while it does:
 * FoundationDB's workers long-poll the coordinators for a change of leader rather than ask at all, and
 * asking every quarter second was a sixth of a run's requests. A deposed controller stops serving, so its
 * followers' heartbeats fail and they ask often again. The leader renews its lease every interval.
 */
export async function electionLoop(
  rt: ClusterRuntime,
  proc: SimProcess,
  settings: ControllerSettings,
  onLeader: (address: string | undefined) => void,
  controllerAnswers: () => boolean,
): Promise<void> {
  const rpc = rt.world.rpc(proc);
  const rnd = rt.world.random.fork(`election:${proc.address}:${proc.incarnation}`);
  const timeout = seconds(0.5);
  let ballot = 0;
  let controller: Controller | undefined;
  let lastAsked = Number.NEGATIVE_INFINITY;
  await proc.delay(seconds(rnd.uniform(0, 0.5)));
  for (;;) {
    const now = rt.world.now();
    if (!controller && controllerAnswers() && now - lastAsked < seconds(rt.knob('LEADER_POLL_INTERVAL'))) {
      await proc.delay(seconds(rt.knob('HEARTBEAT_INTERVAL')));
      continue;
    }
    lastAsked = now;
    const coords = rt.coordinatorsOf(proc);
    const quorum = Math.floor(coords.length / 2) + 1;
    const replies = await Promise.all(
      coords.map((c) =>
        rpc
          .request<{ leader: LeaderInfo | null; forward: string[] | null }>(
            c,
            controller ? EP.coordCandidacy : EP.coordGetLeader,
            { address: proc.address, ballot },
            timeout,
          )
          .catch(() => undefined),
      ),
    );
    const forward = replies.find((r) => r?.forward)?.forward;
    if (forward) rt.setCoordinatorsOf(proc, forward);
    const counts = new Map<string, number>();
    for (const r of replies)
      if (r?.leader) counts.set(r.leader.address, (counts.get(r.leader.address) ?? 0) + 1);
    let leader: string | undefined;
    for (const [a, n] of counts) if (n >= quorum) leader = a;
    if (controller && leader !== proc.address) {
      controller.stop('lost leadership');
      controller = undefined;
    }
    if (!leader && !controller) {
      // Nobody leads: stand as a candidate after a random pause so that candidates rarely collide.
      await proc.delay(seconds(rnd.uniform(0, 0.3)));
      ballot++;
      const votes = await Promise.all(
        coords.map((c) =>
          rpc
            .request<{ leader: LeaderInfo | null }>(
              c,
              EP.coordCandidacy,
              { address: proc.address, ballot },
              timeout,
            )
            .catch(() => undefined),
        ),
      );
      if (votes.filter((v) => v?.leader?.address === proc.address).length >= quorum) {
        leader = proc.address;
        rt.trace('LeaderChanged', { NewLeader: proc.address, Ballot: ballot }, proc);
        controller = new Controller(rt, proc, settings);
        controller.start();
      } else if (votes.some((v) => v?.leader && v.leader.address < proc.address)) {
        // Split vote: the candidate with the higher address stands down for longer than a lease, so its
        // votes expire and the lower one gathers a majority. Without this, two candidates can each keep
        // renewing their own minority forever.
        await proc.delay(seconds(rt.knob('LEADER_LEASE') * rnd.uniform(1.2, 1.8)));
      }
    }
    onLeader(leader);
    await proc.delay(seconds(rt.knob('HEARTBEAT_INTERVAL')));
  }
}

interface WorkerEntry {
  report: WorkerReport;
  lastSeen: number;
}

/** The cluster controller's state while this process leads. */
class Controller {
  private readonly workers = new Map<string, WorkerEntry>();
  private dbInfo: DbInfo = NO_DB_INFO;
  private masterAddress: string | undefined;
  private masterId: string | undefined;
  private lastProgressAt = 0;
  private stopped = false;
  private readonly missingSince = new Map<string, number>();
  private lastRepairAt = -1e18;
  private lastMoveDoneAt = -1e18;
  private pendingConfig: DbConfig | undefined;
  private pendingLock: LockRequest | undefined;
  /** Key ranges to move (moveKeys), kept until a recovery completes with them. */
  private pendingMoves: MoveRequest[] = [];
  private pendingCoordinators: string[] | undefined;
  /** Storage servers a repair asked to replace, kept until a recovery completes with them. */
  private pendingReplace: string[] = [];
  private workersGraceUntil = 0;
  /**
   * Why a recovery is owed that could not start: no healthy worker could host a master at that moment
   * (every heartbeat looked late, as after a jump of this process's clock). The monitor retries it, so a
   * lock, configuration change or move asked for then is not forgotten.
   */
  private owedRecovery: string | undefined;
  private readonly rnd;

  constructor(
    readonly rt: ClusterRuntime,
    readonly proc: SimProcess,
    readonly settings: ControllerSettings,
  ) {
    // Unique per leadership term: a re-elected controller must not hand out the ids of its previous term.
    this.rnd = rt.world.random.fork(`cc:${proc.address}:${proc.incarnation}:${rt.world.now()}`);
  }

  start(): void {
    const rpc = this.rt.world.rpc(this.proc);
    this.proc.addRole('CC');
    rpc.serve<WorkerReport, DbInfo>(EP.ccRegister, (report, respond) => {
      if (this.stopped) return respond.fail('not_leader', 1100);
      this.workers.set(report.address, { report, lastSeen: this.proc.localTime() });
      respond.reply(this.dbInfo);
    });
    rpc.serve<Record<string, never>, DbInfo>(EP.ccClientInfo, (_req, respond) => {
      if (this.stopped) return respond.fail('not_leader', 1100);
      respond.reply(this.dbInfo);
    });
    rpc.serve<Record<string, never>, WorkerReport[]>(EP.ccWorkers, (_req, respond) =>
      respond.reply(this.liveWorkers()),
    );
    rpc.on<DbInfo>(EP.ccRecovered, (info) => {
      if (this.stopped || info.master?.id !== this.masterId) return;
      if (info.epoch < this.dbInfo.epoch) return;
      this.dbInfo = info;
      if (info.recoveryState === 'fully_recovered') {
        this.pendingConfig = undefined;
        this.pendingLock = undefined;
        this.pendingMoves = [];
        this.pendingCoordinators = undefined;
        this.pendingReplace = [];
      }
      this.lastProgressAt = this.rt.world.now();
    });
    rpc.serve<{ master: string; state: string }, { current: boolean }>(EP.ccRecoveryState, (m, respond) => {
      const current = !this.stopped && m.master === this.masterId;
      if (current) this.lastProgressAt = this.rt.world.now();
      respond.reply({ current });
    });
    rpc.on<{ coordinators: string[] }>(EP.ccChangeCoordinators, (m) => {
      if (this.stopped || this.pendingCoordinators?.join() === m.coordinators.join()) return;
      this.pendingCoordinators = m.coordinators;
      this.recruitMaster('coordinators change');
    });
    rpc.on<LockRequest>(EP.ccLock, (m) => this.requestLock(m));
    rpc.on<MoveRequest>(EP.ccMoveKeys, (m) => {
      if (this.stopped) return;
      const same = (x: MoveRequest) =>
        x.begin === m.begin && x.end === m.end && x.destination.join() === m.destination.join();
      if (this.pendingMoves.some(same)) return;
      this.pendingMoves.push(m);
      this.recruitMaster('move keys');
    });
    rpc.on<{ reason: string; config?: DbConfig; proxy?: string; master?: string }>(
      EP.ccTriggerRecovery,
      (m) => {
        if (this.stopped) return;
        // A failed master matters only while it is the one this controller recruited last.
        if (m.master !== undefined) {
          if (m.master === this.masterId) this.recruitMaster(m.reason);
          return;
        }
        // A proxy of an epoch that already ended reports the lock that ended it: nothing to do.
        if (m.proxy !== undefined && !this.dbInfo.commitProxies.some((p) => p.id === m.proxy)) return;
        // A recovery already under way ends the epoch anyway (its lock is what makes old proxies fail).
        if (!m.config && this.recovering()) return;
        if (m.config) {
          // A repeated request for the change already under way does not restart the recovery.
          if (JSON.stringify(this.pendingConfig) === JSON.stringify(m.config)) return;
          this.pendingConfig = m.config;
        }
        this.recruitMaster(m.reason);
      },
    );
    this.proc.spawn('cluster controller', () => this.monitor());
  }

  /**
   * A database lock or unlock goes through a recovery, like a configuration change: the epoch that ends
   * commits nothing more, and the next one refuses non-lock-aware transactions from its first version.
   */
  private requestLock(m: LockRequest): void {
    if (this.stopped) return;
    const current = this.dbInfo.lock;
    if (nextLockState(current, m) === current) return; // already in force, or refused (another id)
    if (this.pendingLock?.op === m.op && this.pendingLock.id === m.id) return;
    this.pendingLock = m;
    this.recruitMaster(m.op === 'lock' ? 'database lock' : 'database unlock');
  }

  stop(reason: string): void {
    this.stopped = true;
    this.proc.removeRole('CC');
    this.rt.trace('ClusterControllerStopped', { Reason: reason }, this.proc, 10);
  }

  /** Workers heard from within the failure timeout, measured on this process's own clock (skew applies). */
  private liveWorkers(): WorkerReport[] {
    const now = this.proc.localTime();
    const limit = seconds(this.rt.knob('FAILURE_TIMEOUT')) + (now < this.workersGraceUntil ? seconds(5) : 0);
    return [...this.workers.values()].filter((w) => now - w.lastSeen <= limit).map((w) => w.report);
  }

  private alive(address: string): boolean {
    const w = this.workers.get(address);
    return w !== undefined && this.proc.localTime() - w.lastSeen <= seconds(this.rt.knob('FAILURE_TIMEOUT'));
  }

  /** Live workers whose disks answer: where roles may be recruited and storage counts as present. */
  private healthyWorkers(): WorkerReport[] {
    return this.liveWorkers().filter((w) => w.degraded !== true);
  }

  /** Alive and its disk answering: a transaction role elsewhere (or on a stuck disk) needs a recovery. */
  private healthy(address: string): boolean {
    return this.alive(address) && this.workers.get(address)?.report.degraded !== true;
  }

  /** True while the current master has not finished its recovery. */
  private recovering(): boolean {
    return this.dbInfo.recoveryState !== 'fully_recovered' || this.dbInfo.master?.id !== this.masterId;
  }

  private recruitMaster(reason: string, replaceStorage: string[] = []): void {
    for (const id of replaceStorage) if (!this.pendingReplace.includes(id)) this.pendingReplace.push(id);
    if (this.rt.buggify('cc.recruitOnStaleWorkers', 0.05)) {
      // Recruit from a worker list that may include just-failed workers: recruitment must cope.
      this.workersGraceUntil = this.rt.world.now() + seconds(2);
    }
    const live = this.healthyWorkers().filter((w) => w.processClass !== 'test');
    if (live.length === 0) {
      this.owedRecovery = reason;
      return;
    }
    this.owedRecovery = undefined;
    const prefer = live.filter((w) => w.processClass === 'stateless' || w.processClass === 'unset');
    const host = this.rnd.pick(prefer.length > 0 ? prefer : live);
    const id = this.rnd.uid();
    this.masterAddress = host.address;
    this.masterId = id;
    this.lastProgressAt = this.rt.world.now();
    this.dbInfo = { ...this.dbInfo, recoveryState: 'reading_coordinated_state' };
    const init: MasterInit = {
      id,
      cc: this.proc.address,
      replaceStorage: [...this.pendingReplace],
      ...(this.pendingConfig ? { newConfig: this.pendingConfig } : {}),
      ...(this.pendingLock ? { lockRequest: this.pendingLock } : {}),
      ...(this.pendingMoves.length > 0 ? { moves: [...this.pendingMoves] } : {}),
      ...(this.pendingCoordinators ? { newCoordinators: this.pendingCoordinators } : {}),
      initialConfig: this.settings.initialConfig,
      shardCount: this.settings.shardCount,
    };
    // Kept until a recovery completes with them: a failed attempt's successor must carry them on.
    this.rt.trace(
      'ClusterControllerRecruitMaster',
      { Reason: reason, Master: host.address, MasterID: id },
      this.proc,
    );
    void this.rt.world
      .rpc(this.proc)
      .request(host.address, EP.workerInit, { role: 'master', init }, seconds(this.rt.knob('RPC_TIMEOUT')))
      .catch(() => undefined);
  }

  /** Watches the transaction system and storage; starts recoveries and repairs. */
  private async monitor(): Promise<void> {
    // Give workers a moment to register before the first recovery.
    await this.proc.delay(seconds(this.rt.knob('HEARTBEAT_INTERVAL') * 2));
    this.recruitMaster('cluster controller elected');
    while (!this.stopped) {
      await this.proc.delay(seconds(this.rt.knob('HEARTBEAT_INTERVAL')));
      if (this.stopped) return;
      const now = this.rt.world.now();
      const info = this.dbInfo;
      if (this.owedRecovery !== undefined) {
        this.recruitMaster(this.owedRecovery);
        continue;
      }
      if (info.recoveryState === 'fully_recovered' && this.rt.buggify('cc.spuriousRecovery', 0.002)) {
        this.recruitMaster('spurious recovery (BUGGIFY)');
        continue;
      }
      if (this.recovering()) {
        const stalled = now - this.lastProgressAt > seconds(10);
        if (!this.masterAddress || !this.alive(this.masterAddress) || stalled) {
          this.recruitMaster(stalled ? 'recovery stalled' : 'master failed');
        }
        continue;
      }
      const tx = [info.master, ...info.grvProxies, ...info.commitProxies, ...info.resolvers, ...info.logs];
      const failed = tx.find((r) => r && !this.healthy(r.address));
      if (failed) {
        this.recruitMaster(`transaction role at ${failed.address} failed`);
        continue;
      }
      // Data distribution: storage servers that stay missing are replaced (through a recovery).
      const reported = new Map<string, string>();
      for (const w of this.healthyWorkers()) for (const s of w.storage) reported.set(s, w.address);
      const moved = info.storage.find((s) => reported.has(s.id) && reported.get(s.id) !== s.address);
      if (moved && now - this.lastRepairAt > seconds(5)) {
        // Its data folder came back on another machine: the map must follow it.
        this.lastRepairAt = now;
        this.recruitMaster(`storage server ${moved.id} moved to ${reported.get(moved.id)}`);
        continue;
      }
      const lost: string[] = [];
      for (const s of info.storage) {
        if (reported.has(s.id)) {
          this.missingSince.delete(s.id);
          continue;
        }
        const since = this.missingSince.get(s.id) ?? now;
        this.missingSince.set(s.id, since);
        if (now - since >= seconds(this.rt.knob('STORAGE_REPLACE_DELAY'))) lost.push(s.id);
      }
      const replication = info.config?.replication ?? 1;
      // A lost server is worth a recovery when a team needs a replacement for it, when a team has enough
      // complete replicas without it for it to leave (see planRepairs), or when it serves no shard and
      // only has to leave the map. While its replacement fetches, there is nothing to do but wait.
      const fetching = new Set(this.healthyWorkers().flatMap((w) => w.fetching));
      const lostSet = new Set(lost);
      const actionable = lost.filter((id) => {
        const teams = info.shards.filter((sh) => sh.team.includes(id)).map((sh) => sh.team);
        return (
          teams.length === 0 ||
          teams.some(
            (team) =>
              team.filter((m) => !lostSet.has(m)).length < replication ||
              team.filter((m) => reported.has(m) && !fetching.has(m)).length >= replication,
          )
        );
      });
      const short = info.shards.some((s) => s.team.length < replication);
      if (short && actionable.length === 0 && now - this.lastRepairAt > seconds(10)) {
        // A shard stayed short after an earlier repair found no host: try again now that zones may be back.
        this.lastRepairAt = now;
        this.rt.trace(
          'DataDistributionRepair',
          { Storage: '', Reason: 'shard short of replicas' },
          this.proc,
        );
        this.recruitMaster('shard short of replicas');
        continue;
      }
      if (actionable.length > 0 && now - this.lastRepairAt > seconds(5)) {
        this.lastRepairAt = now;
        for (const id of actionable) this.missingSince.delete(id);
        this.rt.trace('DataDistributionRepair', { Storage: actionable.join(',') }, this.proc);
        this.recruitMaster('storage servers lost', actionable);
        continue;
      }
      if (
        now - this.lastMoveDoneAt > seconds(1) &&
        leaversReady(this.liveWorkers(), info.shards, replication)
      ) {
        this.lastMoveDoneAt = now;
        // Moved shards whose new members hold complete copies: their old members leave the team.
        this.recruitMaster('data movement done');
      }
    }
  }
}
