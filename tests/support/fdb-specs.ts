// FoundationDB's own specs copied into tests/fdb/: each copy's first line names its FoundationDB path and
// commit, and each must pass unchanged. tests/fdb/*.toml run in `npm test`; tests/fdb/long/ holds the
// passing ones that cost minutes a seed, run by `npm run test:sweeps`.
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { specStatus } from '../../bench/fdb-compat.js';
import { Registry } from '../../src/workload/registry.js';
import { builtinWorkloads } from '../../workloads/index.js';

/** The header every copy starts with. */
export const FDB_HEADER =
  /^# FoundationDB: tests\/(fast|rare|slow)\/\S+\.toml \(apple\/foundationdb@[0-9a-f]{40}\)/;

/** The `.toml` files directly in `dir`, sorted. */
export function fdbSpecsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.toml'))
    .sort();
}

/** The first line of a copy. */
export function firstLine(file: string): string {
  return readFileSync(file, 'utf8').split('\n')[0] ?? '';
}

/** Runs a copy unchanged on `seed` and expects it to pass (the status names the first failure if not). */
export async function expectFdbSpecPasses(file: string, seed: number): Promise<void> {
  expect(await specStatus(file, seed, new Registry(builtinWorkloads))).toBe('passes');
}
