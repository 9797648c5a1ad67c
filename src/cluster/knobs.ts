// The cluster's knobs: every tunable of the simulated database, with FoundationDB's names where one exists.
import type { KnobDef } from '../sim/knobs.js';

/** Versions handed out per simulated second. */
export const VERSIONS_PER_SECOND = 1_000_000;

/** Knob definitions of the cluster. Values are read through `world.knobs`. */
export const CLUSTER_KNOBS: readonly KnobDef[] = [
  {
    name: 'MAX_READ_TRANSACTION_LIFE_VERSIONS',
    default: 5_000_000,
    unit: 'versions',
    doc: 'MVCC window: reads older than this many versions fail with transaction_too_old (5 s of versions).',
    // FoundationDB randomizes the lifetime in 10% of simulations, to 1-10 s.
    randomize: (r) => (r.chance(0.1) ? r.int(1, 11) * VERSIONS_PER_SECOND : 5_000_000),
    alwaysRandomize: true,
  },
  {
    name: 'MAX_VERSIONS_IN_FLIGHT',
    default: 100_000_000,
    unit: 'versions',
    doc: 'Gap between the recovery version and the first version of a new epoch.',
  },
  {
    name: 'COMMIT_BATCH_INTERVAL',
    default: 0.002,
    unit: 's',
    doc: 'How long a commit proxy gathers transactions into one batch.',
    randomize: (r) => r.pick([0.0005, 0.01, 0.05]),
  },
  {
    name: 'COMMIT_IDLE_INTERVAL',
    default: 0.5,
    unit: 's',
    doc: 'How often an idle commit proxy commits an empty batch to move versions forward.',
    randomize: (r) => r.pick([0.05, 2]),
  },
  {
    name: 'COMMIT_BATCHES_IN_FLIGHT',
    default: 8,
    unit: 'batches',
    doc: 'How many commit batches a commit proxy pipelines at once.',
    randomize: (r) => r.pick([1, 2, 32]),
  },
  {
    name: 'GRV_BATCH_INTERVAL',
    default: 0.001,
    unit: 's',
    doc: 'How long a GRV proxy gathers read-version requests into one batch.',
    randomize: (r) => r.pick([0.0001, 0.005, 0.02]),
  },
  {
    name: 'STORAGE_DURABILITY_LAG',
    default: 0.5,
    unit: 's',
    doc: 'How often a storage server makes its known-committed versions durable and pops the logs.',
    randomize: (r) => r.pick([0.05, 2, 5]),
  },
  {
    name: 'FAILURE_TIMEOUT',
    default: 1.0,
    unit: 's',
    doc: 'A worker that has not heartbeated for this long is considered failed by the cluster controller.',
    randomize: (r) => r.pick([0.5, 2.5]),
  },
  {
    name: 'HEARTBEAT_INTERVAL',
    default: 0.25,
    unit: 's',
    doc: 'How often workers heartbeat to the cluster controller and leaders renew their lease.',
  },
  {
    name: 'LEADER_POLL_INTERVAL',
    default: 1.0,
    unit: 's',
    doc: 'How often a worker whose cluster controller answers its heartbeats asks the coordinators who leads (every HEARTBEAT_INTERVAL while it does not).',
  },
  {
    name: 'LEADER_LEASE',
    default: 2.0,
    unit: 's',
    doc: 'How long coordinators honour a cluster controller that stops renewing its leadership.',
  },
  {
    name: 'STORAGE_REPLACE_DELAY',
    default: 8.0,
    unit: 's',
    doc: 'How long a storage server may be unreachable before data distribution replaces it.',
    randomize: (r) => r.pick([2, 20]),
  },
  {
    name: 'FUTURE_VERSION_DELAY',
    default: 1.0,
    unit: 's',
    doc: 'How long a storage server waits for a version it has not reached before answering future_version (at most 0.9 CLIENT_READ_TIMEOUT).',
  },
  {
    name: 'RPC_TIMEOUT',
    default: 2.0,
    unit: 's',
    doc: 'How long cluster roles wait for a reply before treating the peer as unreachable.',
  },
  {
    name: 'CLIENT_READ_TIMEOUT',
    default: 1.0,
    unit: 's',
    doc: 'How long a client waits for a storage server before trying another replica.',
  },
  {
    name: 'CLIENT_COMMIT_TIMEOUT',
    default: 5.0,
    unit: 's',
    doc: 'How long a client waits for a commit reply before answering commit_unknown_result.',
  },
  {
    name: 'DISK_DEGRADED_TIMEOUT',
    default: 10,
    unit: 's',
    doc:
      'A worker with a disk operation in flight this long reports itself degraded: nothing new is ' +
      'recruited on it and its storage servers are replaced (a failed disk never answers).',
  },
  {
    name: 'STORAGE_CHECKPOINT_BYTES',
    default: 4 * 1024 * 1024,
    unit: 'bytes',
    doc:
      'A storage server rewrites its data as one snapshot at the end of its file, and discards what came ' +
      'before it, once this many bytes (and twice its last snapshot) were written since that snapshot.',
    randomize: (r) => r.pick([4096, 65536]),
    min: 4096,
    max: 1e10,
  },
  {
    name: 'TLOG_CHECKPOINT_BYTES',
    default: 4 * 1024 * 1024,
    unit: 'bytes',
    doc:
      'A transaction log copies the versions some storage server still needs to the end of its file, and ' +
      'discards what came before them, once the popped records before them take this many bytes (and twice the copy).',
    randomize: (r) => r.pick([4096, 65536]),
    min: 4096,
    max: 1e10,
  },
  {
    name: 'TLOG_PEEK_INTERVAL',
    default: 0.01,
    unit: 's',
    doc: 'How often a caught-up storage server asks the logs for new versions.',
    randomize: (r) => r.pick([0.001, 0.1]),
  },
  {
    name: 'SHARD_COUNT',
    default: 4,
    unit: 'shards',
    doc: 'Number of key ranges the key space is split into at database creation.',
    randomize: (r) => r.int(1, 9),
  },
];
