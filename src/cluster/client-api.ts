// The database client API that workloads use, close to FoundationDB's bindings. Types (and the list of
// atomic operations) only: the
// simulated cluster implements it in `client.ts`; tests may implement it with a reference model.

/** Keys and values are byte strings. */
export type Bytes = Uint8Array;

/** A committed version: about 1,000,000 per simulated second, strictly increasing. */
export type Version = number;

/** A key-value pair returned by range reads. */
export interface KeyValue {
  readonly key: Bytes;
  readonly value: Bytes;
}

/** FoundationDB key selector: the `offset`-th key relative to the last key `<` (or `<=` when orEqual) `key`, plus one. */
export interface KeySelector {
  readonly key: Bytes;
  readonly orEqual: boolean;
  readonly offset: number;
}

/** Options for reads. `snapshot` reads add no read-conflict range. */
export interface ReadOptions {
  readonly snapshot?: boolean;
}

/** Options for range reads. `limit` 0 means unlimited. */
export interface RangeOptions extends ReadOptions {
  readonly limit?: number;
  readonly reverse?: boolean;
}

/** Atomic mutation types, with FoundationDB's names. */
export type AtomicOp =
  | 'add'
  | 'bitAnd'
  | 'bitOr'
  | 'bitXor'
  | 'max'
  | 'min'
  | 'byteMin'
  | 'byteMax'
  | 'appendIfFits'
  | 'compareAndClear'
  | 'setVersionstampedKey'
  | 'setVersionstampedValue';

/** The atomic operations on a key's value (the versionstamped ones build a key or value instead). */
export const VALUE_ATOMIC_OPS: readonly AtomicOp[] = [
  'add',
  'bitAnd',
  'bitOr',
  'bitXor',
  'max',
  'min',
  'byteMin',
  'byteMax',
  'appendIfFits',
  'compareAndClear',
];

/**
 * Transaction options, with FoundationDB's names. `lockAware`: the transaction may read and commit while
 * the database is locked; `readLockAware`: it may read (but not commit) while it is locked. Options last
 * for the transaction's life, across onError and reset.
 */
export type TransactionOption = 'lockAware' | 'readLockAware';

/** One read-write transaction. Reads see the transaction's own writes (read-your-writes). */
export interface Transaction {
  getReadVersion(): Promise<Version>;
  /** Fixes the read version instead of asking a GRV proxy. */
  setReadVersion(v: Version): void;
  get(key: Bytes, opts?: ReadOptions): Promise<Bytes | undefined>;
  getKey(selector: KeySelector, opts?: ReadOptions): Promise<Bytes>;
  getRange(begin: Bytes | KeySelector, end: Bytes | KeySelector, opts?: RangeOptions): Promise<KeyValue[]>;
  set(key: Bytes, value: Bytes): void;
  clear(key: Bytes): void;
  clearRange(begin: Bytes, end: Bytes): void;
  atomicOp(op: AtomicOp, key: Bytes, param: Bytes): void;
  add(key: Bytes, param: Bytes): void;
  bitAnd(key: Bytes, param: Bytes): void;
  bitOr(key: Bytes, param: Bytes): void;
  bitXor(key: Bytes, param: Bytes): void;
  max(key: Bytes, param: Bytes): void;
  min(key: Bytes, param: Bytes): void;
  byteMin(key: Bytes, param: Bytes): void;
  byteMax(key: Bytes, param: Bytes): void;
  appendIfFits(key: Bytes, param: Bytes): void;
  compareAndClear(key: Bytes, param: Bytes): void;
  /** `key` holds a 10-byte placeholder at the 4-byte little-endian offset appended at its end. */
  setVersionstampedKey(key: Bytes, value: Bytes): void;
  /** `value` holds a 10-byte placeholder at the 4-byte little-endian offset appended at its end. */
  setVersionstampedValue(key: Bytes, value: Bytes): void;
  addReadConflictRange(begin: Bytes, end: Bytes): void;
  addReadConflictKey(key: Bytes): void;
  addWriteConflictRange(begin: Bytes, end: Bytes): void;
  addWriteConflictKey(key: Bytes): void;
  /** Resolves when the key's value changes after this transaction commits. */
  watch(key: Bytes): Promise<void>;
  commit(): Promise<void>;
  /** The version this transaction committed at (after a successful commit), or -1 for a read-only one. */
  getCommittedVersion(): Version;
  /** Resolves to the 10-byte versionstamp after a successful commit. */
  getVersionstamp(): Promise<Bytes>;
  /** Backs off and resets for a retryable error; rethrows anything else. */
  onError(error: unknown): Promise<void>;
  reset(): void;
  /** Per-transaction timeout in simulated milliseconds (0 = none), as FoundationDB's option. */
  setTimeout(ms: number): void;
  /** Sets a transaction option (see TransactionOption). */
  setOption(option: TransactionOption): void;
}

/** What a retry loop's body learns about earlier attempts. */
export interface AttemptInfo {
  /** True when an earlier attempt failed with commit_unknown_result: it may have committed. */
  readonly maybeCommitted: boolean;
  /** 0 for the first attempt. */
  readonly attempt: number;
}

/** A database handle. */
export interface Database {
  /** Runs `body` in a transaction with FoundationDB's retry loop, committing at the end. */
  run<T>(body: (tr: Transaction, info: AttemptInfo) => Promise<T>): Promise<T>;
  createTransaction(): Transaction;
  /**
   * Locks the database with `lockId` (FoundationDB's lockDatabase): from when it resolves until
   * unlockDatabase, transactions without the `lockAware` option fail with `database_locked` (1038): their
   * read versions unless `readLockAware`, their commits always. Resolves at once when already locked with
   * `lockId`; fails with `database_locked` when locked with another id.
   */
  lockDatabase(lockId: Bytes): Promise<void>;
  /** Unlocks a database locked with `lockId`; `database_locked` when locked with another id; no-op when unlocked. */
  unlockDatabase(lockId: Bytes): Promise<void>;
  /** The id the database is locked with, or undefined when it is not locked (a lock-aware read of the lock). */
  databaseLock(): Promise<Bytes | undefined>;
}

/** A FoundationDB error, with its name and numeric code. */
export class FdbError extends Error {
  /**
   * No stack trace: these errors are expected (every conflict, every too-old read) and thrown on hot
   * paths, where capturing a stack cost a few percent of a run. The name and code say what happened.
   */
  constructor(
    readonly code: number,
    readonly errorName: string,
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(errorName);
    Error.stackTraceLimit = limit;
    this.name = 'FdbError';
  }

  /** Retryable by the standard retry loop (onError). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** The commit may have succeeded. */
  get maybeCommitted(): boolean {
    return this.code === 1021;
  }
}

/** FoundationDB error codes used by faultline. */
export const ErrorCodes = {
  operation_failed: 1000,
  timed_out: 1004,
  transaction_too_old: 1007,
  future_version: 1009,
  not_committed: 1020,
  commit_unknown_result: 1021,
  transaction_cancelled: 1025,
  connection_failed: 1026,
  request_maybe_delivered: 1030,
  transaction_timed_out: 1031,
  process_behind: 1037,
  database_locked: 1038,
  proxy_memory_limit_exceeded: 1042,
  broken_promise: 1100,
  key_outside_legal_range: 2004,
  inverted_range: 2005,
  used_during_commit: 2017,
  transaction_too_large: 2101,
  key_too_large: 2102,
  value_too_large: 2103,
  client_invalid_operation: 2000,
  invalid_option: 2007,
  read_version_already_set: 2010,
  version_invalid: 2011,
  range_limits_invalid: 2012,
  invalid_mutation_type: 2018,
  special_keys_write_disabled: 2114,
} as const;

export type ErrorName = keyof typeof ErrorCodes;

const RETRYABLE = new Set<number>([1007, 1009, 1020, 1021, 1037, 1038, 1042, 1004, 1026, 1030, 1100]);

/** Makes an FdbError by name. */
export function fdbError(name: ErrorName): FdbError {
  return new FdbError(ErrorCodes[name], name);
}

/** FoundationDB size limits. */
export const Limits = {
  /** Largest key, bytes. */
  maxKeySize: 10_000,
  /** Largest value, bytes. */
  maxValueSize: 100_000,
  /** Largest transaction (mutations plus conflict ranges), bytes. */
  maxTransactionSize: 10_000_000,
  /**
   * Longest a watch waits on one storage server before registering again, seconds. A server that
   * rebooted forgot its watches, and a request to it is answered by no one: a change made meanwhile
   * fires the watch within this bound (plus a commit's latency), not at once.
   */
  watchReregisterSeconds: 30,
} as const;
