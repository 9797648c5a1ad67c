// The determinism check: two runs of one seed must write the same trace (real-time fields excepted) and
// draw the same unseed. On a mismatch, the first differing trace line says where the runs diverged.
import { parseTraceLine } from '../trace/reader.js';
import { DEFAULT_NONDETERMINISTIC_FIELDS, formatTraceLine } from '../trace/writer.js';
import type { RunResult } from './result.js';

/** Where two traces first differ. */
export interface TraceDivergence {
  /** 1-based line number. */
  readonly line: number;
  /** The line of the first run, or undefined when it ended first. */
  readonly first: string | undefined;
  /** The line of the second run, or undefined when it ended first. */
  readonly second: string | undefined;
  /** Simulated seconds and event type of the first differing event (from whichever run has it). */
  readonly time: number | undefined;
  readonly type: string | undefined;
}

const OMIT: ReadonlySet<string> = new Set(DEFAULT_NONDETERMINISTIC_FIELDS);

/** A trace line without its real-time fields, as the trace hash sees it. */
function comparable(line: string, lineNo: number): string {
  return formatTraceLine(parseTraceLine(line, '<trace>', lineNo), OMIT);
}

/** The first line where two traces differ (real-time fields ignored), or undefined when they agree. */
export function firstDivergence(a: readonly string[], b: readonly string[]): TraceDivergence | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== undefined && y !== undefined && (x === y || comparable(x, i + 1) === comparable(y, i + 1)))
      continue;
    const sample = x ?? y!;
    const ev = parseTraceLine(sample, '<trace>', i + 1);
    return { line: i + 1, first: x, second: y, time: ev.time / 1_000_000, type: ev.type };
  }
  return undefined;
}

/** The verdict of a determinism check. */
export interface DeterminismVerdict {
  readonly ok: boolean;
  /** One line saying what differed (empty when ok). */
  readonly message: string;
  readonly divergence?: TraceDivergence;
}

/**
 * Compares two runs of one seed by trace hash and unseed; on a mismatch, names the first differing
 * trace event (when both runs kept their lines).
 */
export function checkDeterminism(
  first: RunResult,
  second: RunResult,
  firstLines: readonly string[],
  secondLines: readonly string[],
): DeterminismVerdict {
  if (first.traceHash === second.traceHash && first.unseed === second.unseed)
    return { ok: true, message: '' };
  const what: string[] = [];
  if (first.traceHash !== second.traceHash) what.push(`trace hash ${first.traceHash} vs ${second.traceHash}`);
  if (first.unseed !== second.unseed) what.push(`unseed ${first.unseed} vs ${second.unseed}`);
  const divergence = firstDivergence(firstLines, secondLines);
  const where = divergence
    ? `; first difference at trace line ${divergence.line}: ${divergence.type} at ${divergence.time?.toFixed(6)} s`
    : '';
  return {
    ok: false,
    message: `two runs of seed ${first.seed} differ (${what.join(', ')})${where}`,
    ...(divergence ? { divergence } : {}),
  };
}
