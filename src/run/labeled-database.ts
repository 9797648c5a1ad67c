// The database a workload instance sees: the tester's client, wrapped so that the database calls still in
// flight name what the instance's task waits on. A run that does not finish then reports a stuck workload
// as "waiting on db.run, tr.get" rather than the last delay it slept through long ago.
//
// It also ends the instance's database use when its test ends: FoundationDB cancels a test's workloads,
// so an actor a workload left running (a watcher looping on tr.watch) never issues another call. A call
// made after the instance stopped never settles, as a cancelled actor never resumes; without this a
// watcher woken by a later test's writes copied that test's keys around and broke its data.
//
// This sits on every database call a workload makes, so it is a plain delegating class (no Proxy, no
// bound function per property access) and recomputes its label only when the set of call names changes.
import type {
  AtomicOp,
  AttemptInfo,
  Bytes,
  Database,
  KeySelector,
  KeyValue,
  RangeOptions,
  ReadOptions,
  Transaction,
  TransactionOption,
  Version,
} from '../cluster/client-api.js';

/** The names of the calls in flight, with how many of each, and the label they make. */
class InFlight {
  private readonly counts = new Map<string, number>();
  /** One settle callback per call name, made once: a call allocates no closure of its own. */
  private readonly enders = new Map<string, () => void>();
  constructor(
    private readonly waitingOn: (what: string) => void,
    /** False once the instance's test has ended: calls from then on never settle. */
    readonly active: () => boolean,
  ) {}

  /**
   * Runs `fn.call(self, a, b, c)` as one call named `name` in flight; a call of a stopped instance never
   * settles. The method and its arguments are passed separately so that no closure is made per call.
   */
  track<S, A, B, C, T>(
    name: string,
    self: S,
    fn: (this: S, a: A, b: B, c: C) => Promise<T>,
    a: A,
    b: B,
    c: C,
  ): Promise<T> {
    if (!this.active()) return new Promise<T>(() => {});
    this.start(name);
    let p: Promise<T>;
    try {
      p = fn.call(self, a, b, c);
    } catch (e) {
      this.end(name);
      throw e;
    }
    const end = this.ender(name);
    p.then(end, end);
    return p;
  }

  private ender(name: string): () => void {
    let end = this.enders.get(name);
    if (end === undefined) {
      end = () => this.end(name);
      this.enders.set(name, end);
    }
    return end;
  }

  private start(name: string): void {
    const n = this.counts.get(name);
    this.counts.set(name, (n ?? 0) + 1);
    if (n === undefined) this.label();
  }

  /** When the last call ends the label is left alone: the task's next wait names itself. */
  private end(name: string): void {
    const n = this.counts.get(name) ?? 0;
    if (n > 1) {
      this.counts.set(name, n - 1);
      return;
    }
    this.counts.delete(name);
    if (this.counts.size > 0) this.label();
  }

  private label(): void {
    this.waitingOn([...this.counts.keys()].join(', '));
  }
}

/** A transaction whose waiting calls are tracked; every other call goes straight through. */
class LabeledTransaction implements Transaction {
  constructor(
    private readonly tr: Transaction,
    private readonly flight: InFlight,
  ) {}
  getReadVersion(): Promise<Version> {
    const tr = this.tr;
    return this.flight.track('tr.getReadVersion', tr, tr.getReadVersion, undefined, undefined, undefined);
  }
  setReadVersion(v: Version): void {
    this.tr.setReadVersion(v);
  }
  get(key: Bytes, opts?: ReadOptions): Promise<Bytes | undefined> {
    const tr = this.tr;
    return this.flight.track('tr.get', tr, tr.get, key, opts, undefined);
  }
  getKey(selector: KeySelector, opts?: ReadOptions): Promise<Bytes> {
    const tr = this.tr;
    return this.flight.track('tr.getKey', tr, tr.getKey, selector, opts, undefined);
  }
  getRange(begin: Bytes | KeySelector, end: Bytes | KeySelector, opts?: RangeOptions): Promise<KeyValue[]> {
    const tr = this.tr;
    return this.flight.track('tr.getRange', tr, tr.getRange, begin, end, opts);
  }
  watch(key: Bytes): Promise<void> {
    const tr = this.tr;
    return this.flight.track('tr.watch', tr, tr.watch, key, undefined, undefined);
  }
  commit(): Promise<void> {
    const tr = this.tr;
    return this.flight.track('tr.commit', tr, tr.commit, undefined, undefined, undefined);
  }
  getVersionstamp(): Promise<Bytes> {
    const tr = this.tr;
    return this.flight.track('tr.getVersionstamp', tr, tr.getVersionstamp, undefined, undefined, undefined);
  }
  onError(error: unknown): Promise<void> {
    const tr = this.tr;
    return this.flight.track('tr.onError', tr, tr.onError, error, undefined, undefined);
  }
  set(key: Bytes, value: Bytes): void {
    this.tr.set(key, value);
  }
  clear(key: Bytes): void {
    this.tr.clear(key);
  }
  clearRange(begin: Bytes, end: Bytes): void {
    this.tr.clearRange(begin, end);
  }
  atomicOp(op: AtomicOp, key: Bytes, param: Bytes): void {
    this.tr.atomicOp(op, key, param);
  }
  add(key: Bytes, param: Bytes): void {
    this.tr.add(key, param);
  }
  bitAnd(key: Bytes, param: Bytes): void {
    this.tr.bitAnd(key, param);
  }
  bitOr(key: Bytes, param: Bytes): void {
    this.tr.bitOr(key, param);
  }
  bitXor(key: Bytes, param: Bytes): void {
    this.tr.bitXor(key, param);
  }
  max(key: Bytes, param: Bytes): void {
    this.tr.max(key, param);
  }
  min(key: Bytes, param: Bytes): void {
    this.tr.min(key, param);
  }
  byteMin(key: Bytes, param: Bytes): void {
    this.tr.byteMin(key, param);
  }
  byteMax(key: Bytes, param: Bytes): void {
    this.tr.byteMax(key, param);
  }
  appendIfFits(key: Bytes, param: Bytes): void {
    this.tr.appendIfFits(key, param);
  }
  compareAndClear(key: Bytes, param: Bytes): void {
    this.tr.compareAndClear(key, param);
  }
  setVersionstampedKey(key: Bytes, value: Bytes): void {
    this.tr.setVersionstampedKey(key, value);
  }
  setVersionstampedValue(key: Bytes, value: Bytes): void {
    this.tr.setVersionstampedValue(key, value);
  }
  addReadConflictRange(begin: Bytes, end: Bytes): void {
    this.tr.addReadConflictRange(begin, end);
  }
  addReadConflictKey(key: Bytes): void {
    this.tr.addReadConflictKey(key);
  }
  addWriteConflictRange(begin: Bytes, end: Bytes): void {
    this.tr.addWriteConflictRange(begin, end);
  }
  addWriteConflictKey(key: Bytes): void {
    this.tr.addWriteConflictKey(key);
  }
  getCommittedVersion(): Version {
    return this.tr.getCommittedVersion();
  }
  reset(): void {
    this.tr.reset();
  }
  setTimeout(ms: number): void {
    this.tr.setTimeout(ms);
  }
  setOption(option: TransactionOption): void {
    this.tr.setOption(option);
  }
}

/**
 * `db`, telling `waitingOn` which of its calls are in flight ('db.run, tr.get') whenever one starts or
 * one of several ends. When the last one ends the label is left alone: the task's next wait names itself.
 * Once `active` returns false (the instance's test ended) no call, and no retry of a `db.run` body, starts.
 */
export function labeledDatabase(
  db: Database,
  waitingOn: (what: string) => void,
  active: () => boolean = () => true,
): Database {
  const flight = new InFlight(waitingOn, active);
  const stopped = new Promise<never>(() => {});
  return {
    run: <T>(body: (tr: Transaction, info: AttemptInfo) => Promise<T>): Promise<T> =>
      flight.track(
        'db.run',
        db,
        db.run<T>,
        (tr: Transaction, info: AttemptInfo) =>
          active() ? body(new LabeledTransaction(tr, flight), info) : (stopped as Promise<T>),
        undefined,
        undefined,
      ),
    createTransaction: () => new LabeledTransaction(db.createTransaction(), flight),
    lockDatabase: (lockId) =>
      flight.track('db.lockDatabase', db, db.lockDatabase, lockId, undefined, undefined),
    unlockDatabase: (lockId) =>
      flight.track('db.unlockDatabase', db, db.unlockDatabase, lockId, undefined, undefined),
    databaseLock: () => flight.track('db.databaseLock', db, db.databaseLock, undefined, undefined, undefined),
  };
}
