// What the sweep hands a worker for one run, and what comes back: plain data, posted between threads.
import { reproduceCommand } from '../run/reproduce.js';
import type { SweepRecord } from './record.js';

/** One run, as a worker receives it. */
export interface RunJob {
  /** Position in the whole plan. */
  readonly index: number;
  readonly specPath: string;
  readonly seed: number;
  readonly buggify: boolean;
  /** Pass `buggify` as the command line's flag (false when the spec pins it). */
  readonly buggifyFlag: boolean;
  readonly expectFailure: boolean;
  /** `NAME=VALUE` knob overrides. */
  readonly knobs: readonly string[];
  /** `--plugin` files, loaded for every run (beside the spec's own `plugins`) and named in its reproduce command. */
  readonly plugins: readonly string[];
  /** Simulated-seconds limit, when the command line gave one. */
  readonly maxSimSeconds?: number;
  /** `--no-oracle`: run without the oracle. */
  readonly noOracle?: boolean;
  /** Where to write the trace; absent: no trace file. */
  readonly tracePath?: string;
  /** faultline's version, recorded in the trace. */
  readonly version: string;
  /** How users invoke faultline, for the reproduce command. Default `faultline`. */
  readonly command?: string;
}

/** What a worker needs once, at start. */
export interface WorkerSetup {
  /** The module exporting `builtinWorkloads` (the package's workloads/index). */
  readonly builtinsFile: string;
}

/** A worker's answer to one job. */
export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly record: SweepRecord }
  | { readonly kind: 'error'; readonly index: number; readonly message: string; readonly badInput: boolean };

/** The `faultline run` command that replays a job. */
export function jobReproduce(job: RunJob): string {
  return reproduceCommand({
    specPath: job.specPath,
    seed: job.seed,
    ...(job.buggifyFlag ? { buggifyFlag: job.buggify } : {}),
    knobs: job.knobs,
    plugins: job.plugins,
    ...(job.command !== undefined ? { command: job.command } : {}),
    ...(job.maxSimSeconds !== undefined ? { maxSimSeconds: job.maxSimSeconds } : {}),
    ...(job.noOracle ? { noOracle: true } : {}),
  });
}
