// Swarm seeds run as `faultline swarm` runs them: the spec generated from seed S, run with seed S, must
// pass. npm test runs one seed that takes a few seconds (a swarm seed costs about 3-60 CPU seconds, so a
// few hundred do not fit its budget); FAULTLINE_SWARM_SEEDS=N runs seeds 1..N as well, for a local sweep.
import { describe, expect, it } from 'vitest';
import { generateSwarmSpec } from '../../../src/swarm/index.js';
import { Registry } from '../../../src/workload/registry.js';
import { builtinWorkloads } from '../../../workloads/index.js';
import { seedPlan } from '../../support/seed-count.js';
import { explain, runChaosSpec } from '../chaos/chaos-run.js';

/** Swarm seeds that run in npm test: cheap ones (seed 28: about 3 CPU seconds). */
const SAMPLED = [28];

describe('swarm seeds', () => {
  const registry = new Registry(builtinWorkloads);
  for (const seed of seedPlan('SWARM', 0, SAMPLED)) {
    it(`swarm seed ${seed} passes`, async () => {
      const { toml } = generateSwarmSpec(seed, registry);
      const { result } = await runChaosSpec(toml, seed, `traces/swarm/swarm-${seed}.toml`);
      expect(result.outcome, explain(result)).toBe('passed');
    }, 600_000);
  }
});
