// Every spec in tests/fast/ (application workload specs and chaos workload specs alike) must pass on
// several seeds, swept through `faultline sweep` exactly as a user sweeps the folder: automatic failure
// injection as the spec says, every built-in workload registered, BUGGIFY as each spec declares. A
// failing run is listed with the command that replays it.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedCount } from '../../support/seed-count.js';
import { notPassed, sweepThroughCli } from '../../support/sweep-cli.js';

/** Seeds each spec runs on: 1 .. SEEDS (1 in `npm test`; `npm run test:sweeps` runs 10). */
const SEEDS = seedCount('FAST_SPEC', 1);

const specs = readdirSync('tests/fast')
  .filter((f) => f.endsWith('.toml'))
  .sort();

describe('tests/fast specs', () => {
  it('finds the application and chaos specs', () => {
    expect(specs).toContain('CycleTest.toml');
    expect(specs).toContain('AtomicOps.toml');
    expect(specs).toContain('Attrition.toml');
  });

  it(`every spec passes on seeds 1..${SEEDS}`, async () => {
    const swept = await sweepThroughCli({
      specs: ['tests/fast'],
      // A healthy run of these specs ends within a few hundred simulated seconds; a hang fails fast.
      flags: ['--seed-range', `1..${SEEDS}`, '--buggify', 'off', '--max-sim-seconds', '1500'],
      timeoutMs: 3_500_000,
    });
    expect(swept.runs).toHaveLength(specs.length * SEEDS);
    const bad = notPassed(swept.runs);
    expect(bad, `${bad.length} runs did not pass:\n${bad.join('\n')}`).toEqual([]);
    expect(swept.code, swept.stdout + swept.stderr).toBe(0);
  }, 3_600_000);
});
