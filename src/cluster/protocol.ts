// Shapes of the cluster's shared state and messages. Every message between roles crosses the simulated
// network through `sim/rpc.ts`; these types are what travels.
import type { BKey } from './keys.js';
import type { Mutation } from './mutation.js';

/** A reference to a role instance: its id and the address of the process hosting it. */
export interface RoleRef {
  readonly id: string;
  readonly address: string;
}

/** A shard: a key range and the storage servers (by id) that hold it. */
export interface Shard {
  readonly begin: BKey;
  readonly end: BKey;
  readonly team: readonly string[];
  /**
   * Members of `team` the shard is moving away from (moveKeys): kept up to date and readable until the
   * other members hold complete copies, then dropped by a recovery.
   */
  readonly leaving?: readonly string[];
}

/** The database configuration in force (from `[configuration]` or ChangeConfig). */
export interface DbConfig {
  readonly replication: number;
  readonly logs: number;
  readonly commitProxies: number;
  readonly grvProxies: number;
  readonly resolvers: number;
  readonly storageEngine: 'memory' | 'ssd';
}

/** Where an epoch began: the versions of earlier epochs up to `recoveryVersion` survived its recovery. */
export interface EpochStart {
  readonly epoch: number;
  readonly recoveryVersion: number;
}

/** A request to lock or unlock the database, applied by the next recovery. */
export interface LockRequest {
  readonly op: 'lock' | 'unlock';
  /** The lock id, hex. */
  readonly id: string;
}

/** The lock state after `req`: a lock takes an unlocked database; an unlock needs the same id. */
export function nextLockState(current: string | undefined, req: LockRequest | undefined): string | undefined {
  if (!req) return current;
  if (req.op === 'lock') return current ?? req.id;
  return current === req.id ? undefined : current;
}

/** The coordinated state: what a majority of coordinators agree the current epoch is. */
export interface CoordinatedState {
  readonly epoch: number;
  /** Versions up to here survive from earlier epochs; the epoch's first version is above it. */
  readonly recoveryVersion: number;
  /**
   * The recovery version of every epoch so far, oldest first (the last is this epoch's): where each
   * epoch's predecessor ended. A storage server that missed whole epochs needs where the epoch it
   * pulled from ended, which a later epoch's recovery version does not tell (FoundationDB keeps the
   * old log generations with their epoch ends in the log system configuration for the same reason).
   */
  readonly epochStarts: readonly EpochStart[];
  readonly logs: readonly RoleRef[];
  /** Every storage server, by id (the tag) and address. */
  readonly storage: readonly RoleRef[];
  readonly shards: readonly Shard[];
  readonly config: DbConfig;
  /** The database lock's id (hex) when the database is locked (lockDatabase); absent when unlocked. */
  readonly lock?: string;
}

/** What clients and workers learn from the cluster controller about the current epoch. */
export interface DbInfo {
  readonly epoch: number;
  readonly recoveryVersion: number;
  /** As in the coordinated state: the recovery version of every epoch so far, oldest first. */
  readonly epochStarts: readonly EpochStart[];
  readonly recoveryState: string;
  readonly master: RoleRef | undefined;
  readonly grvProxies: readonly RoleRef[];
  readonly commitProxies: readonly RoleRef[];
  readonly resolvers: readonly RoleRef[];
  readonly logs: readonly RoleRef[];
  readonly storage: readonly RoleRef[];
  readonly shards: readonly Shard[];
  readonly config: DbConfig | undefined;
  /** The database lock's id (hex) in this epoch, when locked. */
  readonly lock?: string;
}

/** Mutations of one version for one storage server tag. */
export interface TaggedMutations {
  readonly tag: string;
  readonly mutations: readonly Mutation[];
}

/** One version in a transaction log. */
export interface LogEntry {
  readonly version: number;
  readonly tagged: readonly TaggedMutations[];
}

/** A transaction as the commit proxy receives it. */
export interface CommitRequest {
  readonly readVersion: number;
  readonly mutations: readonly Mutation[];
  readonly readRanges: readonly [BKey, BKey][];
  readonly writeRanges: readonly [BKey, BKey][];
  /** Indexes of mutations carrying a versionstamp placeholder. */
  readonly versionstamped: boolean;
  /** The attempt's id with the history observer (the oracle), when one is attached. */
  readonly attempt?: number | undefined;
  /** The transaction may commit while the database is locked. */
  readonly lockAware?: boolean;
}

/** The commit proxy's answer. */
export type CommitReply =
  | { readonly ok: true; readonly version: number; readonly batchIndex: number }
  | { readonly ok: false; readonly error: 'not_committed' | 'transaction_too_old' | 'database_locked' };

/** A worker's heartbeat to the cluster controller. */
export interface WorkerReport {
  readonly address: string;
  readonly processClass: string;
  readonly zoneId: string;
  readonly machineId: string;
  readonly dcId: string;
  /** Storage server ids this worker hosts (and that have their data). */
  readonly storage: readonly string[];
  /** Those of `storage` still being rebuilt from replicas: they hold no complete copy yet. */
  readonly fetching: readonly string[];
  readonly tlogs: readonly string[];
  /**
   * A disk operation of this worker has waited longer than DISK_DEGRADED_TIMEOUT (a failed or stalled
   * disk): nothing new is recruited here, and its storage servers count as lost until it recovers.
   */
  readonly degraded?: boolean;
}

/** Endpoint names. Role endpoints are suffixed with the role id so restarts and stale peers never mix. */
export const EP = {
  coordRead: 'coord.read',
  coordWrite: 'coord.write',
  coordGetLeader: 'coord.getLeader',
  coordCandidacy: 'coord.candidacy',
  ccRegister: 'cc.register',
  ccClientInfo: 'cc.clientInfo',
  ccWorkers: 'cc.workers',
  ccRecovered: 'cc.recovered',
  ccRecoveryState: 'cc.recoveryState',
  ccTriggerRecovery: 'cc.triggerRecovery',
  ccChangeCoordinators: 'cc.changeCoordinators',
  ccLock: 'cc.lock',
  ccMoveKeys: 'cc.moveKeys',
  workerInit: 'worker.init',
} as const;

/**
 * A role's endpoint names by its id, built once per id and shared: requests name endpoints on every
 * message, and a name built afresh each time is an allocation and a string hash per message. The cache
 * is emptied when it grows large (a sweep worker runs many clusters, each with its own ids).
 */
export function endpointNames<T>(make: (id: string) => T): (id: string) => T {
  const cache = new Map<string, T>();
  return (id) => {
    let names = cache.get(id);
    if (names === undefined) {
      if (cache.size >= 4096) cache.clear();
      names = make(id);
      cache.set(id, names);
    }
    return names;
  };
}
