// One sweep run as a results-file line: what ran, how it ended, its verdict (a negative spec's failure is
// a catch), and its failure signature, the key that folds the same bug on many seeds into one group.
import type { RunResult } from '../run/result.js';

/**
 * How a run ended. The run's own outcomes, plus the sweep's: `timeout` (the wall-clock limit; the worker
 * was ended), `out-of-memory` (the memory limit), `crash` (the run threw or its worker died: a bug in
 * faultline or a plugin), `nondeterministic` (a re-run disagreed).
 */
export type SweepOutcome =
  | 'passed'
  | 'failed'
  | 'did-not-finish'
  | 'timeout'
  | 'out-of-memory'
  | 'crash'
  | 'nondeterministic';

/**
 * The run's verdict: `passed`/`failed` for ordinary specs; for a negative spec (`expectFailure`), a run
 * that failed with a Severity-40 event `caught` the bug and one that passed `missed` it (neither fails the
 * sweep; a spec caught on no seed does). Any other ending is `failed`.
 */
export type Verdict = 'passed' | 'failed' | 'caught' | 'missed';

/** A `sometimes` assertion of one workload and whether it held at least once in the run. */
export interface SometimesHit {
  /** `Workload: name`. */
  readonly name: string;
  readonly hit: boolean;
}

/** One line of a results file: one (spec, seed) run. */
export interface SweepRecord {
  /** Position in the whole plan (results fold in this order, never completion order). */
  readonly index: number;
  readonly spec: string;
  readonly specSha256: string;
  readonly title: string;
  readonly seed: number;
  readonly buggify: boolean;
  readonly expectFailure: boolean;
  readonly outcome: SweepOutcome;
  readonly verdict: Verdict;
  /** The exit code `faultline run` gives this run: 0, 1, 3 (did not finish), 4 (determinism), 70 (crash). */
  readonly exitCode: number;
  /** The failure signature (absent for passing runs). */
  readonly signature?: string;
  /** One line saying what went wrong (absent for passing runs). */
  readonly message?: string;
  readonly unseed?: number;
  readonly traceHash?: string;
  /** Simulated seconds (absent when the run did not end by itself). */
  readonly simSeconds?: number;
  /** Wall-clock seconds, as the sweep measured them (queueing excluded). */
  readonly wallSeconds: number;
  /** CPU seconds the worker process spent on the run (every thread: the run's and V8's); absent when it died. */
  readonly cpuSeconds?: number;
  /** Heap the worker held after the run, MB: an upper bound on the run's peak (absent when it died). */
  readonly peakMemoryMb?: number;
  /** The kept trace file, if any. */
  readonly tracePath?: string;
  /** The `faultline run` command that replays this run. */
  readonly reproduce: string;
  readonly sometimes: readonly SometimesHit[];
}

/** Digits out, so "limit of 1500 s" and "limit of 900 s" group together. */
function normalize(text: string): string {
  return text.replace(/0x[0-9a-f]+/gi, 'N').replace(/\d+(\.\d+)?/g, 'N');
}

/** The failed check of a failed run: `Test › Workload: check`, or the cluster check, or the test. */
function failedCheck(r: RunResult): string {
  for (const t of r.tests) {
    for (const w of t.workloads) {
      const inv = w.invariants.find((i) => i.status === 'fail');
      if (inv) return `${t.title} › ${w.name}: ${inv.name}`;
    }
    const c = t.cluster.find((i) => i.status === 'fail');
    if (c) return `${t.title} › ${c.name}`;
    if (t.ran && !t.passed) return `${t.title} › (test)`;
  }
  return '(no failed check)';
}

/** Signature and message of a run that did not pass; undefined for a passing run. */
export function runFailure(r: RunResult): { signature: string; message: string } | undefined {
  if (r.outcome === 'passed') return undefined;
  if (r.outcome === 'did-not-finish') {
    const d = r.didNotFinish;
    const reason = d?.reason ?? 'did not finish';
    return {
      signature: `did-not-finish | ${r.specPath} | ${normalize(d?.duringTest ?? '')} | ${normalize(reason)}`,
      message: `did not finish: ${reason}${d?.duringTest ? ` (while ${d.duringTest})` : ''}`,
    };
  }
  const first = r.failures[0];
  const type = first?.type ?? 'TestFailure';
  const why = first ? `${type}${first.workload ? ` (${first.workload})` : ''}: ${first.reason}` : type;
  return { signature: `failed | ${r.specPath} | ${failedCheck(r)} | ${type}`, message: why };
}

/** Signature of a run the sweep ended or lost: `timeout`, `out-of-memory`, `crash`, `nondeterministic`. */
export function sweepFailureSignature(outcome: SweepOutcome, spec: string, message: string): string {
  if (outcome === 'crash') return `crash | ${spec} | ${normalize(message.split('\n')[0] ?? '')}`;
  return `${outcome} | ${spec}`;
}

/** The verdict of a run of a spec that does (or does not) expect failure. */
export function verdictOf(outcome: SweepOutcome, expectFailure: boolean): Verdict {
  if (!expectFailure) return outcome === 'passed' ? 'passed' : 'failed';
  if (outcome === 'failed') return 'caught';
  if (outcome === 'passed') return 'missed';
  return 'failed';
}

/** The exit code `faultline run` gives an outcome (see cli/exit-codes). */
export function runExitCode(outcome: SweepOutcome): number {
  switch (outcome) {
    case 'passed':
      return 0;
    case 'failed':
      return 1;
    case 'did-not-finish':
    case 'timeout':
    case 'out-of-memory':
      return 3;
    case 'nondeterministic':
      return 4;
    case 'crash':
      return 70;
  }
}

/** Every `sometimes` assertion of the run and whether it was hit. */
export function sometimesOf(r: RunResult): SometimesHit[] {
  const out: SometimesHit[] = [];
  for (const t of r.tests) {
    for (const w of t.workloads) {
      for (const i of w.invariants) {
        if (!i.name.startsWith('sometimes: ')) continue;
        out.push({ name: `${w.name}: ${i.name.slice('sometimes: '.length)}`, hit: i.status === 'pass' });
      }
    }
  }
  return out;
}
