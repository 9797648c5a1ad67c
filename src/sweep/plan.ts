// Seed plans: which (spec, seed, buggify) runs a sweep makes, in a fixed order every machine computes
// the same way, so `--shard I/N` takes its slice with no coordination, and a plan id that says whether
// two result files came from the same plan.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BadInputError, fileErrorReason } from '../core/errors.js';
import { Random } from '../core/random.js';
import { buggifyForSeed } from '../run/buggify-choice.js';

/** How BUGGIFY is chosen per run: always on, always off, or by the seed (80 % on). */
export type BuggifyMode = 'on' | 'off' | 'random';

/** One spec of a sweep, read once before any run. */
export interface PlannedSpec {
  /** The path as the user named it (or as found in a named folder). */
  readonly path: string;
  /** SHA-256 of the spec's text. */
  readonly sha256: string;
  /** The spec's `[configuration] expectFailure`: a negative test. */
  readonly expectFailure: boolean;
  /** The spec's `[configuration] buggify`, which wins over `--buggify`, when set. */
  readonly buggifyPinned?: boolean;
}

/** Where the seeds come from. */
export type SeedSource =
  | { readonly kind: 'count'; readonly base: number; readonly count: number }
  | { readonly kind: 'range'; readonly first: number; readonly last: number }
  | { readonly kind: 'file'; readonly file: string; readonly entries: readonly SeedFileEntry[] };

/** One line of a seeds file: `spec seed [on|off]`. */
export interface SeedFileEntry {
  readonly spec: string;
  readonly seed: number;
  readonly buggify?: boolean;
  readonly line: number;
}

/** One run of the plan. */
export interface PlannedRun {
  /** 0-based position in the whole (unsharded) plan: results fold in this order. */
  readonly index: number;
  readonly specPath: string;
  readonly seed: number;
  /** The BUGGIFY setting for this run (the spec's pinned value when it has one). */
  readonly buggify: boolean;
  /** True when `buggify` is passed as a flag (not pinned by the spec), so the reproduce command names it. */
  readonly buggifyFlag: boolean;
}

/** A shard: the `index`-th (1-based) of `count` slices. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Everything that decides which runs a sweep makes and how each runs. */
export interface SweepPlanInput {
  readonly specs: readonly PlannedSpec[];
  readonly seeds: SeedSource;
  readonly buggify: BuggifyMode;
  /** `NAME=VALUE` knob overrides, passed to every run. */
  readonly knobs: readonly string[];
  /** Plugin files passed to every run. */
  readonly plugins: readonly string[];
  /** faultline's version: result files of different versions never merge. */
  readonly version: string;
  /** Simulated-seconds limit per run, when given. */
  readonly maxSimSeconds?: number;
  /** `--no-oracle`: every run without the oracle. */
  readonly noOracle?: boolean;
}

/** The whole plan and this machine's slice of it. */
export interface SweepPlan {
  /** 16 hex digits naming the plan (specs and their content, seeds, flags, version). */
  readonly id: string;
  /** One line describing the seeds, for the summary (`seeds 1..200`). */
  readonly seedsLabel: string;
  /** Runs in the whole plan. */
  readonly total: number;
  readonly shard: Shard;
  /** This shard's runs, in plan order. */
  readonly runs: readonly PlannedRun[];
}

const CLI = '<command line>';

function decideBuggify(mode: BuggifyMode, seed: number, override?: boolean): boolean {
  if (override !== undefined) return override;
  if (mode === 'random') return buggifyForSeed(seed);
  return mode === 'on';
}

function planRun(index: number, spec: PlannedSpec, seed: number, mode: BuggifyMode, override?: boolean) {
  const pinned = spec.buggifyPinned;
  return {
    index,
    specPath: spec.path,
    seed,
    buggify: pinned ?? decideBuggify(mode, seed, override),
    buggifyFlag: pinned === undefined,
  };
}

/** Every run of the plan, in order: seed by seed, each seed across every spec (so early stops cover all specs). */
function allRuns(input: SweepPlanInput): PlannedRun[] {
  const out: PlannedRun[] = [];
  const src = input.seeds;
  if (src.kind === 'file') {
    const byPath = new Map(input.specs.map((s) => [path.normalize(s.path), s]));
    for (const e of src.entries) {
      const spec = byPath.get(path.normalize(e.spec));
      if (spec === undefined) {
        throw new BadInputError(
          `spec '${e.spec}' is not in this sweep`,
          { file: src.file, line: e.line },
          'name the spec (or its folder) on the command line too',
        );
      }
      out.push(planRun(out.length, spec, e.seed, input.buggify, e.buggify));
    }
    return out;
  }
  const first = src.kind === 'count' ? src.base : src.first;
  const count = src.kind === 'count' ? src.count : src.last - src.first + 1;
  for (let i = 0; i < count; i++) {
    for (const spec of input.specs) out.push(planRun(out.length, spec, first + i, input.buggify));
  }
  return out;
}

function seedsLabel(src: SeedSource): string {
  if (src.kind === 'count')
    return `seeds ${src.base}..${src.base + src.count - 1} (${src.count} from base seed ${src.base})`;
  if (src.kind === 'range') return `seeds ${src.first}..${src.last}`;
  return `${src.entries.length} seeds from ${src.file}`;
}

/** The plan id: a hash of everything that decides the runs and how each runs. */
function planId(input: SweepPlanInput, runs: readonly PlannedRun[]): string {
  const h = createHash('sha256');
  h.update(`faultline ${input.version}\n`);
  for (const s of input.specs) h.update(`spec ${s.path} ${s.sha256}\n`);
  h.update(`buggify ${input.buggify}\nknobs ${input.knobs.join(' ')}\nplugins ${input.plugins.join(' ')}\n`);
  h.update(`max-sim-seconds ${input.maxSimSeconds ?? ''}\n`);
  if (input.noOracle) h.update('no-oracle\n');
  for (const r of runs) h.update(`${r.specPath} ${r.seed} ${r.buggify ? 1 : 0}\n`);
  return h.digest('hex').slice(0, 16);
}

/**
 * The runs of one shard: the plan's indexes are dealt out in a fixed shuffled order (the same on every
 * machine), so shards differ in size by at most one run and each gets a mix of specs and seeds even when
 * the number of specs and the number of shards share a factor.
 */
function shardSlice(runs: readonly PlannedRun[], shard: Shard): PlannedRun[] {
  if (shard.count === 1) return [...runs];
  const order = new Random('faultline-shard-order').shuffle(runs.map((r) => r.index));
  const mine = new Set(order.filter((_, k) => k % shard.count === shard.index - 1));
  return runs.filter((r) => mine.has(r.index));
}

/** Builds the plan and takes this shard's slice of it. */
export function buildPlan(input: SweepPlanInput, shard: Shard = { index: 1, count: 1 }): SweepPlan {
  if (input.specs.length === 0) throw new BadInputError('no specs to sweep', { file: CLI });
  const runs = allRuns(input);
  return {
    id: planId(input, runs),
    seedsLabel: seedsLabel(input.seeds),
    total: runs.length,
    shard,
    runs: shardSlice(runs, shard),
  };
}

function flagError(flag: string, message: string, hint?: string): BadInputError {
  return new BadInputError(message, { file: CLI, key: flag }, hint);
}

/** A non-negative safe integer, decimal or 0x-hex. */
function parseSeedWord(text: string): number | undefined {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t)
    ? Number.parseInt(t.slice(2), 16)
    : /^\d+$/.test(t)
      ? Number(t)
      : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `--shard I/N`: 1 <= I <= N. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw flagError(
      '--shard',
      `expected I/N with 1 <= I <= N, got '${text}'`,
      'e.g. --shard 2/4 (shards count from 1)',
    );
  }
  return { index, count };
}

/** `--seed-range A..B` (inclusive, A <= B). */
export function parseSeedRange(text: string): { first: number; last: number } {
  const m = /^\s*(\S+?)\s*\.\.\s*(\S+)\s*$/.exec(text);
  const first = m ? parseSeedWord(m[1]!) : undefined;
  const last = m ? parseSeedWord(m[2]!) : undefined;
  if (first === undefined || last === undefined || last < first) {
    throw flagError('--seed-range', `expected A..B with A <= B, got '${text}'`, 'e.g. --seed-range 1..500');
  }
  return { first, last };
}

/** A positive integer flag (`--seeds`, `--jobs`, `--max-failures`). */
export function parsePositiveInt(flag: string, text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw flagError(flag, `expected a positive integer, got '${text}'`);
  return n;
}

/** A seed flag (`--base-seed`). */
export function parseSeedFlag(flag: string, text: string): number {
  const n = parseSeedWord(text);
  if (n === undefined)
    throw flagError(flag, `expected a non-negative integer, got '${text}'`, 'e.g. 42 or 0x2a');
  return n;
}

/**
 * A seeds file: one `spec seed [on|off]` a line (the regression corpus of known-tricky seeds); blank
 * lines and `#` comments are skipped. Errors name the file and line.
 */
export function parseSeedsFile(text: string, file: string): SeedFileEntry[] {
  const out: SeedFileEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const words = body.split(/\s+/);
    const seed = words[1] === undefined ? undefined : parseSeedWord(words[1]);
    const flag = words[2]?.toLowerCase();
    if (words.length > 3 || seed === undefined || (flag !== undefined && flag !== 'on' && flag !== 'off')) {
      throw new BadInputError(
        `expected 'spec seed [on|off]', got '${body}'`,
        { file, line },
        'e.g. tests/fast/CycleTest.toml 4242 on',
      );
    }
    out.push({ spec: words[0]!, seed, line, ...(flag !== undefined ? { buggify: flag === 'on' } : {}) });
  });
  if (out.length === 0)
    throw new BadInputError('the seeds file names no runs', { file }, "one 'spec seed [on|off]' a line");
  return out;
}

/** Reads and parses a seeds file (`--seeds-file`). */
export function readSeedsFile(file: string): SeedFileEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BadInputError(`cannot read the seeds file: ${fileErrorReason(e, 'reading')}`, { file });
  }
  return parseSeedsFile(text, file);
}

/** `--buggify on|off|random`. */
export function parseBuggifyMode(text: string): BuggifyMode {
  const t = text.trim().toLowerCase();
  if (t === 'on' || t === 'off' || t === 'random') return t;
  throw flagError('--buggify', `expected on, off or random, got '${text}'`);
}
