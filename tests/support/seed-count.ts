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
