// The oracle in a real run: a planted resolver bug (range reads not checked for conflicts) is flagged as
// an OracleViolation naming the property, the transaction, the versions and the key, and the report's
// invariant table carries it; the same spec without the bug passes the oracle; `[configuration] oracle
// = false` and `--no-oracle` (noOracle) turn it off; a mistyped value is a located spec error.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import type { RunResult } from '../../../src/run/result.js';
import { runSpec } from '../../../src/run/run-spec.js';
import { parseSpec } from '../../../src/spec/index.js';
import { TraceWriter } from '../../../src/trace/writer.js';
import { Registry } from '../../../src/workload/registry.js';
import { builtinWorkloads } from '../../../workloads/index.js';

function specText(config: string): string {
  return `[configuration]
buggify = false
${config}

[[test]]
testTitle = 'OracleCatches'
runFailureWorkloads = false

    [[test.workload]]
    testName = 'ConflictRange'
    testDuration = 4.0
    maxOffset = 0
`;
}

async function run(config: string, noOracle = false): Promise<RunResult> {
  return runSpec({
    spec: parseSpec(specText(config), 'oracle.toml'),
    specPath: 'oracle.toml',
    seed: 1,
    registry: new Registry(builtinWorkloads),
    traceSink: new TraceWriter({ memory: false }),
    maxSimSeconds: 600,
    ...(noOracle ? { noOracle } : {}),
  });
}

const oracleRows = (r: RunResult) => r.tests.flatMap((t) => t.cluster).filter((c) => c.name === 'oracle');

describe('the oracle in a run', () => {
  it('flags a resolver that ignores range reads as a serializability violation', async () => {
    const r = await run(`plantedBug = 'resolverIgnoresRangeReads'`);
    const v = r.failures.find((f) => f.type === 'OracleViolation');
    expect(v, 'an OracleViolation event').toBeDefined();
    expect(v!.details.Property).toBe('serializability');
    expect(String(v!.details.Reason)).toMatch(/read \[.*\) at version \d+ and committed at \d+/);
    expect(v!.details.Transactions).not.toBe('');
    expect(v!.details.Key).not.toBe('');
    const rows = oracleRows(r);
    expect(rows.map((c) => c.status)).toEqual(['fail']);
    expect(rows[0]!.reason).toMatch(/^serializability: /);
  });

  it('passes the same spec without the bug, having checked its commits and reads', async () => {
    const r = await run('');
    expect(r.failures.filter((f) => f.type === 'OracleViolation')).toEqual([]);
    const rows = oracleRows(r);
    expect(rows.map((c) => c.status)).toEqual(['pass']);
    expect(rows[0]!.count).toBeGreaterThan(10);
  });

  it('is off with [configuration] oracle = false and with --no-oracle', async () => {
    for (const r of [
      await run(`plantedBug = 'resolverIgnoresRangeReads'\noracle = false`),
      await run(`plantedBug = 'resolverIgnoresRangeReads'`, true),
    ]) {
      expect(r.failures.filter((f) => f.type === 'OracleViolation')).toEqual([]);
      expect(oracleRows(r)).toEqual([]);
    }
  });

  it('rejects a value that is not a boolean, naming the key and line', () => {
    let error: unknown;
    try {
      parseSpec(specText(`oracle = 'yes'`), 'oracle.toml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as BadInputError).format()).toBe(
      "oracle.toml:3: oracle: expected true or false, got 'yes'",
    );
  });
});
