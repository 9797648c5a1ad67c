// Recoverability sweep (issue 5): the chaos never leaves the cluster permanently unrecoverable within
// the kill-safety policy. tests/slow/RecoverySweep.toml stacks Cycle with RandomClogging, Rollback and
// two Attritions (kills and reboots) for 10 simulated seconds with BUGGIFY on; every seed must then pass,
// which means the cluster came back to full service: each run waits for a quiet cluster (recovered,
// fully replicated, replicas caught up), checks the ring and compares every replica. The seeds run
// through `faultline sweep`, as a user sweeps them; the test lists every seed that did not pass with the
// command that replays it.
import { describe, expect, it } from 'vitest';
import { seedPlan } from '../../support/seed-count.js';
import { notPassed, sweepThroughCli } from '../../support/sweep-cli.js';

const SPEC = 'tests/slow/RecoverySweep.toml';
/**
 * Seeds that once found a cluster bug: 165, 217 and 253 (a lost server that serves no shard was never
 * dropped), 258 (data distribution stranded a shard's only copy), 397 (a rebuild timed out on dead
 * sources), 4993 (quiescence chased a fresh read version each poll).
 */
const REGRESSIONS = [165, 217, 253, 258, 397, 4993];
/**
 * Seeds swept: 1..100 and the regressions in `npm test`; `npm run test:sweeps` sets
 * FAULTLINE_RECOVERY_SEEDS=500 (any N widens it to 1..N).
 */
const SEEDS = seedPlan('RECOVERY', 100, REGRESSIONS);
/**
 * Simulated-time limit per run. A healthy run ends within about 100 simulated seconds; one that is still
 * going after 1500 (25 minutes of simulated time, long after the chaos ended) never returned to service.
 */
const MAX_SIM_SECONDS = 1500;

describe('recovery sweep', () => {
  it(`the cluster returns to full service after stacked chaos on ${SEEDS.length} seeds`, async () => {
    const swept = await sweepThroughCli({
      specs: [],
      corpus: SEEDS.map((seed) => `${SPEC} ${seed}`),
      flags: ['--max-sim-seconds', String(MAX_SIM_SECONDS)],
      timeoutMs: 3_500_000,
    });
    expect(swept.runs.map((r) => r.seed)).toEqual(SEEDS);
    const bad = notPassed(swept.runs);
    expect(bad, `${bad.length} of ${SEEDS.length} seeds did not pass:\n${bad.join('\n')}`).toEqual([]);
    expect(swept.code, swept.stdout + swept.stderr).toBe(0);
  }, 3_600_000);
});
