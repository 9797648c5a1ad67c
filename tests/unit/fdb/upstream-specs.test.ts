// FoundationDB's own specs that faultline runs unchanged: every copy in tests/fdb/ (its first line names
// the FoundationDB path and commit) passes on seed 1. docs/fdb-compatibility.md lists the rest.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSpec } from '../../../src/run/run-spec.js';
import { loadSpecFile } from '../../../src/spec/load.js';
import { TraceWriter } from '../../../src/trace/writer.js';
import { Registry } from '../../../src/workload/registry.js';
import { builtinWorkloads } from '../../../workloads/index.js';

const DIR = 'tests/fdb';
const specs = readdirSync(DIR)
  .filter((f) => f.endsWith('.toml'))
  .sort();

describe('FoundationDB specs in tests/fdb', () => {
  it('there are some, each naming its FoundationDB path in a header comment', () => {
    expect(specs.length).toBeGreaterThan(0);
    for (const f of specs) {
      expect(readFileSync(path.join(DIR, f), 'utf8').split('\n')[0]).toMatch(
        /^# FoundationDB: tests\/(fast|rare|slow)\/\S+\.toml \(apple\/foundationdb@[0-9a-f]{40}\)/,
      );
    }
  });

  it.each(specs)('%s passes on seed 1', async (f) => {
    const loaded = loadSpecFile(path.join(DIR, f));
    const r = await runSpec({
      spec: loaded.spec,
      specPath: path.join(DIR, f),
      seed: 1,
      traceSink: new TraceWriter({ memory: false }),
      registry: new Registry(builtinWorkloads),
    });
    expect(r.failures).toEqual([]);
    expect(r.outcome).toBe('passed');
  }, 60_000);
});
