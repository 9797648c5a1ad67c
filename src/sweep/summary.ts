// The sweep's summary, folded from run records in plan order (never completion order): totals, failures
// grouped by signature with the reproduce command of each group's smallest seed, negative specs and
// whether each caught its bug, the slowest specs, and `sometimes` assertions no run ever hit.
import type { SweepOutcome, SweepRecord } from './record.js';

/** The same failure on many seeds: one group. */
export interface FailureGroup {
  readonly signature: string;
  readonly outcome: SweepOutcome;
  readonly spec: string;
  /** Seeds in ascending order (a seed twice when it failed with and without BUGGIFY). */
  readonly seeds: readonly number[];
  /** The message of the smallest seed's run. */
  readonly message: string;
  /** The command that replays the smallest seed. */
  readonly reproduce: string;
}

/** How a negative spec (`expectFailure`) did. */
export interface NegativeSpec {
  readonly spec: string;
  readonly runs: number;
  readonly caught: number;
  /** Seeds that caught the bug (ascending). */
  readonly caughtSeeds: readonly number[];
}

/** Wall time of one spec's runs. */
export interface SpecTiming {
  readonly spec: string;
  readonly runs: number;
  readonly meanWallSeconds: number;
  readonly maxWallSeconds: number;
}

/** A `sometimes` assertion that held in no run of its spec. */
export interface NeverHit {
  readonly spec: string;
  readonly name: string;
  readonly runs: number;
}

/** Everything the summary shows. */
export interface SweepSummary {
  readonly finished: number;
  readonly planned: number;
  /** Runs by verdict. */
  readonly passed: number;
  readonly failed: number;
  readonly caught: number;
  readonly missed: number;
  /** Failure groups: test failures first, then did-not-finish, timeouts, memory, crashes, nondeterminism. */
  readonly groups: readonly FailureGroup[];
  readonly negatives: readonly NegativeSpec[];
  readonly slowest: readonly SpecTiming[];
  readonly neverHit: readonly NeverHit[];
  /** True when the sweep fails: a failed run, or a negative spec caught on no seed (unless deferred). */
  readonly failing: boolean;
}

const OUTCOME_ORDER: readonly SweepOutcome[] = [
  'failed',
  'did-not-finish',
  'timeout',
  'out-of-memory',
  'crash',
  'nondeterministic',
  'passed',
];

/** Most slow specs listed. */
const SLOWEST = 5;

function groupFailures(records: readonly SweepRecord[]): FailureGroup[] {
  const bySig = new Map<string, SweepRecord[]>();
  for (const r of records) {
    if (r.verdict !== 'failed') continue;
    const sig = r.signature ?? `${r.outcome} | ${r.spec}`;
    const list = bySig.get(sig) ?? [];
    list.push(r);
    bySig.set(sig, list);
  }
  const groups = [...bySig].map(([signature, list]) => {
    const sorted = [...list].sort((a, b) => a.seed - b.seed || a.index - b.index);
    const first = sorted[0]!;
    return {
      signature,
      outcome: first.outcome,
      spec: first.spec,
      seeds: sorted.map((r) => r.seed),
      message: first.message ?? first.outcome,
      reproduce: first.reproduce,
    };
  });
  return groups.sort(
    (a, b) =>
      OUTCOME_ORDER.indexOf(a.outcome) - OUTCOME_ORDER.indexOf(b.outcome) ||
      b.seeds.length - a.seeds.length ||
      (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0),
  );
}

function negativeSpecs(records: readonly SweepRecord[]): NegativeSpec[] {
  const by = new Map<string, { runs: number; seeds: number[] }>();
  for (const r of records) {
    if (!r.expectFailure) continue;
    const n = by.get(r.spec) ?? { runs: 0, seeds: [] };
    n.runs++;
    if (r.verdict === 'caught') n.seeds.push(r.seed);
    by.set(r.spec, n);
  }
  return [...by]
    .map(([spec, n]) => ({
      spec,
      runs: n.runs,
      caught: n.seeds.length,
      caughtSeeds: n.seeds.sort((a, b) => a - b),
    }))
    .sort((a, b) => (a.spec < b.spec ? -1 : 1));
}

function slowestSpecs(records: readonly SweepRecord[]): SpecTiming[] {
  const by = new Map<string, number[]>();
  for (const r of records) by.set(r.spec, [...(by.get(r.spec) ?? []), r.wallSeconds]);
  return [...by]
    .map(([spec, w]) => ({
      spec,
      runs: w.length,
      meanWallSeconds: w.reduce((a, b) => a + b, 0) / w.length,
      maxWallSeconds: Math.max(...w),
    }))
    .sort((a, b) => b.meanWallSeconds - a.meanWallSeconds || (a.spec < b.spec ? -1 : 1))
    .slice(0, SLOWEST);
}

function neverHitAssertions(records: readonly SweepRecord[]): NeverHit[] {
  const by = new Map<string, { spec: string; name: string; runs: number; hit: boolean }>();
  for (const r of records) {
    for (const s of r.sometimes) {
      const key = `${r.spec}\u0000${s.name}`;
      const e = by.get(key) ?? { spec: r.spec, name: s.name, runs: 0, hit: false };
      e.runs++;
      e.hit ||= s.hit;
      by.set(key, e);
    }
  }
  return [...by.values()]
    .filter((e) => !e.hit)
    .map(({ spec, name, runs }) => ({ spec, name, runs }))
    .sort((a, b) => (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : a.name < b.name ? -1 : 1));
}

/**
 * Folds records into the summary. `deferNegatives`: a shard sees only some seeds of a negative spec, so a
 * spec not caught in it does not fail it (the merge decides).
 */
export function summarize(
  records: readonly SweepRecord[],
  planned: number,
  deferNegatives = false,
): SweepSummary {
  const sorted = [...records].sort((a, b) => a.index - b.index);
  const count = (v: SweepRecord['verdict']) => sorted.filter((r) => r.verdict === v).length;
  const negatives = negativeSpecs(sorted);
  const failed = count('failed');
  return {
    finished: sorted.length,
    planned,
    passed: count('passed'),
    failed,
    caught: count('caught'),
    missed: count('missed'),
    groups: groupFailures(sorted),
    negatives,
    slowest: slowestSpecs(sorted),
    neverHit: neverHitAssertions(sorted),
    failing: failed > 0 || (!deferNegatives && negatives.some((n) => n.caught === 0)),
  };
}
