// Random values for a workload's options, drawn within the bounds its schema documents. Options that
// name an identity (prefixes, titles, tags), a free-form list, or a threshold a check compares against
// (timeouts, latencies, expected rates) keep their defaults: changing those is not a new combination of
// features but a different claim about the database. Durations stay short so that a swarm run is cheap.
import type { Random } from '../core/random.js';
import { type NumberOption, type OptionSchema, type OptionSpec, optionMax } from '../workload/options.js';

/** A value as a swarm spec writes it. */
export type SwarmValue = number | boolean | string | readonly string[];

/** How big the generated specs are: how long their workloads run, how many tests, how much load. */
export interface SwarmProfile {
  readonly name: SwarmProfileName;
  /** Range of each workload's `testDuration`, simulated seconds. */
  readonly testDuration: readonly [number, number];
  /** Range of the number of `[[test]]` blocks. */
  readonly tests: readonly [number, number];
  /** Load options (rates, key counts, actors) are drawn as this share of their defaults. */
  readonly load: readonly [number, number];
  /** Longest other duration option written, simulated seconds (unless the default is longer). */
  readonly maxOtherSeconds: number;
  /** Every duration option is drawn and capped at maxOtherSeconds, even one whose default is longer. */
  readonly capDurations: boolean;
  /** Byte sizes (values, transactions) with a default at least this are drawn as loads too. */
  readonly loadBytesFrom: number;
}

export type SwarmProfileName = 'full' | 'quick';

/**
 * `full`: what `faultline swarm` makes by default, tests long enough for chaos to overlap the load.
 * `quick`: short tests and light loads, about a second of CPU a seed, so a test suite can run hundreds.
 */
export const SWARM_PROFILES: Readonly<Record<SwarmProfileName, SwarmProfile>> = {
  full: {
    name: 'full',
    testDuration: [5, 30],
    tests: [1, 3],
    load: [0.01, 0.3],
    maxOtherSeconds: 60,
    capDurations: false,
    // FoundationDB's 10 KB ApiCorrectness values took swarm seeds 34 and 107 to 6-7 CPU minutes.
    loadBytesFrom: 1024,
  },
  quick: {
    name: 'quick',
    testDuration: [1, 6],
    tests: [1, 2],
    load: [0.005, 0.05],
    maxOtherSeconds: 6,
    capDurations: true,
    loadBytesFrom: 1024,
  },
};

/** Longest `testDuration` a (full-profile) swarm spec gives a workload, simulated seconds. */
export const MAX_SWARM_TEST_DURATION = SWARM_PROFILES.full.testDuration[1];
/** Shortest `testDuration` a (full-profile) swarm spec gives a workload, simulated seconds. */
export const MIN_SWARM_TEST_DURATION = SWARM_PROFILES.full.testDuration[0];
/** Probability that one option (other than testDuration) is given a random value. */
const OPTION_CHANCE = 0.35;

/** Units of options that size the load: drawn well below their (FoundationDB-sized) defaults. */
const LOAD_UNITS: ReadonlySet<string> = new Set(['tps', 'ops', 'keys/s', 'keys', 'actors', 'operations']);
/**
 * Never randomized: thresholds of checks, identities, run-until-observed modes (DiskFailureInjection's
 * verificationMode runs until the safety policy lets chaos happen, which a random cluster may never do),
 * switches that need an option the swarm does not draw (Attrition's killDatahall needs targetIds), and
 * LockDatabase's window and check-only mode (it must lock before it unlocks; check-only needs an earlier lock),
 * and Cycle's skipSetup (the ring must exist from an earlier test: swarm seed 86 read a ring never written).
 */
const KEEP =
  /timeout|latency|expectedrate|prefix|description|tag|^testkey$|^clientid$|^debug|^metrics|verificationmode|killdatahall|lockafter|onlychecklocked|^skipsetup$/i;

/**
 * Random option values for one workload instance: `testDuration` always (short), load sizes always
 * (well below FoundationDB's defaults, so runs stay cheap), others with some probability, each within its schema's bounds. Pairs `minX`/`maxX` come out ordered. Options left out
 * keep their defaults.
 */
export function randomOptions(
  schema: OptionSchema,
  random: Random,
  profile: SwarmProfile = SWARM_PROFILES.full,
): Map<string, SwarmValue> {
  const out = new Map<string, SwarmValue>();
  for (const name of Object.keys(schema)) {
    const spec = schema[name]!;
    if (name === 'testDuration' && spec.type === 'number') {
      const [lo, hi] = profile.testDuration;
      const d = round(random.uniform(lo, hi));
      out.set(name, Math.max(spec.min ?? 0, Math.min(optionMax(spec), d)));
      continue;
    }
    if (KEEP.test(name)) continue;
    const numeric = spec.type === 'number' || spec.type === 'int';
    const load = numeric && isLoad(spec, profile);
    const capped = numeric && profile.capDurations && spec.unit === 's';
    if (!load && !capped && !random.chance(OPTION_CHANCE)) continue;
    const v = randomValue(spec, random, profile);
    if (v !== undefined) out.set(name, v);
  }
  orderMinMax(schema, out);
  return out;
}

/** Whether a numeric option sizes the load (drawn well below its default). */
function isLoad(spec: NumberOption, profile: SwarmProfile): boolean {
  if (LOAD_UNITS.has(spec.unit ?? '')) return true;
  return spec.unit === 'bytes' && spec.default >= profile.loadBytesFrom;
}

function randomValue(spec: OptionSpec, random: Random, profile: SwarmProfile): SwarmValue | undefined {
  switch (spec.type) {
    case 'boolean':
      return random.chance(0.5);
    case 'string':
      return spec.choices && spec.choices.length > 0 ? random.pick(spec.choices) : undefined;
    case 'string[]': {
      if (!spec.choices || spec.choices.length === 0) return undefined;
      const n = random.int(0, Math.min(2, spec.choices.length) + 1);
      return random.shuffle(spec.choices).slice(0, n);
    }
    case 'number[]':
      return undefined;
    default:
      return randomNumber(spec, random, profile);
  }
}

/**
 * A number within the option's bounds: uniform over a bounded range, else a factor of the default
 * (scaled down more often than up, so loads stay modest); durations are capped.
 */
function randomNumber(spec: NumberOption, random: Random, profile: SwarmProfile): number {
  const lo = spec.min ?? 0;
  let v: number;
  if (spec.max !== undefined && spec.max - lo <= 100) v = random.uniform(lo, spec.max);
  else if (spec.default <= 0) v = random.uniform(lo, lo + 10);
  else if (isLoad(spec, profile)) v = spec.default * random.uniform(...profile.load);
  else if (profile.capDurations && spec.unit === 's' && spec.default > profile.maxOtherSeconds)
    v = random.uniform(lo, profile.maxOtherSeconds);
  else v = spec.default * random.uniform(0.1, 1.5);
  const maxSeconds = profile.maxOtherSeconds;
  if (spec.unit === 's' && (profile.capDurations || spec.default <= maxSeconds)) v = Math.min(v, maxSeconds);
  v = Math.max(lo, Math.min(optionMax(spec), v));
  return spec.type === 'int' ? Math.max(Math.ceil(lo), Math.round(v)) : round(v);
}

/** Puts `minX` at or below `maxX` for every pair of numeric options so named. */
function orderMinMax(schema: OptionSchema, values: Map<string, SwarmValue>): void {
  for (const name of Object.keys(schema)) {
    if (!name.startsWith('min')) continue;
    const maxName = `max${name.slice(3)}`;
    const minSpec = schema[name];
    const maxSpec = schema[maxName];
    if (minSpec?.type === undefined || maxSpec === undefined) continue;
    if (typeof minSpec.default !== 'number' || typeof maxSpec.default !== 'number') continue;
    const a = (values.get(name) as number | undefined) ?? minSpec.default;
    const b = (values.get(maxName) as number | undefined) ?? maxSpec.default;
    if (a > b) {
      values.set(name, b);
      values.set(maxName, a);
    }
  }
}

/** Three decimals are enough for any option and keep the TOML readable. */
function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
