// Simulated processes and machines: identity, lifecycle, and work scoped to one incarnation.
//
// Everything a process does (timers, futures, tasks, disk I/O, message handlers) is bound to its
// current incarnation. When the process is killed or rebooted the incarnation ends and none of that
// work ever runs again, exactly as FoundationDB never runs a failed process's tasks.
import type { Time } from '../core/time.js';
import type { DataFolder } from './disk.js';
import type { SimEvent } from './event-queue.js';
import { type Future, type Kernel, KernelFuture, resolveVoid, type Task } from './kernel.js';

/** FoundationDB process classes. */
export type ProcessClass = 'unset' | 'storage' | 'transaction' | 'stateless' | 'test';

/** Where a machine sits. */
export interface Locality {
  readonly dcId: string;
  readonly dataHall: string;
  readonly zoneId: string;
  readonly machineId: string;
}

/** A message handler; `from` is the sender's address. */
export type Handler = (payload: unknown, from: string) => void;

/** A simulated machine: processes sharing a zone, rebooted together by machine kills. */
export class SimMachine {
  readonly processes: SimProcess[] = [];
  /** Machine-level reboot in progress (set while a machine kill/reboot is pending). */
  rebooting = false;
  constructor(
    readonly locality: Locality,
    /** The IP shared by this machine's processes (FoundationDB gives each machine one IP). */
    readonly ip: string,
  ) {}
}

/** A simulated process (one fdbserver, or a tester). */
export class SimProcess {
  /** Bumped at every boot; work of an older incarnation never runs. */
  incarnation = 0;
  /** Clock skew (ClockSkew chaos): offset of this process's clock from simulated time, µs. */
  clockOffset: Time = 0;
  /** Clock drift (ClockSkew chaos): parts per million this process's clock runs fast (or slow, negative). */
  clockDriftPpm = 0;
  /** When the current drift began, simulated µs. */
  clockDriftSince: Time = 0;
  /** Running now (false while down for a reboot, and forever after a permanent kill). */
  alive = false;
  /** Permanently dead (KillInstantly, or removed): never rebooted. */
  failed = false;
  /** Fault injection armed (InjectFaults kill type): disk I/O may throw injected errors. */
  faultInjection = false;
  /** Disk never completes I/O (FailDisk kill type). */
  diskFailed = false;
  /**
   * When each of this incarnation's disk operations still in flight was issued (insertion order is issue
   * order, so the first is the oldest). What a real process knows of its own outstanding I/O: a worker
   * reports itself degraded when one has waited too long (see `oldestDiskOpSince`).
   */
  readonly diskOpsInFlight = new Map<number, Time>();
  private nextDiskOp = 0;
  /** Who holds which role here: holder id (a role's id, or the abbreviation itself) to abbreviation. */
  private readonly roleHolders = new Map<string, string>();
  /**
   * What happens when a task of this process fails and the spawner gave no handler: installed by the
   * code that boots the process (the cluster's worker crashes and restarts the process on disk errors).
   * Without one, the failure ends the run as a crash.
   */
  failureHandler: ((e: unknown) => void) | undefined;
  private handlers = new Map<string, Handler>();
  private tasks = new Set<Task>();
  private onDown: (() => void)[] = [];

  constructor(
    readonly kernel: Kernel,
    readonly machine: SimMachine,
    /** `ip:port`. */
    readonly address: string,
    public processClass: ProcessClass,
    /** The process's data folder (swappable between machines on reboot). */
    public folder: DataFolder,
  ) {}

  get ip(): string {
    return this.machine.ip;
  }

  /**
   * Role abbreviations held now, for the trace `Roles` field and chaos targeting (CC, MS, CP, GP, RV, TL,
   * SS, CD...). A role counts while any holder of it runs here: a process may host an ended epoch's
   * log while it serves the new epoch's.
   */
  get roles(): ReadonlySet<string> {
    return new Set(this.roleHolders.values());
  }

  /** Records that `holder` (a role's id; by default the role itself) runs role `role` here. */
  addRole(role: string, holder: string = role): void {
    this.roleHolders.set(holder, role);
  }

  /** Records that `holder` stopped. */
  removeRole(holder: string): void {
    this.roleHolders.delete(holder);
  }

  /**
   * This process's own reading of the clock: simulated time plus its skew and drift. Code that measures
   * time the way a real process would (leases, failure detection, workloads' now()) reads this.
   */
  localTime(): Time {
    const now = this.kernel.now();
    return now + this.clockOffset + Math.round(((now - this.clockDriftSince) * this.clockDriftPpm) / 1e6);
  }

  /** Runs `fn` after `dt` µs if this incarnation is still alive then. Returns the event (to cancel). */
  after(dt: Time, fn: () => void): SimEvent {
    const inc = this.incarnation;
    return this.kernel.after(dt, () => {
      if (this.alive && this.incarnation === inc) fn();
    });
  }

  /** A kernel future that only resolves while this incarnation lives. */
  future<T>(label: string, owner?: Task): Future<T> {
    if (owner) owner.waitingOn = label;
    return new ProcessFuture<T>(this.kernel, label, this, this.incarnation);
  }

  /** Sleeps `dt` µs; never returns if the process dies meanwhile. */
  delay(dt: Time, owner?: Task): Promise<void> {
    const f = this.future<void>('delay', owner);
    // The future itself does nothing once this incarnation is gone, so no liveness check is wrapped round it.
    this.kernel.after(dt, resolveVoid, f);
    return f.promise;
  }

  /** Starts a task that belongs to this incarnation (forgotten when the process goes down). */
  spawn(name: string, body: (t: Task) => Promise<void>, onError?: (e: unknown) => void): Task {
    const inc = this.incarnation;
    onError ??= this.failureHandler;
    const t = this.kernel.spawn(
      `${name}@${this.address}`,
      body,
      onError
        ? {
            daemon: true,
            onError: (e) => {
              if (this.incarnation === inc) onError(e);
            },
          }
        : { daemon: true },
    );
    this.tasks.add(t);
    return t;
  }

  /** Registers the handler for messages sent to `endpoint` on this process. */
  listen(endpoint: string, handler: Handler): void {
    this.handlers.set(endpoint, handler);
  }

  /** Removes an endpoint's handler. */
  unlisten(endpoint: string): void {
    this.handlers.delete(endpoint);
  }

  /** The handler for an endpoint, if the process is up and listening. */
  handler(endpoint: string): Handler | undefined {
    return this.alive ? this.handlers.get(endpoint) : undefined;
  }

  /** Runs `fn` when this incarnation goes down (kill or reboot). */
  whenDown(fn: () => void): void {
    this.onDown.push(fn);
  }

  /** Starts a new incarnation. Called by the machine lifecycle code. */
  boot(): void {
    this.incarnation++;
    this.alive = true;
    this.faultInjection = false;
    this.diskFailed = false;
    this.diskOpsInFlight.clear();
  }

  /** Records a disk operation issued now; returns its ticket for `diskOpDone`. */
  diskOpStarted(now: Time): number {
    const ticket = this.nextDiskOp++;
    this.diskOpsInFlight.set(ticket, now);
    return ticket;
  }

  /** A disk operation completed (or failed). */
  diskOpDone(ticket: number): void {
    this.diskOpsInFlight.delete(ticket);
  }

  /** When the oldest disk operation still in flight was issued, or undefined when none is. */
  oldestDiskOpSince(): Time | undefined {
    for (const since of this.diskOpsInFlight.values()) return since;
    return undefined;
  }

  /** Ends the current incarnation: all its pending work is abandoned. Called by the lifecycle code. */
  shutdown(): void {
    if (!this.alive) return;
    this.alive = false;
    this.incarnation++;
    for (const t of this.tasks) this.kernel.forget(t);
    this.tasks.clear();
    this.handlers = new Map();
    this.roleHolders.clear();
    this.failureHandler = undefined;
    const downs = this.onDown;
    this.onDown = [];
    for (const fn of downs) fn();
  }
}

/** A future of one process incarnation: settling it is a no-op once that incarnation is gone. */
class ProcessFuture<T> extends KernelFuture<T> {
  constructor(
    kernel: Kernel,
    label: string,
    private readonly proc: SimProcess,
    private readonly incarnation: number,
  ) {
    super(kernel, label);
  }

  override resolve(value: T): void {
    if (this.proc.alive && this.proc.incarnation === this.incarnation) super.resolve(value);
  }

  override reject(error: unknown): void {
    if (this.proc.alive && this.proc.incarnation === this.incarnation) super.reject(error);
  }
}
