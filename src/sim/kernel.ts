// The deterministic kernel: virtual clock, event loop, simulated promises, tasks, limits, global redirects.
//
// Callback events run in a tight synchronous loop. After an instant's events, the loop lets the microtask
// queue drain completely (see afterDrain) before time advances, so promise work that an event started or
// woke finishes at that instant. So continuations always run at the
// instant they were woken, `now()` is always right, and the order of everything is fixed by (time, seq).
import { FaultlineError, InternalError } from '../core/errors.js';
import { Random } from '../core/random.js';
import { formatTime, seconds, type Time } from '../core/time.js';
import { EventQueue, type SimEvent } from './event-queue.js';

/** Limits that end a run that would otherwise not end. */
export interface KernelLimits {
  /** Largest simulated time the run may reach, in microseconds. Default: 36,000 s. */
  readonly maxTime?: Time;
  /** Largest number of events the run may process. Default: 2e9. */
  readonly maxEvents?: number;
  /**
   * Most events at one simulated instant: more means simulated time stopped advancing while events
   * churn (a zero-length loop), which no time limit would ever end. Default: 10,000,000.
   */
  readonly maxEventsAtOneInstant?: number;
  /**
   * Largest memory the run may use (JavaScript heap plus buffers, where simulated disks keep their
   * blocks), in bytes, checked every 65,536 events; above it the run
   * ends as did-not-finish instead of dying in a V8 heap abort. Default: no limit.
   */
  readonly maxHeapBytes?: number;
}

/** Events between two heap checks (a power of two). */
const HEAP_CHECK_EVERY = 65_536;

/** A promise the kernel resolves; resolving it counts as a task wake-up. */
export interface Future<T> {
  readonly promise: Promise<T>;
  readonly label: string;
  readonly settled: boolean;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A unit of async work run by the kernel. A daemon (a server loop) does not keep a run alive. */
export class Task {
  done = false;
  abandoned = false;
  /** What the task last waited for, for "did not finish" reports. */
  waitingOn = 'nothing yet';
  constructor(
    readonly name: string,
    readonly daemon: boolean,
  ) {}

  /** Forget this task: its process died, so nothing it awaits will ever resolve. */
  abandon(): void {
    this.abandoned = true;
  }
}

/** How a run ended. */
export type RunOutcome<T> =
  | { readonly kind: 'finished'; readonly value: T }
  | { readonly kind: 'did-not-finish'; readonly reason: string; readonly stuck: readonly StuckTask[] };

export interface StuckTask {
  readonly name: string;
  readonly waitingOn: string;
}

/** Thrown from `run` when a non-daemon task's body throws (a crash, not an invariant failure). */
export class TaskCrashError extends FaultlineError {
  constructor(
    readonly taskName: string,
    readonly error: unknown,
  ) {
    super('internal', `task ${taskName} crashed: ${error instanceof Error ? error.message : String(error)}`);
    this.name = 'TaskCrashError';
  }
}

/** The fixed wall-clock epoch that `Date.now()` reports at simulated time 0 during a run (2030-01-01). */
export const SIM_EPOCH_MS = 1_893_456_000_000;

function mib(bytes: number): number {
  return Math.round(bytes / 1048576);
}

/** What a run's code sees instead of the host's clock and random numbers while the run is active. */
export interface SimulatedGlobals {
  /** `Math.random()`: a draw from the run's `Math.random` stream. */
  random(): number;
  /** `Date.now()` (and `new Date()`): SIM_EPOCH_MS plus simulated time, milliseconds. */
  nowMs(): number;
  /** `performance.now()`: simulated time since the run began, milliseconds. */
  perfNow(): number;
}

/**
 * Redirects the host's globals for one run only, while other runs (or the caller's own code) in the same
 * process keep theirs. A run's code runs only in the turns of the host's event loop that the kernel
 * takes: each begins with `enter` in a setImmediate callback, when no other JavaScript is queued, so
 * every tick and microtask until the kernel's `exit` (just before it yields to the host again, or when the
 * run ends) descends from the run's own events. No async context is needed to tell whose code is running.
 */
export interface GlobalsScope {
  /** From now until `exit`, the running code is this run's: the globals answer from `sim`. */
  enter(sim: SimulatedGlobals): void;
  /** The run's turn is over: the globals are the host's again. */
  exit(): void;
  /** The host's own setImmediate, which the kernel uses to yield to the host now and then. */
  readonly setImmediate: (fn: () => void) => void;
}

/** The deterministic discrete-event kernel. One per run; nothing is shared between runs. */
/**
 * A kernel future as a class, so a future is one object plus its promise: futures are made for every
 * request and every delay, and closures per future were a measurable share of allocation. Its
 * methods must be called on it (not detached).
 */
export class KernelFuture<T> implements Future<T> {
  readonly promise: Promise<T>;
  settled = false;
  private res!: (v: T) => void;
  private rej!: (e: unknown) => void;

  constructor(
    private readonly kernel: Kernel,
    readonly label: string,
  ) {
    this.promise = new Promise<T>((a, b) => {
      this.res = a;
      this.rej = b;
    });
  }

  resolve(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.kernel.markWoke();
    this.res(value);
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.kernel.markWoke();
    this.rej(error);
  }
}

export class Kernel {
  private time: Time = 0;
  private seq = 0;
  private eventCount = 0;
  private readonly queue = new EventQueue();
  private woke = false;
  private readonly tasks = new Set<Task>();
  private crash: TaskCrashError | undefined;
  private active = false;
  readonly random: Random;
  readonly maxTime: Time;
  readonly maxEvents: number;
  readonly maxEventsAtOneInstant: number;
  readonly maxHeapBytes: number;
  private eventsAtThisInstant = 0;

  constructor(seed: number | string, limits: KernelLimits = {}) {
    this.random = new Random(seed);
    this.maxTime = limits.maxTime ?? seconds(36_000);
    this.maxEvents = limits.maxEvents ?? 2e9;
    this.maxEventsAtOneInstant = limits.maxEventsAtOneInstant ?? 10_000_000;
    this.maxHeapBytes = limits.maxHeapBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Current simulated time, microseconds. */
  now(): Time {
    return this.time;
  }

  /** Events processed so far. */
  get events(): number {
    return this.eventCount;
  }

  /**
   * Runs `fn(arg)` at absolute time `at` (clamped to now). Returns the event, whose `cancelled` may be
   * set. Passing a shared `fn` and its `arg` instead of a closure saves an allocation per event.
   */
  at<A>(at: Time, fn: (arg: A) => void, arg?: A): SimEvent {
    const ev: SimEvent = {
      time: at < this.time ? this.time : at,
      seq: this.seq++,
      fn: fn as (arg: unknown) => void,
      arg,
      cancelled: false,
    };
    this.queue.push(ev);
    return ev;
  }

  /** Cancels a scheduled event: it never runs (nor counts as an event). */
  cancel(ev: SimEvent): void {
    this.queue.cancel(ev);
  }

  /** Runs `fn(arg)` after `dt` microseconds (see `at`). */
  after<A>(dt: Time, fn: (arg: A) => void, arg?: A): SimEvent {
    return this.at(this.time + (dt > 0 ? dt : 0), fn, arg);
  }

  /** A kernel future. Resolve it only from kernel code (events, other futures): that is what marks a wake-up. */
  future<T>(label: string, owner?: Task): Future<T> {
    if (owner) owner.waitingOn = label;
    return new KernelFuture<T>(this, label);
  }

  /** Marks a wake-up: the microtask queue is drained before time advances. For KernelFuture. */
  markWoke(): void {
    this.woke = true;
  }

  /** A promise that resolves after `dt` microseconds of simulated time. */
  delay(dt: Time, owner?: Task): Promise<void> {
    const f = this.future<void>(owner ? `delay until ${formatTime(this.time + dt)}` : 'delay', owner);
    this.after(dt, resolveVoid, f);
    return f.promise;
  }

  /**
   * Starts `body` as a task. A crash of a non-daemon task ends the run with TaskCrashError unless
   * `onError` handles it; daemons report through `onError` or end the run the same way.
   */
  spawn(
    name: string,
    body: (task: Task) => Promise<void>,
    opts: { daemon?: boolean; onError?: (e: unknown) => void } = {},
  ): Task {
    const task = new Task(name, opts.daemon ?? false);
    this.tasks.add(task);
    const finish = () => {
      task.done = true;
      this.tasks.delete(task);
    };
    body(task).then(finish, (e: unknown) => {
      finish();
      if (task.abandoned) return;
      if (opts.onError) opts.onError(e);
      else if (!this.crash) this.crash = new TaskCrashError(name, e);
    });
    return task;
  }

  /** Ends the run with a TaskCrashError for `error` (the first failure wins), as an uncaught task error does. */
  fail(taskName: string, error: unknown): void {
    if (!this.crash) this.crash = new TaskCrashError(taskName, error);
  }

  /** Removes a task from the live set (its process died); see Task.abandon. */
  forget(task: Task): void {
    task.abandon();
    this.tasks.delete(task);
  }

  /**
   * Runs `main` to completion in simulated time. Ends early as did-not-finish when the event queue
   * empties while `main` waits, or when a limit is hit. While running, `Math.random`, `Date.now` (and,
   * with a `scope`, `new Date()` and `performance.now`) are redirected to this run's PRNG and clock.
   * With a `scope` the redirection covers this run only (runs side by side in one process each see
   * their own) and the run starts in a turn of its own (see GlobalsScope); without one the globals are
   * swapped for the run and restored afterwards, even on a throw, and `main` starts at once.
   */
  run<T>(main: (task: Task) => Promise<T>, scope?: GlobalsScope): Promise<RunOutcome<T>> {
    if (this.active) throw new InternalError('kernel.run called while the kernel is already running');
    this.active = true;
    const rng = this.random.fork('Math.random');
    const sim: SimulatedGlobals = {
      random: () => rng.next(),
      nowMs: () => SIM_EPOCH_MS + Math.floor(this.time / 1000),
      perfNow: () => this.time / 1000,
    };
    if (!scope) return this.runWith(main, setImmediate, swapGlobals(sim), undefined);
    const real = scope.setImmediate;
    const inTurn = (fn: () => void): void =>
      real(() => {
        scope.enter(sim);
        fn();
      });
    // Yielding ends this turn; the first turn is started from the caller's code, which is in no turn of
    // this run (nor ends another's).
    const turn = (fn: () => void): void => {
      scope.exit();
      inTurn(fn);
    };
    return this.runWith(main, turn, () => scope.exit(), inTurn);
  }

  private runWith<T>(
    main: (task: Task) => Promise<T>,
    yieldToHost: (fn: () => void) => void,
    restore: () => void,
    /** Starts the run's first turn; undefined: `main` starts at once. */
    firstTurn: ((begin: () => void) => void) | undefined,
  ): Promise<RunOutcome<T>> {
    this.yieldToHost = yieldToHost;
    let result: { value: T } | undefined;
    let mainTask: Task | undefined;
    return new Promise<RunOutcome<T>>((resolve, reject) => {
      const end = (outcome: RunOutcome<T> | Error) => {
        restore();
        this.active = false;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const stuck = (reason: string): RunOutcome<T> => ({
        kind: 'did-not-finish',
        reason,
        stuck: [...this.tasks]
          .filter((t) => !t.daemon)
          .map((t) => ({ name: t.name, waitingOn: t.waitingOn })),
      });
      const step = (): void => {
        try {
          for (;;) {
            if (this.crash) return end(this.crash);
            if (mainTask!.done && result) return end({ kind: 'finished', value: result.value });
            const ev = this.queue.peek();
            if (ev === undefined || (this.woke && ev.time > this.time)) {
              if (this.woke) {
                // Let every continuation woken at this instant run before time moves on.
                this.woke = false;
                this.afterDrain(step);
                return;
              }
              if (ev === undefined) return end(stuck('the event queue is empty while tasks still wait'));
            }
            this.queue.pop();
            if (ev!.cancelled) continue;
            if (ev!.time > this.maxTime) {
              return end(stuck(`simulated time limit of ${formatTime(this.maxTime)} s reached`));
            }
            const limit = this.limitReached(ev!.time);
            if (limit !== undefined) return end(stuck(limit));
            this.time = ev!.time;
            this.eventCount++;
            // A callback may start promise work (a message handler awaiting an already-settled promise,
            // say) without resolving any kernel future: its continuations must still run at this instant,
            // not at whatever later instant happens to drain the microtask queue next.
            this.woke = true;
            ev!.fn(ev!.arg);
          }
        } catch (e) {
          end(e instanceof Error ? e : new InternalError(String(e)));
        }
      };
      this.stepOnNextTick = () => process.nextTick(step);
      const begin = (): void => {
        mainTask = this.spawn('main', async (t) => {
          const v = await main(t);
          result = { value: v };
        });
        // The main task's first segment ran synchronously in spawn; drain its microtasks first.
        this.woke = true;
        step();
      };
      if (firstTurn) firstTurn(begin);
      else begin();
    });
  }

  /** Which limit the next event, at `time`, would break; undefined when none. */
  private limitReached(time: Time): string | undefined {
    if (this.eventCount >= this.maxEvents) return `event limit of ${this.maxEvents} events reached`;
    this.eventsAtThisInstant = time === this.time ? this.eventsAtThisInstant + 1 : 0;
    if (this.eventsAtThisInstant >= this.maxEventsAtOneInstant) {
      return `simulated time stopped advancing at ${formatTime(time)} s: ${this.eventsAtThisInstant} events at that one instant (a loop with a zero delay?)`;
    }
    if ((this.eventCount & (HEAP_CHECK_EVERY - 1)) === 0 && this.maxHeapBytes !== Number.POSITIVE_INFINITY) {
      // Buffers count too: simulated disks keep their blocks in them, outside the JavaScript heap.
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      if (heapUsed + arrayBuffers > this.maxHeapBytes) {
        return `memory limit of ${mib(this.maxHeapBytes)} MiB reached (heap ${mib(heapUsed)} MiB, buffers ${mib(arrayBuffers)} MiB, ${this.queue.size} events queued, ${this.tasks.size} tasks)`;
      }
    }
    return undefined;
  }

  private drains = 0;
  private yieldToHost: (fn: () => void) => void = setImmediate;
  /** Queues the run's step as a nextTick; made once per run rather than once per drain. */
  private stepOnNextTick: () => void = () => {};

  /**
   * Calls `step` once the microtask queue is completely empty. A nextTick queued from inside a microtask
   * runs only after V8 has drained every microtask (Node's tick loop drains the whole queue before it
   * looks at nextTicks again), so this costs no event-loop turn. Every 512th drain goes through
   * setImmediate instead, so that I/O and timers outside the simulation are never starved.
   */
  private afterDrain(step: () => void): void {
    if (++this.drains % 512 === 0) this.yieldToHost(step);
    // A reaction on a settled promise is a microtask queued at once, as queueMicrotask's is, without the
    // AsyncResource and bound function Node's queueMicrotask makes for each call.
    else SETTLED.then(this.stepOnNextTick);
  }
}

/** Resolves a future of nothing: the callback of every delay's event (see Kernel.at). */
export function resolveVoid(f: Future<void>): void {
  f.resolve();
}

/** An already-settled promise: a reaction on it is a plain microtask (see afterDrain). */
const SETTLED: Promise<void> = Promise.resolve();

/** Swaps `Math.random` and `Date.now` for the simulated ones; returns the function that restores them. */
function swapGlobals(sim: SimulatedGlobals): () => void {
  const origRandom = Math.random;
  const origNow = Date.now;
  Math.random = sim.random;
  Date.now = sim.nowMs;
  return () => {
    Math.random = origRandom;
    Date.now = origNow;
  };
}
