// `faultline sweep SPEC|DIR...`: many (spec, seed) runs on worker threads. Parses the flags, builds the
// plan, wires progress, signals and outputs to src/sweep/, prints the summary, maps it to an exit code.
import { availableParallelism } from 'node:os';
import { BadInputError } from '../core/errors.js';
import {
  buildPlan,
  parseBuggifyMode,
  parsePositiveInt,
  parseSeedFlag,
  parseSeedRange,
  parseShard,
  readSeedsFile,
  type SeedSource,
} from '../sweep/plan.js';
import { createProgress, type ProgressOptions } from '../sweep/progress.js';
import { expandSpecArgs, loadSweepSpecs } from '../sweep/specs.js';
import { githubAnnotation, renderSummary } from '../sweep/summary-text.js';
import { type KeepTraces, runSweep } from '../sweep/sweep.js';
import type { Registry } from '../workload/registry.js';
import { builtinWorkloadsFile } from './builtins.js';
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

/** Runs the `sweep` command; returns the exit code. Bad input throws (mapped by the caller). */
export async function sweepCommand(
  specArgs: readonly string[],
  flags: SweepFlags,
  io: CliIo,
  registry: Registry,
  version: string,
): Promise<number> {
  const { source, randomBase } = seedSource(flags, io);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : { index: 1, count: 1 };
  if (shard.count > 1 && randomBase) {
    throw flagError(
      '--shard',
      'every shard must compute the same plan, but the base seed is random',
      'give --base-seed, --seed-range or --seeds-file',
    );
  }
  const knobs = parseKnobs(flags.knob);
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
  const specs = loadSweepSpecs(expandSpecArgs(named), registry, firstSeed, knobs);
  const knobWords = flags.knob.map((k) => k.trim());
  const plan = buildPlan(
    {
      specs,
      seeds: source,
      buggify: parseBuggifyMode(flags.buggify),
      knobs: knobWords,
      plugins: flags.plugin,
      version,
      ...(maxSimSeconds !== undefined ? { maxSimSeconds } : {}),
    },
    shard,
  );
  const jobs = Math.min(
    flags.jobs !== undefined ? parsePositiveInt('--jobs', flags.jobs) : availableParallelism(),
    Math.max(plan.runs.length, 1),
  );
  const shardNote =
    shard.count > 1 ? `; shard ${shard.index}/${shard.count}: ${plan.runs.length} of ${plan.total} runs` : '';
  io.stderr(
    `faultline: sweeping ${specs.length} spec${specs.length === 1 ? '' : 's'}, ${plan.seedsLabel}${randomBase ? ' (random base seed)' : ''}: ` +
      `${plan.total} runs${shardNote}, ${jobs} worker${jobs === 1 ? '' : 's'}; plan ${plan.id}\n`,
  );

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: Awaited<ReturnType<typeof runSweep>>;
  try {
    result = await runSweep({
      plan,
      specs,
      knobs: knobWords,
      plugins: flags.plugin,
      version,
      ...(maxSimSeconds !== undefined ? { maxSimSeconds } : {}),
      jobs,
      timeoutSeconds: positiveNumber('--timeout', flags.timeout),
      ...(flags.maxMemory !== undefined
        ? { maxMemoryMb: parsePositiveInt('--max-memory', flags.maxMemory) }
        : {}),
      keepTraces: keepTraces(flags.keepTraces),
      traceDir: flags.traceDir,
      ...(flags.results !== undefined ? { resultsFile: flags.results } : {}),
      ...(flags.junit !== undefined ? { junitFile: flags.junit } : {}),
      ...(flags.maxFailures !== undefined
        ? { maxFailures: parsePositiveInt('--max-failures', flags.maxFailures) }
        : {}),
      ...(flags.checkDeterminism !== undefined ? { checkDeterminism: ratio(flags.checkDeterminism) } : {}),
      builtinsFile: builtinWorkloadsFile(),
      progress: createProgress(progressOptions(io), plan.runs.length),
      signal: controller.signal,
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
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
    io.stdout(
      `Determinism: ${result.rechecked} runs re-run in another worker; ${bad === 0 ? 'all matched' : `${bad} differed (see Nondeterminism above)`}\n`,
    );
  }
  if (io.env.GITHUB_ACTIONS === 'true') for (const g of result.summary.groups) io.stdout(githubAnnotation(g));
  if (result.stopped === 'interrupted') return EXIT_INTERRUPTED;
  return result.summary.failing ? EXIT.failed : EXIT.passed;
}
