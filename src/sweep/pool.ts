// The worker pool: N worker processes, one run each at a time. A run past its wall-clock limit, or a worker
// that runs out of memory or dies, becomes an ended job of its own kind; the worker is killed (which stops
// even a busy loop) and a fresh one takes its slot, so the sweep never hangs on one run.
//
// Workers are processes, not threads, so that each can run V8 with --single-threaded-gc: a run's garbage
// is then collected on the thread that made it, instead of on helper threads that compete with the other
// worker for the same cores (docs/benchmarks.md, "Sweeps", has the measurements).
import { type ChildProcess, fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { RunJob, WorkerReply, WorkerSetup } from './job.js';
import type { SweepRecord } from './record.js';

/** How the pool runs. */
export interface PoolOptions {
  /** Worker processes. >= 1. */
  readonly size: number;
  readonly setup: WorkerSetup;
  /** Wall-clock seconds a run may take; absent: no limit. */
  readonly timeoutSeconds?: number;
  /** Old-generation heap limit of each worker, MB; absent: V8's default. */
  readonly maxMemoryMb?: number;
}

/** How a job ended. */
export type JobEnd =
  | { readonly kind: 'record'; readonly record: SweepRecord }
  | {
      readonly kind: 'lost';
      readonly outcome: 'timeout' | 'out-of-memory' | 'crash';
      readonly message: string;
      readonly wallSeconds: number;
    }
  | { readonly kind: 'bad-input'; readonly message: string }
  | { readonly kind: 'cancelled' };

/** A finished job and the slot (worker) that ran it. */
export interface JobDone {
  readonly end: JobEnd;
  readonly slot: number;
}

interface Pending {
  readonly job: RunJob;
  /** Run on any slot but this one (when the pool has more than one). */
  readonly avoidSlot: number | undefined;
  readonly resolve: (d: JobDone) => void;
}

interface Slot {
  readonly id: number;
  worker: ChildProcess;
  ready: boolean;
  current: (Pending & { started: number; timer: NodeJS.Timeout | undefined }) | undefined;
}

/**
 * V8 flags of every worker. Garbage is collected on the run's own thread (see the file header), and the
 * young generation may grow to 64 MB a semi-space, starting at 16 (V8's defaults: 16 and 1). A sweep's
 * worker runs seed after seed with a heap of 100-200 MB that lives as long as the run; with small
 * semi-spaces each scavenge copies much of the young data again. With these flags the default spec takes
 * about 13 % less CPU a seed (docs/benchmarks.md, "Sweeps"); each worker's peak heap grows by about 90 MB.
 */
const WORKER_V8_FLAGS = ['--single-threaded-gc', '--max-semi-space-size=64', '--min-semi-space-size=16'];

/** The last bytes a worker wrote to stderr, kept to tell an out-of-memory abort from another crash. */
const STDERR_TAIL = 4096;

/** Runs jobs on worker processes; see the file header. */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private stopped = false;
  /** Workers that died before they were ready, in a row (a broken install, not a bad run). */
  private startupFailures = 0;

  constructor(private readonly opts: PoolOptions) {
    for (let i = 0; i < opts.size; i++) {
      const slot: Slot = {
        id: i,
        worker: undefined as unknown as ChildProcess,
        ready: false,
        current: undefined,
      };
      this.slots.push(slot);
      this.spawn(slot);
    }
  }

  /**
   * Runs `job`; resolves when it ends (never rejects). `avoidSlot`: run it on another worker (when there
   * is one). `urgent`: ahead of every queued job.
   */
  run(job: RunJob, avoidSlot?: number, urgent = false): Promise<JobDone> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve({ end: { kind: 'cancelled' }, slot: -1 });
      const p = { job, avoidSlot, resolve };
      if (urgent) this.queue.unshift(p);
      else this.queue.push(p);
      this.pump();
    });
  }

  /** Ends every run in flight and every queued job (as cancelled) and terminates the workers. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.queue.splice(0)) p.resolve({ end: { kind: 'cancelled' }, slot: -1 });
    await Promise.all(
      this.slots.map(async (s) => {
        const cur = s.current;
        s.current = undefined;
        if (cur) {
          if (cur.timer) clearTimeout(cur.timer);
          cur.resolve({ end: { kind: 'cancelled' }, slot: s.id });
        }
        await kill(s.worker);
      }),
    );
  }

  private spawn(slot: Slot): void {
    const heap = this.opts.maxMemoryMb !== undefined ? [`--max-old-space-size=${this.opts.maxMemoryMb}`] : [];
    const worker = fork(new URL('./worker-main.js', import.meta.url), [JSON.stringify(this.opts.setup)], {
      execArgv: [...WORKER_V8_FLAGS, ...heap],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    slot.worker = worker;
    slot.ready = false;
    let stderrTail = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    worker.on('message', (m: WorkerReply) => {
      if (slot.worker !== worker) return;
      if (m.kind === 'ready') {
        slot.ready = true;
        this.startupFailures = 0;
      } else if (m.kind === 'result') this.finish(slot, { kind: 'record', record: m.record });
      else if (m.badInput) this.finish(slot, { kind: 'bad-input', message: m.message });
      else this.finish(slot, this.lost(slot, 'crash', m.message));
      this.pump();
    });
    worker.on('error', (e: Error) => {
      if (slot.worker !== worker) return;
      this.replace(slot, 'crash', `the worker could not run: ${e.message}`);
    });
    worker.on('exit', (code, signal) => {
      if (slot.worker !== worker || this.stopped) return;
      this.exited(slot, code, signal, stderrTail);
    });
  }

  /** A worker died by itself: out of memory (V8 says so on stderr as it aborts) or a crash. */
  private exited(slot: Slot, code: number | null, signal: NodeJS.Signals | null, stderrTail: string): void {
    if (/heap out of memory|Reached heap limit/.test(stderrTail)) {
      const limit = this.opts.maxMemoryMb;
      const why =
        limit !== undefined
          ? `the run exceeded the memory limit of ${limit} MB`
          : "the run exhausted the worker's heap (V8's default limit; --max-memory sets one)";
      this.replace(slot, 'out-of-memory', why);
      return;
    }
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    const last = stderrTail.trim().split('\n').slice(-5).join('\n');
    this.replace(slot, 'crash', `the worker ${how}${last === '' ? '' : `: ${last}`}`);
  }

  /** The worker of `slot` is gone or must go: end its job as `outcome` and start a fresh worker. */
  private replace(slot: Slot, outcome: 'timeout' | 'out-of-memory' | 'crash', message: string): void {
    const old = slot.worker;
    if (slot.current) this.finish(slot, this.lost(slot, outcome, message));
    else if (!slot.ready && ++this.startupFailures >= 3) {
      // Workers cannot even start: end every queued job with the reason instead of respawning forever.
      this.stopped = true;
      for (const p of this.queue.splice(0))
        p.resolve({ end: this.lost(slot, 'crash', message), slot: slot.id });
      void kill(old);
      return;
    }
    if (this.stopped) return;
    this.spawn(slot);
    void kill(old);
    this.pump();
  }

  private lost(slot: Slot, outcome: 'timeout' | 'out-of-memory' | 'crash', message: string): JobEnd {
    const started = slot.current?.started ?? performance.now();
    return { kind: 'lost', outcome, message, wallSeconds: (performance.now() - started) / 1000 };
  }

  private finish(slot: Slot, end: JobEnd): void {
    const cur = slot.current;
    if (!cur) return;
    slot.current = undefined;
    if (cur.timer) clearTimeout(cur.timer);
    cur.resolve({ end, slot: slot.id });
  }

  private pump(): void {
    if (this.stopped) return;
    for (const slot of this.slots) {
      if (!slot.ready || slot.current) continue;
      const i = this.queue.findIndex((p) => p.avoidSlot !== slot.id || this.slots.length === 1);
      if (i < 0) continue;
      const p = this.queue.splice(i, 1)[0]!;
      const limit = this.opts.timeoutSeconds;
      const timer =
        limit === undefined
          ? undefined
          : setTimeout(
              () => this.replace(slot, 'timeout', `the run passed the wall-clock limit of ${limit} s`),
              limit * 1000,
            );
      slot.current = { ...p, started: performance.now(), timer };
      slot.worker.send(p.job);
    }
  }
}

/** Kills a worker process (a busy loop included) and resolves once it is gone. */
function kill(worker: ChildProcess): Promise<void> {
  if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    worker.once('exit', () => resolve());
    worker.kill('SIGKILL');
  });
}
