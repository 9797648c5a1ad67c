// Per-run redirection of the host's clock, random numbers and timers. The globals are patched once per
// process with functions that ask an AsyncLocalStorage which run (if any) the calling code belongs to:
// code a run started (workloads, plugins) sees that run's PRNG and simulated clock, and anything else
// (the caller's test runner, another run side by side) sees its own. Inside a workload's phase, a real
// timer or fetch is a determinism violation: it throws, so the run reports a workload crash naming the
// workload, its plugin file and the call, instead of hanging or going flaky.
//
// The patch itself is process state by nature (the globals are the process's): it is installed once,
// kept on globalThis under a registered symbol (so two copies of faultline in one process share it), and
// behaves exactly like the host's functions outside a run.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { GlobalsScope, SimulatedGlobals } from '../sim/kernel.js';

/** The workload phase a piece of code runs in, for violation messages. */
export interface PhaseTag {
  readonly workload: string;
  readonly phase: string;
  /** The plugin file, for a plugin workload. */
  readonly file?: string;
}

/** What a run's async context carries. */
interface RunStore {
  readonly sim: SimulatedGlobals;
  readonly phase?: PhaseTag;
}

interface Installed {
  readonly storage: AsyncLocalStorage<RunStore>;
  readonly setImmediate: (fn: () => void) => void;
}

const KEY = Symbol.for('faultline.simulatedGlobals');

/** Thrown when workload code calls a real timer or fetch during a simulated run. */
export class DeterminismViolation extends Error {
  constructor(call: string, phase: PhaseTag) {
    const where = phase.file !== undefined ? ` (plugin ${phase.file})` : '';
    super(
      `determinism violation: workload ${phase.workload}${where} called ${call} in its ${phase.phase} phase; ` +
        'real timers and I/O do not exist in simulated time (use ctx.delay(seconds), and the database for state)',
    );
    this.name = 'DeterminismViolation';
  }
}

/** Wraps a host function so that a call from inside a workload phase throws a DeterminismViolation. */
function guard<F extends (...args: never[]) => unknown>(
  storage: AsyncLocalStorage<RunStore>,
  name: string,
  real: F,
): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    const phase = storage.getStore()?.phase;
    if (phase !== undefined) throw new DeterminismViolation(`${name}()`, phase);
    return real.apply(this, args) as ReturnType<F>;
  };
  return Object.assign(wrapped, real) as unknown as F;
}

/** Installs the per-run globals once per process; returns the shared storage. */
function install(): Installed {
  const g = globalThis as unknown as Record<symbol, Installed | undefined>;
  const existing = g[KEY];
  if (existing) return existing;
  const storage = new AsyncLocalStorage<RunStore>();
  const realRandom = Math.random;
  const realNow = Date.now;
  const RealDate = Date;
  const realPerfNow = performance.now.bind(performance);
  const realSetImmediate = globalThis.setImmediate;
  Math.random = () => {
    const s = storage.getStore();
    return s ? s.sim.random() : realRandom();
  };
  Date.now = () => {
    const s = storage.getStore();
    return s ? s.sim.nowMs() : realNow();
  };
  // `new Date()` and `Date()` with no arguments read the clock; a Proxy keeps `instanceof Date` and every
  // static (Date.UTC, Date.parse) intact.
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args: unknown[], newTarget) {
      const s = storage.getStore();
      return Reflect.construct(target, args.length === 0 && s ? [s.sim.nowMs()] : args, newTarget) as object;
    },
    apply(target, thisArg, args: unknown[]) {
      const s = storage.getStore();
      return s ? new RealDate(s.sim.nowMs()).toString() : Reflect.apply(target, thisArg, args);
    },
  });
  performance.now = () => {
    const s = storage.getStore();
    return s ? s.sim.perfNow() : realPerfNow();
  };
  globalThis.setTimeout = guard(storage, 'setTimeout', globalThis.setTimeout);
  globalThis.setInterval = guard(storage, 'setInterval', globalThis.setInterval);
  globalThis.setImmediate = guard(storage, 'setImmediate', realSetImmediate);
  if (typeof globalThis.fetch === 'function') globalThis.fetch = guard(storage, 'fetch', globalThis.fetch);
  const installed: Installed = { storage, setImmediate: (fn) => void realSetImmediate(fn) };
  g[KEY] = installed;
  return installed;
}

/** The scope a run's kernel runs in: this run's globals for everything the run starts. */
export function runScope(): GlobalsScope {
  const { storage, setImmediate } = install();
  return { run: (sim, fn) => storage.run({ sim }, fn), setImmediate };
}

/**
 * Runs `fn` (a workload phase) tagged with `phase`, so a real timer or fetch it calls is reported as a
 * determinism violation naming it. Outside a run (no store), `fn` runs untagged.
 */
export function inPhase<T>(phase: PhaseTag, fn: () => T): T {
  const { storage } = install();
  const s = storage.getStore();
  return s ? storage.run({ sim: s.sim, phase }, fn) : fn();
}
