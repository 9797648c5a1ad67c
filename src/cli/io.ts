// What the commands touch in the real world, passed in so tests can run them in-process: output
// streams, the environment, the clock, and the one real random number (an unseeded run's seed).
import { randomInt } from 'node:crypto';
import type { AnyWorkload } from '../workload/registry.js';

/** The command line's view of the outside world. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colour, progress). */
  readonly isTTY: boolean;
  /** The terminal's width in columns, when stdout is a terminal. */
  readonly columns?: number;
  /** Wall-clock milliseconds (RealTime only; never inside the simulation). */
  readonly clock: () => number;
  /** A seed for a run without `--seed`: the one place a real random number is used. */
  readonly randomSeed: () => number;
  /** The built-in workloads (default: loaded from the package's workloads/ folder). */
  readonly builtins?: readonly AnyWorkload[];
}

/** The real world: process streams and environment, performance.now, crypto randomness. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    ...(process.stdout.isTTY === true && process.stdout.columns > 0
      ? { columns: process.stdout.columns }
      : {}),
    clock: () => performance.now(),
    randomSeed: () => randomInt(0, 2 ** 31),
  };
}

/** The width tables are fitted to: the terminal's, else a positive `COLUMNS`; undefined means as wide as needed. */
export function outputWidth(io: CliIo): number | undefined {
  if (io.columns !== undefined && io.columns > 0) return io.columns;
  const env = Number(io.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}
