// The master role: one per epoch. Drives recovery (read and lock the coordinated state, lock the old
// logs, pick the recovery version, recruit and seed the new transaction system, write the new
// coordinated state, commit the recovery transaction), then acts as the sequencer handing out commit
// versions and tracking the latest committed version.
import { assert } from '../core/errors.js';
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import { resolverRanges } from './commit-proxy.js';
import type { CoordReadReply } from './coordinator.js';
import { dropLeavers, type MoveRequest, planMoves } from './data-movement.js';
import { masterEndpoints } from './grv-proxy.js';
import type { BKey } from './keys.js';
import { VERSIONS_PER_SECOND } from './knobs.js';
import {
  type CoordinatedState,
  type DbConfig,
  type DbInfo,
  EP,
  type LockRequest,
  type LogEntry,
  nextLockState,
  type RoleRef,
  type Shard,
  type WorkerReport,
} from './protocol.js';
import type { ClusterRuntime } from './runtime.js';
import type { FetchPlan } from './storage.js';
import { type LockReply, tlogEndpoints } from './tlog.js';

/** FoundationDB's recovery status names, with their status codes. */
export const RECOVERY_STATES = [
  'reading_coordinated_state',
  'locking_coordinated_state',
  'locking_old_transaction_servers',
  'reading_transaction_system_state',
  'configuration_missing',
  'configuration_never_created',
  'configuration_invalid',
  'recruiting_transaction_servers',
  'initializing_transaction_servers',
  'recovery_transaction',
  'writing_coordinated_state',
  'accepting_commits',
  'all_logs_recruited',
  'storage_recovered',
  'fully_recovered',
] as const;
export type RecoveryState = (typeof RECOVERY_STATES)[number];

/** What the cluster controller tells a new master. */
export interface MasterInit {
  readonly id: string;
  readonly cc: string;
  /** Storage server ids data distribution wants replaced. */
  readonly replaceStorage: readonly string[];
  /** A configuration change to apply in this recovery (ChangeConfig). */
  readonly newConfig?: DbConfig;
  /** Key ranges to move to new storage teams in this recovery (moveKeys), in order. */
  readonly moves?: readonly MoveRequest[];
  /** A database lock or unlock to apply in this recovery (lockDatabase, unlockDatabase). */
  readonly lockRequest?: LockRequest;
  /** New coordinators to move the coordinated state to in this recovery (ChangeConfig coordinators=...). */
  readonly newCoordinators?: readonly string[];
  /** The configuration to create the database with, if it does not exist yet. */
  readonly initialConfig: DbConfig;
  readonly shardCount: number;
}

/** What the master asks workers to start. */
export type RoleInit =
  | { role: 'tlog'; id: string; epoch: number; start: number; tags: string[]; seed: LogEntry[] }
  | { role: 'storage'; id: string; shards: { begin: BKey; end: BKey }[]; fetch?: FetchPlan }
  | { role: 'resolver'; id: string; epoch: number; start: number }
  | { role: 'grvProxy'; id: string; epoch: number; master: RoleRef; logs: RoleRef[]; lock?: string }
  | {
      role: 'commitProxy';
      id: string;
      epoch: number;
      master: RoleRef;
      resolvers: { ref: RoleRef; begin: BKey; end: BKey }[];
      logs: RoleRef[];
      shards: Shard[];
      lock?: string;
    }
  | { role: 'master'; init: MasterInit };

/** Splits the key space into `n` shards by first byte. */
function initialShardBounds(n: number): [BKey, BKey][] {
  const out: [BKey, BKey][] = [];
  for (let i = 0; i < n; i++) {
    const b = i === 0 ? '' : String.fromCharCode(Math.floor((256 * i) / n));
    const e = i === n - 1 ? '\xff' : String.fromCharCode(Math.floor((256 * (i + 1)) / n));
    out.push([b, e]);
  }
  return out;
}

class RecoveryAborted extends Error {}

/** What the hosting worker knows of a master: the epoch it recovers (once known), and whether it stopped. */
export interface MasterLife {
  epoch: number | undefined;
  stopped: boolean;
}

/** The endpoints a master serves once its epoch is open. */
export function masterServedEndpoints(id: string): string[] {
  return Object.values(masterEndpoints(id));
}

/**
 * Runs a master on `proc`: recovery, then sequencing. Returns once the epoch is fully recovered (its
 * endpoints serve on until the worker stops it); throws when the master gives up (fenced, superseded).
 */
export async function runMaster(
  rt: ClusterRuntime,
  proc: SimProcess,
  init: MasterInit,
  life: MasterLife = { epoch: undefined, stopped: false },
): Promise<void> {
  const rpc = rt.world.rpc(proc);
  const rnd = rt.world.random.fork(`master:${init.id}`);
  const timeout = seconds(rt.knob('RPC_TIMEOUT'));
  proc.addRole('MS', init.id);
  const started = rt.world.now();
  let epochForTrace = 0;
  // A master the controller has replaced stops at once, so that masters never duel for the coordinators.
  const stillCurrent = async (s: RecoveryState): Promise<void> => {
    if (life.stopped) throw new RecoveryAborted(`stopped during ${s}`);
    const reply = await rpc
      .request<{ current: boolean }>(init.cc, EP.ccRecoveryState, { master: init.id, state: s }, timeout)
      .catch(() => ({ current: true }));
    if (!reply.current) throw new RecoveryAborted(`superseded during ${s}`);
    if (life.stopped) throw new RecoveryAborted(`stopped during ${s}`);
  };
  /** Records and traces what this recovery step waits for: a coordinator quorum short of answers. */
  const waitForQuorum = (
    phase: RecoveryState,
    asked: readonly string[],
    answered: number,
    needed: number,
    missing: readonly string[],
  ): void => {
    const what = `a quorum of coordinators (${answered} of ${asked.length} accepted, ${needed} needed; no answer from ${missing.join(',') || 'none'})`;
    if (rt.recovery?.master === proc.address) rt.recovery.waitingFor = what;
    rt.trace(
      'MasterRecoveryWaitingForQuorum',
      { Phase: phase, Answered: answered, Needed: needed, Missing: missing.join(',') },
      proc,
      20,
      init.id,
    );
  };
  const state = async (s: RecoveryState): Promise<void> => {
    if (rt.buggify('master.slowRecoveryPhase', 0.05)) await proc.delay(seconds(rnd.uniform(0.01, 1)));
    rt.recovery = { master: proc.address, epoch: epochForTrace, state: s, since: rt.world.now() };
    rt.trace(
      'MasterRecoveryState',
      { StatusCode: RECOVERY_STATES.indexOf(s), Status: s, Epoch: epochForTrace },
      proc,
      10,
      init.id,
    );
    await stillCurrent(s);
  };
  const uid = () => rnd.uid();

  // 1-2. Read the coordinated state from a majority, promising a generation higher than any seen.
  await state('reading_coordinated_state');
  let coords = rt.coordinatorsOf(proc);
  let quorum = Math.floor(coords.length / 2) + 1;
  const moveTo = init.newCoordinators?.filter((c) => !coords.includes(c)).length
    ? [...init.newCoordinators]
    : undefined;
  const newQuorum = moveTo ? Math.floor(moveTo.length / 2) + 1 : 0;
  let gen = 1;
  let old: CoordinatedState | null = null;
  for (let attempt = 0; ; attempt++) {
    // Ask each coordinator once, old and (when moving) new alike: a coordinator in both sets must promise
    // this generation once, and its answer counts for both quorums.
    const targets = [...new Set([...coords, ...(moveTo ?? [])])];
    const joining = new Set(moveTo ?? []);
    const isOld = new Set(coords);
    const answers = await quorumOf(
      targets.map((c) =>
        rpc
          .request<CoordReadReply>(
            c,
            EP.coordRead,
            { gen, ...(joining.has(c) ? { join: true } : {}) },
            timeout,
          )
          .catch(() => undefined),
      ),
      (got) => {
        const old = quorumState(
          got.filter((_, i) => isOld.has(targets[i]!)),
          quorum,
        );
        const joined = quorumState(
          got.filter((_, i) => joining.has(targets[i]!)),
          newQuorum,
        );
        return (old === 'won' && joined === 'won') || old === 'lost' || joined === 'lost';
      },
    );
    const byAddress = new Map(targets.map((c, i) => [c, answers[i]]));
    const replies = coords.map((c) => byAddress.get(c));
    const newReplies = moveTo ? moveTo.map((c) => byAddress.get(c)) : [];
    const forward = replies.find((r) => r?.forward)?.forward;
    if (forward && forward.join() !== coords.join()) {
      // The cluster already moved: follow the forward and read from the new coordinators.
      rt.setCoordinatorsOf(proc, forward);
      coords = forward;
      quorum = Math.floor(coords.length / 2) + 1;
      continue;
    }
    const ok = replies.filter((r): r is CoordReadReply => r?.ok === true);
    const maxPromised = Math.max(gen, ...answers.map((r) => r?.promised ?? 0));
    if (ok.length >= quorum && newReplies.filter((r) => r?.ok).length >= newQuorum) {
      let best: CoordReadReply | undefined;
      for (const r of ok) if (!best || r.acceptedGen > best.acceptedGen) best = r;
      old = best?.value ?? null;
      rt.stateRead(old, gen, proc, init.id);
      break;
    }
    gen = maxPromised + 1 + rnd.int(0, 3);
    const silent = coords.filter((_, i) => replies[i] === undefined);
    if (ok.length < quorum) waitForQuorum('reading_coordinated_state', coords, ok.length, quorum, silent);
    if (attempt > 50) throw new RecoveryAborted('could not read the coordinated state');
    await proc.delay(seconds(rnd.uniform(0.05, 0.3)));
    await stillCurrent('reading_coordinated_state');
  }
  await state('locking_coordinated_state');
  // Where every log and storage server lives now: a reboot may have moved a data folder (a disk swap),
  // and the role with it, to another address.
  const workers = await rpc.request<WorkerReport[]>(init.cc, EP.ccWorkers, {}, timeout);
  const located = new Map<string, string>();
  for (const w of workers) for (const id of [...w.storage, ...w.tlogs]) located.set(id, w.address);
  const relocate = (r: RoleRef): RoleRef => {
    const at = located.get(r.id);
    return at && at !== r.address ? { id: r.id, address: at } : r;
  };
  if (old) old = { ...old, logs: old.logs.map(relocate), storage: old.storage.map(relocate) };
  const epoch = (old?.epoch ?? 0) + 1;
  epochForTrace = epoch;
  rt.trace('MasterRecovering', { Epoch: epoch, Generation: gen, Existing: old ? 1 : 0 }, proc, 10, init.id);
  life.epoch = epoch;

  // 3. Lock the old epoch's logs: they accept no more pushes and report their durable ends.
  await state('locking_old_transaction_servers');
  let recoveryVersion = 0;
  let seed: LogEntry[] = [];
  if (old) {
    // Where the old logs are now: a log whose folder moved (disk swap) may boot at another address while
    // this recovery waits for it, so locations are asked for again on every retry.
    const locate = async (): Promise<ReadonlyMap<string, string>> => {
      const reports = await rpc.request<WorkerReport[]>(init.cc, EP.ccWorkers, {}, timeout).catch(() => []);
      const at = new Map<string, string>();
      for (const w of reports) for (const id of w.tlogs) at.set(id, w.address);
      return at;
    };
    const locked = await lockOldLogs(
      rt,
      proc,
      old.logs,
      () => stillCurrent('locking_old_transaction_servers'),
      locate,
    );
    const ends = locked.map((l) => l.reply.end);
    recoveryVersion = rt.bug('recoveryTakesLargestLogEnd') ? Math.max(...ends) : Math.min(...ends);
    // Every log of an epoch starts at that epoch's recovery version; an end below it is a faultline bug.
    assert(
      recoveryVersion >= old.recoveryVersion,
      () =>
        `recovery version ${recoveryVersion} is below the previous epoch's ${old?.recoveryVersion} (log ends ${ends.join(',')})`,
    );
    // The tail comes from one locked log; every log holds every version up to its durable end.
    const source = locked[0]!;
    seed = await rpc.request<LogEntry[]>(
      source.log.address,
      tlogEndpoints(source.log.id).tail,
      { from: 0, to: recoveryVersion },
      timeout * 4,
    );
    const largest = Math.max(...ends);
    if (largest > recoveryVersion) {
      // Versions some log made durable but not all: never acknowledged, so discarded everywhere.
      rt.trace(
        'TLogRollback',
        { Epoch: epoch, From: recoveryVersion, To: largest, Versions: largest - recoveryVersion },
        proc,
        10,
        init.id,
      );
    }
    rt.trace(
      'MasterRecoveryVersion',
      {
        Epoch: epoch,
        RecoveryVersion: recoveryVersion,
        LockedLogs: locked.length,
        OldLogs: old.logs.length,
        LogEnds: ends.join(','),
      },
      proc,
      10,
      init.id,
    );
  }

  await state('reading_transaction_system_state');
  const config: DbConfig = init.newConfig ?? old?.config ?? init.initialConfig;
  const lock = nextLockState(old?.lock, init.lockRequest);
  const locked = lock !== undefined ? { lock } : {};
  if (lock !== old?.lock) {
    rt.trace(
      'DatabaseLockChanged',
      { Epoch: epoch, Lock: lock ?? '', Previous: old?.lock ?? '' },
      proc,
      10,
      init.id,
    );
  }

  // 4. Recruit the new transaction system (and storage, at creation or for repairs).
  await state('recruiting_transaction_servers');
  // A worker whose disk stopped answering would hang whatever is recruited on it.
  const servers = workers.filter((w) => w.processClass !== 'test' && w.degraded !== true);
  if (servers.length === 0) throw new RecoveryAborted('no workers');
  const pickDistinct = (n: number, prefer: string[], avoidZones = new Set<string>()): WorkerReport[] => {
    const ranked = rnd
      .shuffle(servers)
      .sort((a, b) => rank(a.processClass, prefer) - rank(b.processClass, prefer));
    const out: WorkerReport[] = [];
    const zones = new Set(avoidZones);
    for (const w of ranked) {
      if (out.length >= n) break;
      if (!zones.has(w.zoneId)) {
        out.push(w);
        zones.add(w.zoneId);
      }
    }
    for (const w of ranked) {
      if (out.length >= n) break;
      if (!out.includes(w)) out.push(w);
    }
    return out;
  };
  const logProcs = pickDistinct(config.logs, ['transaction', 'unset', 'stateless', 'storage']);
  const newLogs: RoleRef[] = logProcs.map((w) => ({ id: uid(), address: w.address }));

  let storage: RoleRef[] = old ? [...old.storage] : [];
  let shards: Shard[] = old ? [...old.shards] : [];
  const storageInits: { address: string; init: RoleInit }[] = [];
  if (!old) {
    // Database creation: one storage server per eligible process (up to a bound), teams in distinct zones.
    const candidates = pickDistinct(Math.min(servers.length, Math.max(config.replication * 2, 4)), [
      'storage',
      'unset',
      'transaction',
      'stateless',
    ]);
    storage = candidates.map((w) => ({ id: uid(), address: w.address }));
    const zoneOf = new Map(candidates.map((w, i) => [storage[i]!.id, w.zoneId]));
    shards = initialShardBounds(init.shardCount).map(([b, e], i) => {
      const team: string[] = [];
      const zones = new Set<string>();
      for (let k = 0; k < storage.length && team.length < config.replication; k++) {
        const s = storage[(i + k) % storage.length]!;
        if (!zones.has(zoneOf.get(s.id)!)) {
          team.push(s.id);
          zones.add(zoneOf.get(s.id)!);
        }
      }
      return { begin: b, end: e, team };
    });
    for (const s of storage) {
      const owned = shards
        .filter((sh) => sh.team.includes(s.id))
        .map((sh) => ({ begin: sh.begin, end: sh.end }));
      storageInits.push({ address: s.address, init: { role: 'storage', id: s.id, shards: owned } });
    }
  } else if (
    init.replaceStorage.length > 0 ||
    config.replication !== old.config.replication ||
    shards.some((s) => s.team.length < config.replication)
  ) {
    // Repair: replace lost storage servers with new ones that fetch from the remaining replicas.
    ({ storage, shards } = planRepairs(rt, epoch, init, config, servers, storage, shards, storageInits, uid));
  }
  if (old) {
    // Data movement: finished moves drop their old members, then requested moves start.
    ({ storage, shards } = dropLeavers(servers, storage, shards, config));
    const moves = init.moves ?? [];
    if (moves.length > 0) {
      ({ storage, shards } = planMoves(rt, epoch, servers, storage, shards, moves, storageInits, uid));
    }
  }

  // The state this recovery will write. From the moment its logs exist it may become the cluster's
  // truth, so the simulator's kill-safety policy protects it from here on.
  const epochStarts = [...(old?.epochStarts ?? []), { epoch, recoveryVersion }];
  const next: CoordinatedState = {
    epoch,
    recoveryVersion,
    epochStarts,
    logs: newLogs,
    storage,
    shards,
    config,
    ...locked,
  };
  rt.writingState(next);

  // 5. Seed the new logs with the tail every storage server may still need, durably.
  await state('initializing_transaction_servers');
  const tags = storage.map((s) => s.id);
  await Promise.all([
    ...newLogs.map((l) =>
      rpc.request<boolean>(
        l.address,
        EP.workerInit,
        { role: 'tlog', id: l.id, epoch, start: recoveryVersion, tags, seed } satisfies RoleInit,
        timeout * 4,
      ),
    ),
    ...storageInits.map((s) => rpc.request<boolean>(s.address, EP.workerInit, s.init, timeout * 4)),
  ]);

  // 6. Write the new coordinated state; a newer master's higher generation fences us out here.
  await state('writing_coordinated_state');
  if (moveTo && moveTo.join() !== coords.join()) {
    const moved = await Promise.all(
      moveTo.map((c) =>
        rpc
          .request<{ ok: boolean }>(c, EP.coordWrite, { gen, value: next, join: true }, timeout)
          .catch(() => undefined),
      ),
    );
    if (moved.filter((w) => w?.ok).length < newQuorum)
      throw new RecoveryAborted('new coordinators did not accept the state');
    // The old coordinators that leave keep the state and forward everyone to the new set; those that
    // stay already hold it (a coordinator told to forward to a set containing itself would stop serving).
    const movedOk = new Set(moveTo.filter((_, i) => moved[i]?.ok));
    const fwd = await Promise.all(
      coords.map((c) =>
        movedOk.has(c)
          ? { ok: true }
          : rpc
              .request<{ ok: boolean }>(c, EP.coordWrite, { gen, value: next, forward: moveTo }, timeout)
              .catch(() => undefined),
      ),
    );
    if (fwd.filter((w) => w?.ok).length < quorum) throw new RecoveryAborted('fenced by a newer generation');
    rt.setCoordinatorsOf(proc, moveTo);
    rt.onCoordinatorsChanged(moveTo);
    rt.trace(
      'ChangeQuorumCheckerSetCoordinatorsKey',
      { CurrentCoordinators: coords.join(','), NewCoordinators: moveTo.join(',') },
      proc,
      10,
      init.id,
    );
  } else {
    const writes = await quorumOf(
      coords.map((c) =>
        rpc.request<{ ok: boolean }>(c, EP.coordWrite, { gen, value: next }, timeout).catch(() => undefined),
      ),
      (got) => quorumState(got, quorum) !== 'open',
    );
    const accepted = writes.filter((w) => w?.ok).length;
    if (accepted < quorum) {
      const silent = coords.filter((_, i) => writes[i] === undefined);
      waitForQuorum('writing_coordinated_state', coords, accepted, quorum, silent);
      throw new RecoveryAborted(
        silent.length > 0 ? 'a quorum of coordinators did not answer' : 'fenced by a newer generation',
      );
    }
  }
  rt.stateWritten(next, gen, proc, init.id);

  // 7. Start the sequencer well above the recovery version; recruit proxies and resolvers.
  let lastVersion = recoveryVersion;
  let lastTime = rt.world.now();
  let committed = recoveryVersion;
  const firstVersion = recoveryVersion + rt.knob('MAX_VERSIONS_IN_FLIGHT');
  const me: RoleRef = { id: init.id, address: proc.address };
  const ep = masterEndpoints(init.id);
  if (life.stopped) throw new RecoveryAborted('stopped before sequencing');
  rpc.serve<Record<string, never>, { prev: number; version: number }>(ep.getVersion, (_req, respond) => {
    const now = rt.world.now();
    const prev = lastVersion;
    let step = Math.max(1, Math.round(((now - lastTime) * VERSIONS_PER_SECOND) / 1_000_000));
    if (rt.buggify('master.versionJump', 0.01)) step += rnd.int(1, VERSIONS_PER_SECOND);
    const version = prev === recoveryVersion ? firstVersion : prev + step;
    lastVersion = version;
    lastTime = now;
    respond.reply({ prev, version });
  });
  rpc.serve<{ version: number }, boolean>(ep.reportCommitted, (m, respond) => {
    committed = Math.max(committed, m.version);
    respond.reply(true);
  });
  rpc.serve<Record<string, never>, number>(ep.liveCommitted, (_req, respond) => respond.reply(committed));

  const resolverProcs = pickDistinct(config.resolvers, ['stateless', 'unset', 'transaction']);
  const resolverBounds = resolverRanges(resolverProcs.length);
  const resolvers = resolverProcs.map((w, i) => ({
    ref: { id: uid(), address: w.address },
    begin: resolverBounds[i]![0],
    end: resolverBounds[i]![1],
  }));
  const grvs = pickDistinct(config.grvProxies, ['stateless', 'unset', 'transaction']).map((w) => ({
    id: uid(),
    address: w.address,
  }));
  const cps = pickDistinct(config.commitProxies, ['stateless', 'unset', 'transaction']).map((w) => ({
    id: uid(),
    address: w.address,
  }));
  await Promise.all([
    ...resolvers.map((r) =>
      rpc.request(
        r.ref.address,
        EP.workerInit,
        { role: 'resolver', id: r.ref.id, epoch, start: recoveryVersion } satisfies RoleInit,
        timeout,
      ),
    ),
    ...grvs.map((g) =>
      rpc.request(
        g.address,
        EP.workerInit,
        { role: 'grvProxy', id: g.id, epoch, master: me, logs: newLogs, ...locked } satisfies RoleInit,
        timeout,
      ),
    ),
  ]);
  await Promise.all(
    cps.map((c) =>
      rpc.request(
        c.address,
        EP.workerInit,
        {
          role: 'commitProxy',
          id: c.id,
          epoch,
          master: me,
          resolvers,
          logs: newLogs,
          shards,
          ...locked,
        } satisfies RoleInit,
        timeout,
      ),
    ),
  );

  // 8. The recovery transaction opens the epoch: the first version goes through resolvers and logs.
  await state('recovery_transaction');
  const cp = cps[0]!;
  await rpc.request<boolean>(cp.address, `proxy.recoveryTxn.${cp.id}`, {}, timeout * 2);
  const info: DbInfo = {
    epoch,
    recoveryVersion,
    epochStarts,
    recoveryState: 'accepting_commits',
    master: me,
    grvProxies: grvs,
    commitProxies: cps,
    resolvers: resolvers.map((r) => r.ref),
    logs: newLogs,
    storage,
    shards,
    config,
    ...locked,
  };
  await state('accepting_commits');
  rpc.send(init.cc, EP.ccRecovered, info);
  await state('all_logs_recruited');
  await state('storage_recovered');
  await state('fully_recovered');
  rpc.send(init.cc, EP.ccRecovered, { ...info, recoveryState: 'fully_recovered' });
  rt.trace(
    'MasterRecoveryDuration',
    { Epoch: epoch, Duration: (rt.world.now() - started) / 1e6 },
    proc,
    10,
    init.id,
  );
}

function rank(cls: string, prefer: string[]): number {
  const i = prefer.indexOf(cls);
  return i < 0 ? prefer.length : i;
}

/** Locks the old logs; waits for at least one (forever, retrying), then briefly for the rest. */
async function lockOldLogs(
  rt: ClusterRuntime,
  proc: SimProcess,
  initial: readonly RoleRef[],
  stillCurrent: () => Promise<void>,
  locate: () => Promise<ReadonlyMap<string, string>>,
): Promise<{ log: RoleRef; reply: LockReply }[]> {
  let logs = initial;
  const rpc = rt.world.rpc(proc);
  const timeout = seconds(rt.knob('RPC_TIMEOUT'));
  for (;;) {
    if (rt.buggify('master.slowLock', 0.1)) await proc.delay(seconds(rt.world.random.uniform(0.01, 0.5)));
    const got: { log: RoleRef; reply: LockReply }[] = [];
    const all = logs.map((l) =>
      rpc
        .request<LockReply>(l.address, tlogEndpoints(l.id).lock, {}, timeout)
        .then((reply) => {
          got.push({ log: l, reply });
        })
        .catch(() => undefined),
    );
    await Promise.all(all);
    if (got.length > 0)
      return got.sort(
        (a, b) => logs.findIndex((l) => l.id === a.log.id) - logs.findIndex((l) => l.id === b.log.id),
      );
    const waiting = logs.map((l) => l.address).join(',');
    if (rt.recovery?.master === proc.address) rt.recovery.waitingFor = `the old epoch's logs at ${waiting}`;
    rt.trace('MasterRecoveryWaitingForLogs', { Logs: waiting }, proc, 20);
    await proc.delay(seconds(1));
    await stillCurrent();
    const at = await locate();
    logs = logs.map((l) => {
      const a = at.get(l.id);
      return a && a !== l.address ? { id: l.id, address: a } : l;
    });
  }
}

/**
 * Replaces lost storage servers: a new server in an unused zone fetches each shard from the survivors.
 *
 * Like FoundationDB's move-keys, a lost member leaves its team only once enough complete replicas remain
 * without it. The controller's view of who is alive lags behind the truth: a "survivor" may have died
 * unseen, and a "lost" server may only be rebooting with its data intact. Dropping the lost member as
 * soon as a replacement is planned can leave the shard with no member holding its data (the replacement
 * still fetching, its source dead), so the lost member stays a member and a fetch source until the
 * controller sees the replacements complete and asks for another recovery to drop it.
 */
function planRepairs(
  rt: ClusterRuntime,
  epoch: number,
  init: MasterInit,
  config: DbConfig,
  servers: WorkerReport[],
  storage: RoleRef[],
  shards: Shard[],
  inits: { address: string; init: RoleInit }[],
  uid: () => string,
): { storage: RoleRef[]; shards: Shard[] } {
  const hosted = new Set(servers.flatMap((w) => w.storage));
  const fetching = new Set(servers.flatMap((w) => w.fetching));
  // A server the controller gave up on but that a live worker hosts again came back: it keeps its place.
  const lost = new Set(init.replaceStorage.filter((id) => !hosted.has(id)));
  const zoneOfAddress = new Map(servers.map((w) => [w.address, w.zoneId]));
  const byId = new Map(storage.map((s) => [s.id, s]));
  const newStorage = [...storage];
  const newShards: Shard[] = [];
  const created = new Map<
    string,
    { ref: RoleRef; shards: { begin: BKey; end: BKey; sources: RoleRef[] }[] }
  >();
  for (const sh of shards) {
    const team = sh.team.filter((id) => !lost.has(id));
    const complete = team.filter((id) => hosted.has(id) && !fetching.has(id));
    // Any member that may hold the shard's data can serve a fetch, complete live ones first; a lost one
    // may yet answer. A member that is itself still fetching holds nothing to copy.
    const sources = [...complete, ...sh.team.filter((id) => !complete.includes(id) && !fetching.has(id))]
      .map((id) => byId.get(id))
      .filter((r): r is RoleRef => r !== undefined);
    // A member whose address is a live worker that no longer hosts it (it came back without its data)
    // can answer no fetch: with none that can, the shard's data is gone, and the trace says so.
    const reporting = new Set(servers.map((w) => w.address));
    const mayAnswer = sources.filter((r) => complete.includes(r.id) || !reporting.has(r.address));
    if (team.length < config.replication && mayAnswer.length === 0) {
      rt.trace(
        'DataDistributionTeamLost',
        {
          Begin: sh.begin,
          End: sh.end,
          Team: sh.team.join(','),
          Lost: sh.team.filter((id) => lost.has(id)).join(','),
          Fetching: sh.team.filter((id) => fetching.has(id)).join(','),
        },
        undefined,
        30,
      );
    }
    if (team.length < config.replication && sources.length === 0) {
      // No member holds the data any more: keep the team (a member may yet come back with its data).
      newShards.push(sh);
      continue;
    }
    const zones = new Set(
      team.map((id) => byId.get(id)?.address ?? '').map((a) => zoneOfAddress.get(a) ?? a),
    );
    while (team.length < config.replication) {
      // Prefer storage-class and unset processes; any server will do rather than leaving the shard short.
      const free = servers.filter((w) => !zones.has(w.zoneId));
      const host = free.find((w) => w.processClass === 'storage' || w.processClass === 'unset') ?? free[0];
      if (!host) break;
      zones.add(host.zoneId);
      let c = [...created.values()].find((x) => x.ref.address === host.address);
      if (!c) {
        c = { ref: { id: uid(), address: host.address }, shards: [] };
        created.set(c.ref.id, c);
      }
      c.shards.push({ begin: sh.begin, end: sh.end, sources });
      team.push(c.ref.id);
    }
    const leaving = sh.team.filter((id) => lost.has(id));
    newShards.push({
      ...sh,
      team: complete.length >= config.replication ? team : [...team, ...leaving],
    });
  }
  for (const c of created.values()) {
    newStorage.push(c.ref);
    const shards = c.shards.map(({ begin, end }) => ({ begin, end }));
    inits.push({
      address: c.ref.address,
      init: { role: 'storage', id: c.ref.id, shards, fetch: { epoch, shards: c.shards } },
    });
    const sources = [...new Set(c.shards.flatMap((s) => s.sources.map((r) => r.id)))];
    rt.trace('DataDistributionReplace', {
      NewStorage: c.ref.id,
      Address: c.ref.address,
      Shards: c.shards.length,
      Sources: sources.join(','),
    });
  }
  // Servers that now own nothing are dropped from the map.
  const used = new Set(newShards.flatMap((s) => s.team));
  return { storage: newStorage.filter((s) => used.has(s.id)), shards: newShards };
}

/**
 * Where one coordinator set's answers so far leave a quorum of `quorum`: `won` once that many accepted,
 * `lost` once more refused than a quorum can spare (no answer still to come can change the outcome),
 * else `open`. Unanswered (undefined) answers are still to come.
 */
export function quorumState(
  answers: readonly ({ readonly ok: boolean } | undefined)[],
  quorum: number,
): 'won' | 'lost' | 'open' {
  let accepted = 0;
  let refused = 0;
  for (const a of answers) {
    if (a === undefined) continue;
    if (a.ok) accepted++;
    else refused++;
  }
  if (accepted >= quorum) return 'won';
  return refused > answers.length - quorum ? 'lost' : 'open';
}

/**
 * The answers to `requests` (which never reject) as soon as `decided` holds for those in so far (a quorum
 * accepted, or refused beyond what a quorum can spare), or once all are in; one not in by then reads as
 * undefined, as a timeout does. FoundationDB reads and writes the coordinated state with its quorum(): a
 * coordinator that is down or clogged costs a recovery step nothing while a majority answers, where
 * waiting for every answer cost each step the full request timeout (seed 6 of the default spec: a recovery
 * spent 2 s on every attempt at reading the state while one coordinator of five was cut off).
 */
export function quorumOf<T>(
  requests: readonly Promise<T | undefined>[],
  decided: (answers: readonly (T | undefined)[]) => boolean,
): Promise<(T | undefined)[]> {
  return new Promise((resolve) => {
    const answers: (T | undefined)[] = requests.map(() => undefined);
    let left = requests.length;
    let done = left === 0;
    if (done) resolve(answers);
    requests.forEach((request, i) => {
      void request.then((answer) => {
        if (done) return;
        answers[i] = answer;
        left--;
        if (left === 0 || decided(answers)) {
          done = true;
          resolve(answers);
        }
      });
    });
  });
}
