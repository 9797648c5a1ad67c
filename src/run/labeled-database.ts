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
  constructor(
    private readonly waitingOn: (what: string) => void,
    /** False once the instance's test has ended: calls from then on never settle. */
    readonly active: () => boolean,
  ) {}

  /** Runs `call` as one call named `name` in flight; a call of a stopped instance never settles. */
  track<T>(name: string, call: () => Promise<T>): Promise<T> {
    if (!this.active()) return new Promise<T>(() => {});
    this.start(name);
    let p: Promise<T>;
    try {
      p = call();
    } catch (e) {
      this.end(name);
      throw e;
    }
    const end = (): void => this.end(name);
    p.then(end, end);
    return p;
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
    return this.flight.track('tr.getReadVersion', () => this.tr.getReadVersion());
  }
  setReadVersion(v: Version): void {
    this.tr.setReadVersion(v);
  }
  get(key: Bytes, opts?: ReadOptions): Promise<Bytes | undefined> {
    return this.flight.track('tr.get', () => this.tr.get(key, opts));
  }
  getKey(selector: KeySelector, opts?: ReadOptions): Promise<Bytes> {
    return this.flight.track('tr.getKey', () => this.tr.getKey(selector, opts));
  }
  getRange(begin: Bytes | KeySelector, end: Bytes | KeySelector, opts?: RangeOptions): Promise<KeyValue[]> {
    return this.flight.track('tr.getRange', () => this.tr.getRange(begin, end, opts));
  }
  watch(key: Bytes): Promise<void> {
    return this.flight.track('tr.watch', () => this.tr.watch(key));
  }
  commit(): Promise<void> {
    return this.flight.track('tr.commit', () => this.tr.commit());
  }
  getVersionstamp(): Promise<Bytes> {
    return this.flight.track('tr.getVersionstamp', () => this.tr.getVersionstamp());
  }
  onError(error: unknown): Promise<void> {
    return this.flight.track('tr.onError', () => this.tr.onError(error));
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
      flight.track('db.run', () =>
        db.run((tr, info) => (active() ? body(new LabeledTransaction(tr, flight), info) : stopped)),
      ),
    createTransaction: () => new LabeledTransaction(db.createTransaction(), flight),
    lockDatabase: (lockId) => flight.track('db.lockDatabase', () => db.lockDatabase(lockId)),
    unlockDatabase: (lockId) => flight.track('db.unlockDatabase', () => db.unlockDatabase(lockId)),
    databaseLock: () => flight.track('db.databaseLock', () => db.databaseLock()),
  };
}
