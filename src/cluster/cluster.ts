// The simulated cluster: builds the topology of a configuration into the world (machines, processes,
// coordinators, testers, cluster files), boots workers, gives testers database clients, answers the
// kill-safety question, and runs quiescence waits and the consistency check.
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import { RpcError } from '../sim/rpc.js';
import type { World } from '../sim/world.js';
import { ClusterClient } from './client.js';
import type { ClusterConfig } from './config.js';
import { configString } from './config.js';
import type { ControllerSettings } from './controller.js';
import { stayingMembers } from './data-movement.js';
import { grvEndpoint } from './grv-proxy.js';
import type { BKey } from './keys.js';
import { type CoordinatedState, type DbConfig, type DbInfo, EP } from './protocol.js';
import { ClusterRuntime } from './runtime.js';
import {
  type RangeReply,
  type StorageStatus,
  storageEndpoints,
  storageFileName,
  storageHeaderName,
} from './storage.js';
import { tlogFileName } from './tlog.js';
import { bootWorker } from './worker.js';

/** What the consistency check found. */
export interface ConsistencyReport {
  readonly ok: boolean;
  /** The read version of the last shard compared (each shard is compared at its own version). */
  readonly version: number;
  readonly shardsChecked: number;
  readonly problems: readonly string[];
}

/** A simulated cluster in a world. */
export class SimulatedCluster {
  readonly rt: ClusterRuntime;
  readonly servers: SimProcess[] = [];
  readonly testers: SimProcess[] = [];
  readonly coordinators: string[] = [];
  private readonly clients = new Map<SimProcess, ClusterClient>();
  private readonly settings: ControllerSettings;

  constructor(
    readonly world: World,
    readonly config: ClusterConfig,
  ) {
    this.rt = new ClusterRuntime(world, config.plantedBug);
    this.settings = { initialConfig: config.db, shardCount: world.knobs.num('SHARD_COUNT') };
  }

  /** Creates machines and testers, picks coordinators, and boots everything. */
  start(): void {
    const w = this.world;
    const rnd = w.random.fork('topology');
    const mixedClasses = this.config.machineCount >= 5 && rnd.chance(0.3);
    for (let m = 0; m < this.config.machineCount; m++) {
      const dc = m % this.config.datacenters;
      const cls = mixedClasses
        ? rnd.pick(['unset', 'unset', 'storage', 'transaction', 'stateless'] as const)
        : 'unset';
      const machine = w.addMachine(
        { dcId: String(dc), dataHall: String(dc), zoneId: rnd.uid(), machineId: rnd.uid() },
        `2.${dc}.1.${m + 1}`,
        this.config.processesPerMachine,
        cls,
      );
      this.servers.push(...machine.processes);
    }
    for (let t = 0; t < this.config.testerCount; t++) {
      const machine = w.addMachine(
        { dcId: '0', dataHall: '0', zoneId: `tester-${t}`, machineId: `tester-${t}` },
        `3.4.3.${t + 1}`,
        1,
        'test',
      );
      this.testers.push(...machine.processes);
    }
    // Coordinators on distinct machines; a random majority of them is protected from destructive kills.
    const machines = rnd.shuffle(w.machines.filter((m) => m.processes[0]?.processClass !== 'test'));
    for (const m of machines.slice(0, this.config.coordinators))
      this.coordinators.push(m.processes[0]!.address);
    this.coordinators.sort();
    const majority = Math.floor(this.coordinators.length / 2) + 1;
    for (const a of rnd.shuffle(this.coordinators).slice(0, majority)) {
      w.lifecycle.protectedAddresses.add(a);
      this.rt.trace('ProtectCoordinator', { Address: a });
    }
    // Every coordinator keeps its data through reboots (see Lifecycle.keepDataAddresses).
    for (const a of this.coordinators) w.lifecycle.keepDataAddresses.add(a);
    for (const m of w.machines) this.rt.clusterFiles.set(m.locality.machineId, [...this.coordinators]);
    w.lifecycle.canSurvive = (dead) => this.canSurvive(dead);
    w.lifecycle.canCorrupt = (proc, dead) => this.canCorrupt(proc, dead);
    this.rt.onCoordinatorsChanged = (next) => this.coordinatorsMoved(next);
    w.onBoot = (proc) => {
      if (proc.processClass !== 'test') bootWorker(this.rt, proc, this.settings);
    };
    this.rt.trace('SimulatorConfig', {
      ConfigString: configString(this.config),
      Drawn: this.config.drawn.join(','),
    });
    this.rt.trace('SimulatedConnectionString', { Coordinators: this.coordinators.join(',') });
    for (const p of [...this.servers, ...this.testers]) w.boot(p);
    this.rt.trace('SimulatedClusterStarted', {
      DataCenters: this.config.datacenters,
      ServerMachineCount: this.config.machineCount,
      ProcessesPerServer: this.config.processesPerMachine,
      Testers: this.config.testerCount,
      ClassesAssigned: mixedClasses ? 1 : 0,
      StartingConfiguration: configString(this.config),
    });
  }

  /** A master moved the cluster: protect a majority of the new coordinators instead of the old. */
  private coordinatorsMoved(next: readonly string[]): void {
    const rnd = this.world.random.fork(`protect:${next.join(',')}`);
    for (const a of this.coordinators) {
      this.world.lifecycle.protectedAddresses.delete(a);
      this.world.lifecycle.keepDataAddresses.delete(a);
    }
    this.coordinators.length = 0;
    this.coordinators.push(...[...next].sort());
    for (const a of this.coordinators) this.world.lifecycle.keepDataAddresses.add(a);
    for (const a of rnd.shuffle(this.coordinators).slice(0, Math.floor(this.coordinators.length / 2) + 1)) {
      this.world.lifecycle.protectedAddresses.add(a);
      this.rt.trace('ProtectCoordinator', { Address: a });
    }
  }

  /** Asks the cluster controller (found through tester `tester`'s coordinators) to start a recovery. */
  async triggerRecovery(reason: string, tester = 0): Promise<void> {
    const client = this.client(tester);
    const rpc = this.world.rpc(client.proc);
    for (const cc of await client.leaders()) rpc.send(cc, EP.ccTriggerRecovery, { reason });
  }

  /** Changes the database configuration through a recovery; resolves once it is in force (or after 60 s). */
  async changeConfiguration(change: Partial<DbConfig>, tester = 0): Promise<boolean> {
    const client = this.client(tester);
    const rpc = this.world.rpc(client.proc);
    const current = (await client.clusterInfo(true)).config ?? this.config.db;
    const next: DbConfig = { ...current, ...change };
    this.rt.trace('ChangeConfig', { From: JSON.stringify(current), To: JSON.stringify(next) }, client.proc);
    const deadline = this.world.now() + seconds(60);
    while (this.world.now() < deadline) {
      for (const cc of await client.leaders())
        rpc.send(cc, EP.ccTriggerRecovery, { reason: 'configuration change', config: next });
      await client.proc.delay(seconds(2));
      const info = await client.clusterInfo(true);
      if (info.recoveryState === 'fully_recovered' && JSON.stringify(info.config) === JSON.stringify(next))
        return true;
    }
    return false;
  }

  /**
   * Moves [begin, end) to storage on the processes at `destination` (FoundationDB's moveKeys, through a
   * recovery): resolves true once every piece of the range is held by storage servers on exactly those
   * processes with complete copies and its old members have left, false if not within 60 s.
   */
  async moveKeys(begin: BKey, end: BKey, destination: readonly string[], tester = 0): Promise<boolean> {
    const client = this.client(tester);
    const rpc = this.world.rpc(client.proc);
    const want = [...destination].sort().join();
    this.rt.trace(
      'RelocateShard_Begin',
      { KeyBegin: printable(begin), KeyEnd: printable(end), DestinationTeam: want },
      client.proc,
    );
    const pieces = (info: DbInfo) => info.shards.filter((sh) => sh.begin < end && begin < sh.end);
    /** The map gives every piece the destination (its old members may still be leaving). */
    const applied = (info: DbInfo): boolean =>
      pieces(info).every((sh) => {
        const at = stayingMembers(sh).map((id) => info.storage.find((s) => s.id === id)?.address ?? '');
        return at.sort().join() === want;
      });
    /** Applied, the new members hold complete copies, and the old ones have left. */
    const moved = (info: DbInfo): boolean =>
      applied(info) &&
      pieces(info).every(
        (sh) => (sh.leaving ?? []).length === 0 && !sh.team.some((id) => this.rt.fetchingStorage.has(id)),
      );
    const deadline = this.world.now() + seconds(60);
    let lastAsk = -1e18;
    while (this.world.now() < deadline) {
      const info = await client.clusterInfo(true);
      if (moved(info)) {
        this.rt.trace(
          'RelocateShard_End',
          { KeyBegin: printable(begin), KeyEnd: printable(end), Result: 'Success' },
          client.proc,
        );
        return true;
      }
      // Asked again only when the move is not in the map after a while (the controller may have died).
      if (!applied(info) && this.world.now() - lastAsk >= seconds(5)) {
        lastAsk = this.world.now();
        for (const cc of await client.leaders()) rpc.send(cc, EP.ccMoveKeys, { begin, end, destination });
      }
      await client.proc.delay(seconds(0.1));
    }
    this.rt.trace(
      'RelocateShard_End',
      { KeyBegin: printable(begin), KeyEnd: printable(end), Result: 'TimedOut' },
      client.proc,
      30,
    );
    return false;
  }

  /** The configured number of replicas of each shard (FoundationDB's storageTeamSize). */
  async storageTeamSize(tester = 0): Promise<number> {
    return (await this.client(tester).clusterInfo(true)).config?.replication ?? this.config.db.replication;
  }

  /**
   * Moves the cluster to new coordinators (`'auto'`: as many as now, on distinct live machines chosen from
   * the seed). Resolves with the new set once the tester's cluster file follows it.
   */
  async changeCoordinators(target: readonly string[] | 'auto', tester = 0): Promise<string[]> {
    const client = this.client(tester);
    const rpc = this.world.rpc(client.proc);
    let next: string[];
    if (target === 'auto') {
      const rnd = this.world.random.fork(`autoCoordinators:${this.world.now()}`);
      const machines = rnd.shuffle(
        this.world.machines.filter((m) =>
          m.processes.every((p) => p.processClass !== 'test' && p.alive && !p.failed),
        ),
      );
      next = machines.slice(0, this.coordinators.length).map((m) => m.processes[0]!.address);
      this.rt.trace('AutoSelectCoordinators', { New: [...next].sort().join(',') }, client.proc);
    } else next = [...target];
    next.sort();
    const deadline = this.world.now() + seconds(60);
    while (this.world.now() < deadline) {
      for (const cc of await client.leaders()) rpc.send(cc, EP.ccChangeCoordinators, { coordinators: next });
      await client.proc.delay(seconds(2));
      await client.leaders();
      if (this.rt.coordinatorsOf(client.proc).join() === next.join()) return next;
    }
    return [...this.rt.coordinatorsOf(client.proc)];
  }

  /** The database client of tester `i`. */
  client(i: number): ClusterClient {
    const proc = this.testers[i % this.testers.length]!;
    let c = this.clients.get(proc);
    if (!c) {
      c = new ClusterClient(this.rt, proc);
      this.clients.set(proc, c);
    }
    return c;
  }

  /**
   * Could the cluster survive if `dead` lost their data? Every shard must keep a replica holding its data,
   * and the current epoch must keep a log holding its data (every log holds every acknowledged version).
   */
  canSurvive(dead: readonly SimProcess[]): { ok: boolean; reason: string } {
    const state = this.rt.observedState;
    if (!state) return { ok: false, reason: 'database not created yet' };
    const gone = new Set(dead.map((p) => p.address));
    const holds = this.holder(gone);
    // While a recovery writes its coordinated state, either epoch may be the one the cluster runs on
    // (the new one as soon as a quorum holds it): both must keep a log and a copy of every shard.
    for (const s of this.rt.statesInForce()) {
      if (!s.logs.some((l) => holds(l.address, tlogFileName(l.id)))) {
        const which = s === state ? 'the current epoch' : `epoch ${s.epoch}, being recovered,`;
        return { ok: false, reason: `would lose every transaction log of ${which}` };
      }
    }
    const lostShard = this.shardWithoutCopy(holds);
    if (lostShard) return { ok: false, reason: lostShard };
    // Enough zones must stay alive to hold every shard at full replication again (FoundationDB's
    // "not enough would be left" rule), so that repairs can always complete.
    const liveZones = new Set(
      this.servers.filter((p) => !p.failed && !gone.has(p.address)).map((p) => p.machine.locality.zoneId),
    );
    if (liveZones.size < state.config.replication) {
      return {
        ok: false,
        reason: `would leave ${liveZones.size} zones for replication ${state.config.replication}`,
      };
    }
    const coordsLeft = this.coordinators.filter((a) => {
      const p = this.world.process(a);
      return p !== undefined && !p.failed && !gone.has(a);
    }).length;
    if (coordsLeft <= this.coordinators.length / 2)
      return { ok: false, reason: 'would lose a majority of coordinators' };
    return { ok: true, reason: '' };
  }

  /** Could the storage files of `proc` be damaged (and so discarded) with `dead` gone, keeping every shard? */
  canCorrupt(proc: SimProcess, dead: readonly SimProcess[]): { ok: boolean; reason: string } {
    if (!this.rt.observedState) return { ok: false, reason: 'database not created yet' };
    const holds = this.holder(new Set([...dead.map((p) => p.address), proc.address]));
    const lostShard = this.shardWithoutCopy(holds);
    return lostShard ? { ok: false, reason: lostShard } : { ok: true, reason: '' };
  }

  /**
   * Whether a live process outside `gone` holds a good copy of a file. A file with a flipped bit is no
   * copy at all: its owner discards it on restart (a reboot, even one the policy chose as the safe
   * downgrade, loses it). `companion` need not exist, but must be intact if it does (a storage header).
   */
  private holder(gone: ReadonlySet<string>): (address: string, file: string, companion?: string) => boolean {
    return (address, file, companion) => {
      const p = this.world.process(address);
      if (p === undefined || p.failed || gone.has(address)) return false;
      const f = p.folder.files.get(file);
      const c = companion === undefined ? undefined : p.folder.files.get(companion);
      return f !== undefined && f.flipped.size === 0 && (c === undefined || c.flipped.size === 0);
    };
  }

  /** Why some shard would have no good copy left under `holds`, or undefined when every shard keeps one. */
  private shardWithoutCopy(holds: ReturnType<SimulatedCluster['holder']>): string | undefined {
    for (const state of this.rt.statesInForce()) {
      const lost = this.shardWithoutCopyIn(state, holds);
      if (lost) return lost;
    }
    return undefined;
  }

  private shardWithoutCopyIn(
    state: CoordinatedState,
    holds: ReturnType<SimulatedCluster['holder']>,
  ): string | undefined {
    const byId = new Map(state.storage.map((s) => [s.id, s]));
    for (const sh of state.shards) {
      const alive = sh.team.filter((id) => {
        const s = byId.get(id);
        return (
          s !== undefined &&
          !this.rt.fetchingStorage.has(id) &&
          holds(s.address, storageFileName(id), storageHeaderName(id))
        );
      });
      if (alive.length === 0) return `would lose every replica of a shard (team ${sh.team.join(',')})`;
    }
    return undefined;
  }

  /**
   * What in the cluster is not making progress, for a run that did not finish: the recovery step a
   * master is stuck in and what it waits for, a missing cluster controller, shards without a good copy,
   * and replicas still fetching. Each entry names the role or state and what it waits on. Read from the
   * simulator's own view (like the kill-safety policy); empty when the cluster looks healthy.
   */
  livenessReport(): { name: string; waitingOn: string }[] {
    const out: { name: string; waitingOn: string }[] = [];
    const now = this.world.now();
    const live = this.servers.filter((p) => p.alive);
    if (!live.some((p) => p.roles.has('CC'))) {
      const reachable = this.coordinators.filter((a) => this.world.process(a)?.alive).length;
      out.push({
        name: 'cluster controller',
        waitingOn: `none elected (${reachable} of ${this.coordinators.length} coordinators running)`,
      });
    }
    const r = this.rt.recovery;
    if (r && r.state !== 'fully_recovered') {
      const master = this.world.process(r.master);
      const where = master?.alive ? r.master : `${r.master}, which is down`;
      const wait = r.waitingFor ? `; waiting for ${r.waitingFor}` : '';
      out.push({
        name: `recovery of epoch ${r.epoch}`,
        waitingOn: `${r.state} for ${((now - r.since) / 1e6).toFixed(1)} s on master ${where}${wait}`,
      });
    }
    const lost = this.shardWithoutCopy(this.holder(new Set()));
    if (lost) out.push({ name: 'data distribution', waitingOn: lost.replace(/^would lose/, 'lost') });
    for (const id of [...this.rt.fetchingStorage].sort())
      out.push({ name: `storage server ${id}`, waitingOn: 'fetching its shards from a replica' });
    return out;
  }

  /**
   * Waits until the database is quiet: recovered, every shard fully replicated on readable servers, and
   * every replica caught up to a read version taken once the epoch is fully recovered (a new one after each
   * recovery). Returns false when `timeoutSeconds` pass first.
   */
  async waitForQuiescence(
    tester: number,
    timeoutSeconds: number,
  ): Promise<{ quiet: boolean; waitingOn: string }> {
    const client = this.client(tester);
    const rpc = this.world.rpc(client.proc);
    const deadline = this.world.now() + seconds(timeoutSeconds);
    let waitingOn = 'recovery';
    // The version every replica must reach, kept across polls within one epoch: storage servers pull
    // every TLOG_PEEK_INTERVAL while versions advance continuously, so a fresh read version taken each
    // poll can stay just ahead of a server that is keeping up perfectly well.
    let target: { epoch: number; version: number } | undefined;
    while (this.world.now() < deadline) {
      const info = await client.clusterInfo(true);
      if (info.recoveryState !== 'fully_recovered') {
        waitingOn = `recovery (${info.recoveryState})`;
        target = undefined;
      } else {
        if (target?.epoch !== info.epoch) {
          const v = await this.readVersion(client, info).catch(() => undefined);
          target = v === undefined ? undefined : { epoch: info.epoch, version: v };
        }
        const version = target?.version;
        if (version !== undefined) {
          const statuses = await this.storageStatuses(client, info);
          const short = info.shards.find((s) => s.team.length < (info.config?.replication ?? 1));
          const behind = statuses.find((s) => !s.status || !s.status.readable || s.status.version < version);
          if (short) waitingOn = 'data distribution (a shard is short of replicas)';
          else if (behind) waitingOn = `storage server ${behind.id} to catch up`;
          else return { quiet: true, waitingOn: '' };
        }
      }
      void rpc;
      await client.proc.delay(seconds(0.5));
    }
    this.rt.trace('QuietDatabaseFailure', { Reason: `timed out waiting for ${waitingOn}` }, client.proc, 30);
    return { quiet: false, waitingOn };
  }

  private async readVersion(client: ClusterClient, info: DbInfo): Promise<number> {
    const rpc = this.world.rpc(client.proc);
    const g = info.grvProxies[0];
    if (!g) throw new Error('no GRV proxy');
    return rpc.request<number>(g.address, grvEndpoint(g.id), {}, seconds(2));
  }

  private async storageStatuses(
    client: ClusterClient,
    info: DbInfo,
  ): Promise<{ id: string; status: StorageStatus | undefined }[]> {
    const rpc = this.world.rpc(client.proc);
    return Promise.all(
      info.storage.map(async (s) => ({
        id: s.id,
        status: await rpc
          .request<StorageStatus>(s.address, storageEndpoints(s.id).status, {}, seconds(2))
          .catch(() => undefined),
      })),
    );
  }

  /**
   * Verifies that every replica of every shard holds the same data at one version. Reads go over the
   * network from a tester, like any client's. Mismatches are traced as Severity-40 ConsistencyCheckFailure.
   *
   * Like FoundationDB's consistency check, each shard is compared at a fresh read version, its replicas
   * read in parallel: storage servers refuse reads older than the MVCC window, and one version held for
   * the whole check expires on a slow network long before the last shard is read. A shard whose replicas
   * do not all answer at one version is tried again at a newer version.
   *
   * The check follows the cluster like any client: a recovery during the check ends the epoch whose GRV
   * proxy it was asking (workers stop an ended epoch's proxies), and a repair may change a shard's team or
   * a storage server's address. So every retry asks the controller for the current layout again, and
   * reads the shard's current team through the current epoch's GRV proxy.
   */
  async consistencyCheck(
    tester: number,
    onReplica?: (
      range: { begin: BKey; end: BKey },
      version: number,
      replica: string,
      rows: [BKey, BKey][],
    ) => void,
  ): Promise<ConsistencyReport> {
    const client = this.client(tester);
    const rpc = this.world.rpc(client.proc);
    const problems: { reason: string; version: number }[] = [];
    const shards = (await client.clusterInfo(true)).shards.map(({ begin, end }) => ({ begin, end }));
    let version = 0;
    for (const { begin, end } of shards) {
      const shard = `[${printable(begin)}, ${printable(end)})`;
      let team: { id: string; address: string }[] = [];
      let unknown: string[] = [];
      let replies: (RangeReply | undefined)[] = [];
      /** Whether the last attempt got a read version (so its replies are the replicas' own answers). */
      let gotVersion = false;
      for (let attempt = 0; attempt < 20; attempt++) {
        if (attempt > 0) await client.proc.delay(seconds(0.5));
        const info = await client.clusterInfo(attempt > 0);
        const sh = info.shards.find((s) => s.begin === begin && s.end === end);
        if (!sh) {
          // The shard map changed its boundaries: nothing to compare for this range in this layout.
          team = [];
          unknown = [];
          replies = [];
          gotVersion = false;
          continue;
        }
        team = [];
        unknown = [];
        for (const id of sh.team) {
          const ss = info.storage.find((s) => s.id === id);
          if (ss) team.push(ss);
          else unknown.push(id);
        }
        replies = [];
        gotVersion = false;
        const v = await this.readVersion(client, info).catch((e: unknown) => {
          if (!(e instanceof RpcError)) throw e;
          return undefined;
        });
        if (v === undefined) continue;
        version = v;
        gotVersion = true;
        replies = await Promise.all(
          team.map((ss) =>
            rpc
              .request<RangeReply>(
                ss.address,
                storageEndpoints(ss.id).range,
                { begin, end, version, limit: 0, reverse: false },
                seconds(5),
              )
              .catch((e: unknown) => {
                if (!(e instanceof RpcError)) throw e;
                return undefined;
              }),
          ),
        );
        if (unknown.length === 0 && team.length > 0 && replies.every((r) => r !== undefined)) break;
      }
      for (const id of unknown)
        problems.push({ reason: `shard ${shard} lists unknown storage server ${id}`, version });
      if (team.length === 0) {
        problems.push({ reason: `shard ${shard} has no replica in the current shard map`, version });
        continue;
      }
      if (!gotVersion) {
        problems.push({ reason: `no read version could be obtained to check shard ${shard}`, version });
        continue;
      }
      let reference: { id: string; kv: [BKey, BKey][] } | undefined;
      for (let i = 0; i < team.length; i++) {
        const ss = team[i]!;
        const reply = replies[i];
        if (!reply) {
          problems.push({
            reason: `storage server ${ss.id} at ${ss.address} did not answer for shard ${shard}`,
            version,
          });
          continue;
        }
        onReplica?.({ begin, end }, version, ss.id, reply.kv);
        if (!reference) {
          reference = { id: ss.id, kv: reply.kv };
          continue;
        }
        const diff = firstDifference(reference.kv, reply.kv);
        if (diff)
          problems.push({
            reason: `replicas ${reference.id} and ${ss.id} differ at version ${version}: ${diff}`,
            version,
          });
      }
    }
    for (const p of problems) {
      this.rt.trace('ConsistencyCheckFailure', { Reason: p.reason, Version: p.version }, client.proc, 40);
    }
    return {
      ok: problems.length === 0,
      version,
      shardsChecked: shards.length,
      problems: problems.map((p) => p.reason),
    };
  }
}

function printable(s: BKey): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c < 0x7f && c !== 0x5c ? s[i] : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function firstDifference(a: [BKey, BKey][], b: [BKey, BKey][]): string | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x) return `extra key ${printable(y![0])}`;
    if (!y) return `missing key ${printable(x[0])}`;
    if (x[0] !== y[0]) return `key ${printable(x[0])} vs ${printable(y[0])}`;
    if (x[1] !== y[1]) return `value of ${printable(x[0])}`;
  }
  return undefined;
}
