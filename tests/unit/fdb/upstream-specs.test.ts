// FoundationDB's own specs that faultline runs unchanged: every copy in tests/fdb/ (its first line names
// the FoundationDB path and commit) passes on seed 1. docs/fdb-compatibility.md lists the rest;
// tests/fdb/long/ (upstream-long-specs.test.ts) holds the passing ones too slow for `npm test`.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectFdbSpecPasses, FDB_HEADER, fdbSpecsIn, firstLine } from '../../support/fdb-specs.js';

const DIR = 'tests/fdb';
const specs = fdbSpecsIn(DIR);

describe('FoundationDB specs in tests/fdb', () => {
  it('there are some, each naming its FoundationDB path in a header comment', () => {
    expect(specs.length).toBeGreaterThan(0);
    for (const f of specs) expect(firstLine(path.join(DIR, f))).toMatch(FDB_HEADER);
  });

  it.each(specs)('%s passes on seed 1', (f) => expectFdbSpecPasses(path.join(DIR, f), 1), 60_000);
});
