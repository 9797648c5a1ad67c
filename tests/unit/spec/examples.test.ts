// The real FoundationDB specs quoted in the reference (§1.10) must parse unchanged, and those that use
// only workloads faultline has must run unchanged and pass.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../../src/spec/parse.js';
import { faultlineAsync } from '../../support/faultline-cli.js';

const CYCLE_TEST = `[[test]]
testTitle = 'Clogged'

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 2500.0
    testDuration = 10.0

    [[test.workload]]
    testName = 'RandomClogging'
    testDuration = 10.0

    [[test.workload]]
    testName = 'Rollback'
    meanDelay = 10.0
    testDuration = 10.0

    [[test.workload]]
    testName = 'Attrition'
    machinesToKill = 10
    machinesToLeave = 3
    reboot = true
    testDuration = 10.0

    [[test.workload]]
    testName = 'Attrition'
    machinesToKill = 10
    machinesToLeave = 3
    reboot = true
    testDuration = 10.0

[[test]]
testTitle = 'Unclogged'

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 250.0
    testDuration = 10.0
`;

const CYCLE_WITH_KILLS = `# High priority number decreases the chance to run this test.
# Priority 1.0 is the default in TestHarness2
testPriority = '20'

[[test]]
testTitle = 'CycleTestWithKills'

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 2500.0
    testDuration = 30.0

    [[test.workload]]
    testName = 'Attrition'
    testDuration = 30.0
`;

const DISK_FAILURE_CYCLE = `[configuration]
buggify = false
minimumReplication = 3
minimumRegions = 3
logAntiQuorum = 0
storageEngineExcludeTypes = ["memory", "memory-radixtree", "ssd-rocksdb-v1", "ssd-sharded-rocksdb"]

[[test]]
testTitle = 'DiskFailureCycle'

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 2500.0
    testDuration = 30.0

    [[test.workload]]
    testName = 'DiskFailureInjection'
    testDuration = 120.0
    verificationMode = true
    startDelay = 3.0
    throttleDisk = true
    stallInterval = 5.0
    stallPeriod = 5.0
    throttlePeriod = 30.0
    corruptFile = true
    percentBitFlips = 10
`;

const CONFLICT_RANGE_CHECK = `[configuration]
buggify = false

[[test]]
testTitle = 'RandomReadWriteTest'
connectionFailuresDisableDuration = 100000

    [[test.workload]]
    testName = 'ConflictRange'
`;

const KILL_REGION_CYCLE = `[configuration]
minimumRegions = 2

[[knobs]]
max_read_transaction_life_versions = 5000000

[[test]]
testTitle = 'KillRegionCycle'
clearAfterTest = false

    [[test.workload]]
    testName = 'Cycle'
    nodeCount = 30000
    transactionsPerSecond = 2500.0
    testDuration = 30.0

    [[test.workload]]
    testName = 'KillRegion'
    testDuration = 30.0
`;

const RESTART_PART_1 = `[configuration]
maxTLogVersion = 7
disableTss = true
disableHostname = true

[[test]]
testTitle = 'Clogged'
clearAfterTest = false

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 500.0
    nodeCount = 2500
    testDuration = 10.0

    # … RandomClogging / Rollback / Attrition ×2 as in (a) …

    [[test.workload]]
    testName = 'SaveAndKill'
    restartInfoLocation = 'simfdb/restartInfo.ini'
    testDuration = 10.0
`;

const RESTART_PART_2 = `[configuration]
maxTLogVersion = 7
disableTss = true

[[knobs]]
# testing that restart with writing recover at version to CSTATE.
record_recover_at_in_cstate = true
track_tlog_recovery = true

[[test]]
testTitle = 'Clogged'
runSetup = false

    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 2500.0
    skipSetup = true
    nodeCount = 2500
    testDuration = 10.0

    # … RandomClogging / Rollback / Attrition ×2 as in (a) …
`;

describe('real FoundationDB specs (reference §1.10)', () => {
  it('(a) CycleTest: two tests in order, five concurrent workloads, options with their lines', () => {
    const s = parseSpec(CYCLE_TEST, 'tests/fast/CycleTest.toml');
    expect(s.tests.map((t) => t.testTitle)).toEqual(['Clogged', 'Unclogged']);
    expect(s.tests[0]!.workloads.map((w) => w.testName)).toEqual([
      'Cycle',
      'RandomClogging',
      'Rollback',
      'Attrition',
      'Attrition',
    ]);
    expect(s.tests[0]!.line).toBe(1);
    expect(s.tests[1]!.line).toBe(32);
    const attrition = s.tests[0]!.workloads[3]!;
    expect(attrition.line).toBe(18);
    expect(attrition.options).toEqual({
      machinesToKill: { value: 10, line: 20 },
      machinesToLeave: { value: 3, line: 21 },
      reboot: { value: true, line: 22 },
      testDuration: { value: 10, line: 23 },
    });
    expect(s.tests[0]!.keys).toMatchObject({
      timeout: 15000,
      clearAfterTest: true,
      runSetup: true,
      runConsistencyCheck: true,
    });
    expect(s.testClass).toBe('Clogged');
    expect(s.testPriority).toBe(1);
    expect(s.warnings).toEqual([]);
    expect(s.configuration.entries).toEqual([]);
  });

  it('(b) CycleWithKills: a harness priority written as a string', () => {
    const s = parseSpec(CYCLE_WITH_KILLS, 'tests/rare/CycleWithKills.toml');
    expect(s.testPriority).toBe(20);
    expect(s.tests[0]!.workloads.map((w) => [w.testName, w.line])).toEqual([
      ['Cycle', 8],
      ['Attrition', 13],
    ]);
  });

  it('(c) DiskFailureCycle: modelled configuration typed, unmodelled keys warned about by name and line', () => {
    const s = parseSpec(DISK_FAILURE_CYCLE, 'tests/slow/DiskFailureCycle.toml');
    expect(s.configuration.buggify).toEqual({ value: false, line: 2 });
    expect(s.configuration.minimumReplication).toEqual({ value: 3, line: 3 });
    expect(s.warnings.map((w) => [w.key, w.line])).toEqual([
      ['minimumRegions', 4],
      ['logAntiQuorum', 5],
      ['storageEngineExcludeTypes', 6],
    ]);
    expect(s.configuration.entries.map((e) => [e.key, e.modelled])).toEqual([
      ['buggify', true],
      ['minimumReplication', true],
      ['minimumRegions', false],
      ['logAntiQuorum', false],
      ['storageEngineExcludeTypes', false],
    ]);
    const disk = s.tests[0]!.workloads[1]!;
    expect(disk.options.percentBitFlips).toEqual({ value: 10, line: 26 });
    expect(Object.keys(disk.options)).toHaveLength(9);
  });

  it('(d) ConflictRangeCheck: connection failures disabled for the test', () => {
    const s = parseSpec(CONFLICT_RANGE_CHECK, 'tests/rare/ConflictRangeCheck.toml');
    expect(s.tests[0]!.keys.connectionFailuresDisableDuration).toBe(100000);
    expect(s.tests[0]!.keyLines.connectionFailuresDisableDuration).toBe(6);
    expect(s.tests[0]!.workloads[0]).toEqual({
      testName: 'ConflictRange',
      line: 8,
      testNameLine: 9,
      options: {},
    });
  });

  it('(e) KillRegionCycle: a global knob and kept data', () => {
    const s = parseSpec(KILL_REGION_CYCLE, 'tests/fast/KillRegionCycle.toml');
    expect(s.knobs).toEqual([{ name: 'max_read_transaction_life_versions', value: 5000000, line: 5 }]);
    expect(s.tests[0]!.keys.clearAfterTest).toBe(false);
    expect(s.warnings.map((w) => w.key)).toEqual(['minimumRegions']);
  });

  it('(f) CycleTestRestart parts 1 and 2: restart keys warned about, setup skipped in part 2', () => {
    const one = parseSpec(RESTART_PART_1, 'CycleTestRestart-1.toml');
    expect(one.warnings.map((w) => w.key)).toEqual(['maxTLogVersion', 'disableTss', 'disableHostname']);
    expect(one.tests[0]!.workloads[1]!.options.restartInfoLocation).toEqual({
      value: 'simfdb/restartInfo.ini',
      line: 20,
    });
    const two = parseSpec(RESTART_PART_2, 'CycleTestRestart-2.toml');
    expect(two.knobs).toEqual([
      { name: 'record_recover_at_in_cstate', value: true, line: 7 },
      { name: 'track_tlog_recovery', value: true, line: 8 },
    ]);
    expect(two.tests[0]!.keys.runSetup).toBe(false);
    expect(two.tests[0]!.phases).toEqual({ setup: false, execution: true, check: true, metrics: true });
    expect(two.tests[0]!.workloads[0]!.options.skipSetup).toEqual({ value: true, line: 17 });
  });
});

describe('real FoundationDB specs run unchanged', () => {
  // KillRegionCycle and CycleTestRestart need workloads faultline does not have (KillRegion, SaveAndKill).
  const runnable: [string, string][] = [
    ['CycleTest', CYCLE_TEST],
    ['CycleWithKills', CYCLE_WITH_KILLS],
    ['DiskFailureCycle', DISK_FAILURE_CYCLE],
    ['ConflictRangeCheck', CONFLICT_RANGE_CHECK],
  ];
  // Run as a user runs them, through the command line in a process of its own: the longer ones simulate
  // for half a minute of CPU, which in this test worker would starve vitest's own messages.
  for (const [name, text] of runnable) {
    it(`${name} passes with seed 1`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'faultline-examples-'));
      try {
        const file = path.join(dir, `${name}.toml`);
        writeFileSync(file, text);
        const r = await faultlineAsync(['run', file, '--seed', '1', '--format', 'json', '--trace-dir', dir]);
        const report = JSON.parse(r.stdout) as {
          outcome: string;
          failures: { type: string; reason: string }[];
        };
        expect(report.failures.map((f) => `${f.type}: ${f.reason}`)).toEqual([]);
        expect(report.outcome, r.stderr).toBe('passed');
        expect(r.code).toBe(0);
        const trace = readFileSync(
          path.join(dir, readdirSync(dir).find((f) => f.endsWith('.jsonl'))!),
          'utf8',
        );
        const ran = trace.split('\n').filter((l) => l.includes('"Type":"TestSummary"')).length;
        expect(ran).toBe(parseSpec(text, name).tests.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
