// A sweep as JUnit suites: a testsuite per spec, a testcase per seed, the failure message and the
// reproduce command in the body; a negative spec caught on no seed gets one failing case of its own.
import type { JUnitCase, JUnitSuite } from '../report/junit.js';
import type { SweepRecord } from './record.js';
import type { SweepSummary } from './summary.js';

function caseOf(r: SweepRecord): JUnitCase {
  const name = `seed ${r.seed} (buggify ${r.buggify ? 'on' : 'off'})`;
  const base = { name, classname: r.spec, time: r.wallSeconds };
  if (r.verdict !== 'failed') {
    const note = r.verdict === 'caught' ? `caught the planted bug: ${r.message ?? ''}\n` : '';
    return { ...base, output: `${note}reproduce: ${r.reproduce}` };
  }
  const message = (r.message ?? r.outcome).split('\n')[0] ?? r.outcome;
  return {
    ...base,
    problem: {
      kind: r.outcome === 'failed' ? 'failure' : 'error',
      type: r.outcome,
      message,
      body: `${r.message ?? r.outcome}\nsignature: ${r.signature ?? r.outcome}\nreproduce: ${r.reproduce}${
        r.tracePath ? `\ntrace: ${r.tracePath}` : ''
      }`,
    },
  };
}

/** The suites of a sweep, specs in plan order, seeds in plan order. */
export function junitSuites(
  records: readonly SweepRecord[],
  summary: SweepSummary,
  deferNegatives: boolean,
): JUnitSuite[] {
  const bySpec = new Map<string, JUnitCase[]>();
  for (const r of [...records].sort((a, b) => a.index - b.index)) {
    const list = bySpec.get(r.spec) ?? [];
    list.push(caseOf(r));
    bySpec.set(r.spec, list);
  }
  if (!deferNegatives) {
    for (const n of summary.negatives) {
      if (n.caught > 0) continue;
      bySpec.get(n.spec)?.push({
        name: 'catches its planted bug on at least one seed',
        classname: n.spec,
        time: 0,
        problem: {
          kind: 'failure',
          type: 'not-caught',
          message: `the negative spec passed on all ${n.runs} seeds: its planted bug was never caught`,
          body: 'A spec with expectFailure = true must fail (a check catching the bug) on some seed. Sweep more seeds, or strengthen the spec.',
        },
      });
    }
  }
  return [...bySpec].map(([name, cases]) => ({ name, cases }));
}
