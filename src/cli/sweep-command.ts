// `faultline sweep SPEC|DIR...`: many (spec, seed) runs on worker processes. Parses the flags, builds the
// plan, wires progress, signals and outputs to src/sweep/, prints the summary, maps it to an exit code.
import { availableParallelism } from 'node:os';
import { BadInputError } from '../core/errors.js';
import {
  buildPlan,
  type PlannedSpec,
  parseBuggifyMode,
  parsePositiveInt,
  parseSeedFlag,
  parseSeedRange,
  parseShard,
  readSeedsFile,
  type SeedSource,
  type SweepPlan,
} from '../sweep/plan.js';
import { createProgress, type ProgressOptions } from '../sweep/progress.js';
import { expandSpecArgs, loadSweepSpecs } from '../sweep/specs.js';
import { githubAnnotation, renderSummary } from '../sweep/summary-text.js';
import { type KeepTraces, runSweep, type SweepOptions, type SweepResult } from '../sweep/sweep.js';
import type { AnyWorkload } from '../workload/registry.js';
import { builtinWorkloadsFile, commandName } from './builtins.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { parseKnobs, parseMaxSimSeconds } from './run-command.js';

/** The options `faultline sweep` takes, as commander hands them over. */
export interface SweepFlags {
  readonly seeds?: string;
  readonly baseSeed?: string;
  readonly seedRange?: string;
  readonly seedsFile?: string;
  readonly buggify: string;
  readonly jobs?: string;
  readonly shard?: string;
  readonly timeout: string;
  readonly maxMemory?: string;
  readonly results?: string;
  readonly junit?: string;
  readonly keepTraces: string;
  readonly traceDir: string;
  readonly maxFailures?: string;
  readonly checkDeterminism?: string;
  readonly knob: readonly string[];
  readonly plugin: readonly string[];
  readonly maxSimSeconds?: string;
  /** False with --no-oracle. */
  readonly oracle?: boolean;
}

/** Exit code of an interrupted sweep (128 + SIGINT, as shells report Ctrl-C). */
export const EXIT_INTERRUPTED = 130;
/** Runs per seed plan when no seed flag is given. */
const DEFAULT_SEEDS = 10;
/** Seconds between plain progress lines when there is no terminal. */
const PROGRESS_LINE_SECONDS = 10;

function flagError(flag: string, message: string, hint?: string): BadInputError {
  return new BadInputError(message, { file: '<command line>', key: flag }, hint);
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw flagError(flag, `expected a positive number, got '${text}'`);
  return n;
}

function seedSource(flags: SweepFlags, io: CliIo): { source: SeedSource; randomBase: boolean } {
  const given = [flags.seeds ?? flags.baseSeed, flags.seedRange, flags.seedsFile].filter(
    (x) => x !== undefined,
  );
  if (given.length > 1) {
    throw flagError(
      '--seeds',
      'give one seed plan: --seeds N (with --base-seed), --seed-range A..B, or --seeds-file F',
    );
  }
  if (flags.seedRange !== undefined)
    return { source: { kind: 'range', ...parseSeedRange(flags.seedRange) }, randomBase: false };
  if (flags.seedsFile !== undefined) {
    return {
      source: { kind: 'file', file: flags.seedsFile, entries: readSeedsFile(flags.seedsFile) },
      randomBase: false,
    };
  }
  const count = flags.seeds !== undefined ? parsePositiveInt('--seeds', flags.seeds) : DEFAULT_SEEDS;
  const base = flags.baseSeed !== undefined ? parseSeedFlag('--base-seed', flags.baseSeed) : io.randomSeed();
  return { source: { kind: 'count', base, count }, randomBase: flags.baseSeed === undefined };
}

function keepTraces(text: string): KeepTraces {
  if (text === 'failed' || text === 'all' || text === 'none') return text;
  throw flagError('--keep-traces', `expected failed, all or none, got '${text}'`);
}

function ratio(text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !(n > 0 && n <= 1)) {
    throw flagError(
      '--check-determinism',
      `expected a share of runs in (0, 1], got '${text}'`,
      'e.g. 0.05 re-runs one seed in twenty',
    );
  }
  return n;
}

function progressOptions(io: CliIo): ProgressOptions {
  const ci = io.env.CI === 'true' || io.env.GITHUB_ACTIONS === 'true';
  if (io.isTTY && !ci && process.stderr.isTTY) return { kind: 'bar', stream: process.stderr };
  return { kind: 'lines', write: io.stderr, everySeconds: PROGRESS_LINE_SECONDS, clock: io.clock };
}

/** The plan the flags describe, with what the runs need besides it. */
interface PlannedSweep {
  readonly plan: SweepPlan;
  readonly specs: readonly PlannedSpec[];
  readonly knobs: readonly string[];
  readonly maxSimSeconds: number | undefined;
  readonly randomBase: boolean;
}

/** Reads the seed flags and the specs (each checked as a run would) and builds this shard's plan. */
async function planSweep(
  specArgs: readonly string[],
  flags: SweepFlags,
  io: CliIo,
  builtins: readonly AnyWorkload[],
  version: string,
): Promise<PlannedSweep> {
  const { source, randomBase } = seedSource(flags, io);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : { index: 1, count: 1 };
  if (shard.count > 1 && randomBase) {
    throw flagError(
      '--shard',
      'every shard must compute the same plan, but the base seed is random',
      'give --base-seed, --seed-range or --seeds-file',
    );
  }
  const maxSimSeconds =
    flags.maxSimSeconds !== undefined ? parseMaxSimSeconds(flags.maxSimSeconds) : undefined;
  const firstSeed =
    source.kind === 'count' ? source.base : source.kind === 'range' ? source.first : source.entries[0]!.seed;
  const named =
    specArgs.length > 0
      ? specArgs
      : source.kind === 'file'
        ? [...new Set(source.entries.map((e) => e.spec))]
        : [];
  if (named.length === 0) {
    throw flagError(
      '<specs>',
      'name at least one spec or folder to sweep',
      'e.g. faultline sweep tests/fast --seeds 20',
    );
  }
  const specs = await loadSweepSpecs(
    expandSpecArgs(named),
    builtins,
    flags.plugin,
    firstSeed,
    parseKnobs(flags.knob),
  );
  const knobs = flags.knob.map((k) => k.trim());
  const plan = buildPlan(
    {
      specs,
      seeds: source,
      buggify: parseBuggifyMode(flags.buggify),
      knobs,
      plugins: flags.plugin,
      version,
      ...(maxSimSeconds !== undefined ? { maxSimSeconds } : {}),
      ...(flags.oracle === false ? { noOracle: true } : {}),
    },
    shard,
  );
  return { plan, specs, knobs, maxSimSeconds, randomBase };
}

/** Everything runSweep needs, every flag checked (before any run starts). */
function sweepOptions(
  p: PlannedSweep,
  flags: SweepFlags,
  io: CliIo,
  version: string,
  jobs: number,
): SweepOptions {
  const opt = <K extends string, V>(key: K, text: string | undefined, read: (t: string) => V) =>
    (text === undefined ? {} : { [key]: read(text) }) as { [k in K]?: V };
  return {
    plan: p.plan,
    specs: p.specs,
    knobs: p.knobs,
    plugins: flags.plugin,
    version,
    command: commandName(),
    ...(p.maxSimSeconds !== undefined ? { maxSimSeconds: p.maxSimSeconds } : {}),
    ...(flags.oracle === false ? { noOracle: true } : {}),
    jobs,
    timeoutSeconds: positiveNumber('--timeout', flags.timeout),
    ...opt('maxMemoryMb', flags.maxMemory, (t) => parsePositiveInt('--max-memory', t)),
    keepTraces: keepTraces(flags.keepTraces),
    traceDir: flags.traceDir,
    ...opt('resultsFile', flags.results, (t) => t),
    ...opt('junitFile', flags.junit, (t) => t),
    ...opt('maxFailures', flags.maxFailures, (t) => parsePositiveInt('--max-failures', t)),
    ...opt('checkDeterminism', flags.checkDeterminism, ratio),
    builtinsFile: builtinWorkloadsFile(),
    progress: createProgress(progressOptions(io), p.plan.runs.length),
  };
}

/** Runs the sweep with Ctrl-C and SIGTERM wired to a clean stop. */
async function runWithSignals(options: SweepOptions): Promise<SweepResult> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runSweep({ ...options, signal: controller.signal });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** Runs the `sweep` command; returns the exit code. Bad input throws (mapped by the caller). */
export async function sweepCommand(
  specArgs: readonly string[],
  flags: SweepFlags,
  io: CliIo,
  builtins: readonly AnyWorkload[],
  version: string,
): Promise<number> {
  const p = await planSweep(specArgs, flags, io, builtins, version);
  const { plan } = p;
  const jobs = Math.min(
    flags.jobs !== undefined ? parsePositiveInt('--jobs', flags.jobs) : availableParallelism(),
    Math.max(plan.runs.length, 1),
  );
  const options = sweepOptions(p, flags, io, version, jobs);
  const { index, count } = plan.shard;
  const shardNote = count > 1 ? `; shard ${index}/${count}: ${plan.runs.length} of ${plan.total} runs` : '';
  io.stderr(
    `faultline: sweeping ${p.specs.length} spec${p.specs.length === 1 ? '' : 's'}, ${plan.seedsLabel}` +
      `${p.randomBase ? ' (random base seed)' : ''}: ${plan.total} runs${shardNote}, ` +
      `${jobs} worker${jobs === 1 ? '' : 's'}; plan ${plan.id}\n`,
  );
  const result = await runWithSignals(options);
  io.stdout(
    renderSummary(result.summary, {
      seedsLabel: plan.seedsLabel,
      wallSeconds: result.wallSeconds,
      jobs,
      stopped: result.stopped,
    }),
  );
  if (result.rechecked > 0) {
    const bad = result.records.filter((r) => r.outcome === 'nondeterministic').length;
    const verdict = bad === 0 ? 'all matched' : `${bad} differed (see Nondeterminism above)`;
    io.stdout(`Determinism: ${result.rechecked} runs re-run in another worker; ${verdict}\n`);
  }
  if (io.env.GITHUB_ACTIONS === 'true') for (const g of result.summary.groups) io.stdout(githubAnnotation(g));
  if (result.stopped === 'interrupted') return EXIT_INTERRUPTED;
  return result.summary.failing ? EXIT.failed : EXIT.passed;
}
