// The summary as text for a terminal or a CI log, the one line printed as each failure happens, and
// GitHub Actions `::error` annotations.
import type { SweepRecord } from './record.js';
import type { FailureGroup, SweepSummary } from './summary.js';

/** What the summary's first line says beyond the counts. */
export interface SummaryContext {
  readonly seedsLabel: string;
  readonly wallSeconds: number;
  readonly jobs?: number;
  /** `completed`, `interrupted`, `max-failures`, or a merge's note. */
  readonly stopped: string;
}

const HEADINGS: Record<string, string> = {
  failed: 'Failures',
  'did-not-finish': 'Did not finish',
  timeout: 'Timed out (wall-clock limit; the worker was ended)',
  'out-of-memory': 'Out of memory (the worker was ended)',
  crash: 'Crashes (a bug in faultline or a plugin)',
  nondeterministic: 'Nondeterminism (a re-run disagreed)',
};

/** Seeds as `1, 4, 7` (the first 20, then a count). */
function seedList(seeds: readonly number[]): string {
  const shown = seeds.slice(0, 20).join(', ');
  return seeds.length > 20 ? `${shown}, ... (${seeds.length - 20} more)` : shown;
}

function groupLines(g: FailureGroup, n: number): string[] {
  const runs = g.seeds.length === 1 ? '1 run' : `${g.seeds.length} runs`;
  return [
    `  [${n}] ${g.signature}`,
    `      ${runs}: seed${g.seeds.length === 1 ? '' : 's'} ${seedList(g.seeds)}`,
    `      ${g.message.split('\n')[0]}`,
    `      reproduce: ${g.reproduce}`,
  ];
}

/** The last line: a sweep stopped before its plan was made never says PASSED (its runs were not all made). */
function verdictLine(s: SweepSummary, ctx: SummaryContext): string {
  if (s.failing) return 'SWEEP FAILED';
  return ctx.stopped === 'interrupted' ? 'SWEEP INTERRUPTED' : 'SWEEP PASSED';
}

/** The summary, many lines, ending with a newline. */
export function renderSummary(s: SweepSummary, ctx: SummaryContext): string {
  const out: string[] = [];
  const rate = ctx.wallSeconds > 0 ? s.finished / ctx.wallSeconds : 0;
  const stopped =
    ctx.stopped === 'completed' ? '' : ` (${ctx.stopped}: ${s.planned - s.finished} runs not made)`;
  out.push(
    `Sweep: ${s.finished} of ${s.planned} runs${stopped}, ${ctx.seedsLabel}; ${ctx.wallSeconds.toFixed(1)} s, ` +
      `${rate.toFixed(2)} runs/s${ctx.jobs !== undefined ? ` with ${ctx.jobs} worker${ctx.jobs === 1 ? '' : 's'}` : ''}`,
  );
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.caught + s.missed > 0) parts.push(`${s.caught} caught a planted bug`, `${s.missed} missed it`);
  out.push(`  ${parts.join(', ')}`);
  let n = 0;
  for (const outcome of Object.keys(HEADINGS)) {
    const groups = s.groups.filter((g) => g.outcome === outcome);
    if (groups.length === 0) continue;
    const runs = groups.reduce((a, g) => a + g.seeds.length, 0);
    out.push(
      '',
      `${HEADINGS[outcome]}: ${runs} run${runs === 1 ? '' : 's'} in ${groups.length} group${groups.length === 1 ? '' : 's'}`,
    );
    for (const g of groups) out.push(...groupLines(g, ++n));
  }
  if (s.negatives.length > 0) {
    out.push('', 'Negative specs (expectFailure: a failing run caught the planted bug):');
    for (const ng of s.negatives) {
      const verdict =
        ng.caught > 0
          ? `caught on ${ng.caught} of ${ng.runs} seeds (${seedList(ng.caughtSeeds)})`
          : `NOT CAUGHT on any of ${ng.runs} seeds`;
      out.push(`  ${ng.spec}: ${verdict}`);
    }
  }
  if (s.slowest.length > 0) {
    out.push('', 'Slowest specs (wall seconds per run):');
    for (const t of s.slowest) {
      out.push(
        `  ${t.meanWallSeconds.toFixed(2)} mean, ${t.maxWallSeconds.toFixed(2)} max  ${t.spec} (${t.runs} runs)`,
      );
    }
  }
  if (s.neverHit.length > 0) {
    out.push(
      '',
      'Sometimes-assertions never hit in any run (the workload never reached that state; a weak test):',
    );
    for (const h of s.neverHit) out.push(`  ${h.spec}: ${h.name} (${h.runs} runs)`);
  }
  out.push('', verdictLine(s, ctx));
  return `${out.join('\n')}\n`;
}

/** One line for a failure as it happens. */
export function failureLine(r: SweepRecord): string {
  return `FAIL ${r.spec} seed ${r.seed} (${r.outcome}): ${(r.message ?? r.outcome).split('\n')[0]}\n  reproduce: ${r.reproduce}\n`;
}

/** A GitHub Actions annotation for a failure group (`%`, CR and LF escaped as the runner requires). */
export function githubAnnotation(g: FailureGroup): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const title = esc(`${g.outcome}: ${g.spec} (${g.seeds.length} seed${g.seeds.length === 1 ? '' : 's'})`)
    .replace(/,/g, '%2C')
    .replace(/::/g, '%3A%3A');
  const body = esc(`${g.message.split('\n')[0]}\nseeds: ${seedList(g.seeds)}\nreproduce: ${g.reproduce}`);
  return `::error file=${g.spec},title=${title}::${body}\n`;
}
