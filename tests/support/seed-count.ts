// How many seeds a sweeping test runs. CI runs the defaults; a developer widens one sweep locally with
// an environment variable, e.g. FAULTLINE_RECOVERY_SEEDS=2000 npx vitest run tests/unit/sweep.
// Only the test's loop reads it: a seed's run is the same whatever the count.

/** `FAULTLINE_<name>_SEEDS` when set (a whole number of at least 1), else `fallback`. */
export function seedCount(name: string, fallback: number): number {
  const variable = `FAULTLINE_${name}_SEEDS`;
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${variable} must be a whole number of at least 1, got '${raw}'`);
  return n;
}

/**
 * The seeds a sampled sweep runs: 1..`sample` plus the `regressions` (seeds that once found a bug) when
 * `FAULTLINE_<name>_SEEDS` is unset, as `npm test` runs it; 1..N plus the regressions when it is set, as
 * `npm run test:sweeps` runs it. Sorted, without repeats.
 */
export function seedPlan(name: string, sample: number, regressions: readonly number[] = []): number[] {
  const n = seedCount(name, sample);
  const seeds = new Set<number>(regressions);
  for (let s = 1; s <= n; s++) seeds.add(s);
  return [...seeds].sort((a, b) => a - b);
}
