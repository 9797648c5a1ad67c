// Per-run redirection of the host's clock, random numbers and timers. The globals are patched once per
// process with functions that ask which run (if any) the running code belongs to: code a run started
// (workloads, plugins) sees that run's PRNG and simulated clock, and anything else (the caller's test
// runner, another run side by side) sees its own. A real timer or fetch called by a run's code is a
// determinism violation: it throws, so the run reports a workload crash naming the workload, its plugin
// file and the call, instead of hanging or going flaky.
//
// Which run is running needs no async context (an AsyncLocalStorage cost a few percent of every run in
// promise hooks): a run's code runs only in the turns of the event loop its kernel takes, and the kernel
// says when each begins and ends (see GlobalsScope in sim/kernel.ts). The patch itself is process state
// by nature (the globals are the process's): it is installed once, kept on globalThis under a registered
// symbol (so two copies of faultline in one process share it), and behaves exactly like the host's
// functions outside a run's turns.
import type { GlobalsScope, SimulatedGlobals } from '../sim/kernel.js';

/** The workload phase a piece of code runs in, for violation messages. */
export interface PhaseTag {
  readonly workload: string;
  readonly phase: string;
  /** The plugin file, for a plugin workload. */
  readonly file?: string;
}

interface Installed {
  /** The globals of the run whose turn is running; undefined outside every run's turns. */
  current: SimulatedGlobals | undefined;
  readonly setImmediate: (fn: () => void) => void;
}

const KEY = Symbol.for('faultline.simulatedGlobals.turns');

/**
 * Thrown when a run's code calls a real timer or fetch. The call site cannot know which workload it
 * belongs to: the run names it (`attribute`) when the error reaches the workload's phase.
 */
export class DeterminismViolation extends Error {
  private tag: PhaseTag | undefined;

  constructor(
    readonly call: string,
    phase?: PhaseTag,
  ) {
    super(violationMessage(call, phase));
    this.name = 'DeterminismViolation';
    this.tag = phase;
  }

  /** The workload phase the violation surfaced in; undefined until attributed. */
  get phase(): PhaseTag | undefined {
    return this.tag;
  }

  /** Names the workload phase the violation surfaced in, unless it already names one. */
  attribute(phase: PhaseTag): void {
    if (this.tag !== undefined) return;
    this.tag = phase;
    this.message = violationMessage(this.call, phase);
  }
}

function violationMessage(call: string, phase: PhaseTag | undefined): string {
  const advice =
    'real timers and I/O do not exist in simulated time (use ctx.delay(seconds), and the database for state)';
  if (phase === undefined) return `determinism violation: a simulated run's code called ${call}; ${advice}`;
  const where = phase.file !== undefined ? ` (plugin ${phase.file})` : '';
  return `determinism violation: workload ${phase.workload}${where} called ${call} in its ${phase.phase} phase; ${advice}`;
}

/** Wraps a host function so that a call from a run's code throws a DeterminismViolation. */
function guard<F extends (...args: never[]) => unknown>(installed: Installed, name: string, real: F): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    if (installed.current !== undefined) throw new DeterminismViolation(`${name}()`);
    return real.apply(this, args) as ReturnType<F>;
  };
  return Object.assign(wrapped, real) as unknown as F;
}

/** Installs the per-run globals once per process; returns the shared state. */
function install(): Installed {
  const g = globalThis as unknown as Record<symbol, Installed | undefined>;
  const existing = g[KEY];
  if (existing) return existing;
  const realRandom = Math.random;
  const realNow = Date.now;
  const RealDate = Date;
  const realPerfNow = performance.now.bind(performance);
  const realSetImmediate = globalThis.setImmediate;
  const installed: Installed = { current: undefined, setImmediate: (fn) => void realSetImmediate(fn) };
  Math.random = () => {
    const s = installed.current;
    return s ? s.random() : realRandom();
  };
  Date.now = () => {
    const s = installed.current;
    return s ? s.nowMs() : realNow();
  };
  // `new Date()` and `Date()` with no arguments read the clock; a Proxy keeps `instanceof Date` and every
  // static (Date.UTC, Date.parse) intact.
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args: unknown[], newTarget) {
      const s = installed.current;
      return Reflect.construct(target, args.length === 0 && s ? [s.nowMs()] : args, newTarget) as object;
    },
    apply(target, thisArg, args: unknown[]) {
      const s = installed.current;
      return s ? new RealDate(s.nowMs()).toString() : Reflect.apply(target, thisArg, args);
    },
  });
  performance.now = () => {
    const s = installed.current;
    return s ? s.perfNow() : realPerfNow();
  };
  globalThis.setTimeout = guard(installed, 'setTimeout', globalThis.setTimeout);
  globalThis.setInterval = guard(installed, 'setInterval', globalThis.setInterval);
  globalThis.setImmediate = guard(installed, 'setImmediate', realSetImmediate);
  if (typeof globalThis.fetch === 'function') globalThis.fetch = guard(installed, 'fetch', globalThis.fetch);
  g[KEY] = installed;
  return installed;
}

/** The scope a run's kernel runs in: this run's globals in the run's turns of the event loop. */
export function runScope(): GlobalsScope {
  const installed = install();
  return {
    enter: (sim) => {
      installed.current = sim;
    },
    exit: () => {
      installed.current = undefined;
    },
    setImmediate: installed.setImmediate,
  };
}
