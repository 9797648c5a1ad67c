// FoundationDB's passing specs that cost minutes a seed (tests/slow and the heavier tests/fast and
// tests/rare ones): copied unchanged into tests/fdb/long/. `npm test` checks their headers; `npm run
// test:sweeps` (FAULTLINE_FDB_LONG_SEEDS=1) runs each on seeds 1..N. `npx tsx bench/fdb-compat.ts` runs
// them on seeds 1-3 for docs/fdb-compatibility.md.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectFdbSpecPasses, FDB_HEADER, fdbSpecsIn, firstLine } from '../../support/fdb-specs.js';
import { seedCount } from '../../support/seed-count.js';

const DIR = 'tests/fdb/long';
const specs = fdbSpecsIn(DIR);
const RUN = process.env.FAULTLINE_FDB_LONG_SEEDS !== undefined;
const seeds = RUN ? Array.from({ length: seedCount('FDB_LONG', 1) }, (_, i) => i + 1) : [];
const cases = specs.flatMap((f) => seeds.map((seed) => [f, seed] as const));

describe('FoundationDB specs in tests/fdb/long', () => {
  it('there are some, each naming its FoundationDB path in a header comment', () => {
    expect(specs.length).toBeGreaterThan(0);
    for (const f of specs) expect(firstLine(path.join(DIR, f))).toMatch(FDB_HEADER);
  });

  it.skipIf(!RUN).each(cases)(
    '%s passes on seed %i',
    (f, seed) => expectFdbSpecPasses(path.join(DIR, f), seed),
    1_800_000,
  );
});
