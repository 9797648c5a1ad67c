// The chaos workloads' contract: FoundationDB's option names and defaults, chaos kind, registry
// validation of spec values; and determinism: a spec stacking several of them gives the same trace twice.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { Random } from '../../../src/core/random.js';
import { injectedOptions as attritionInjected } from '../../../workloads/chaos/attrition.js';
import { injectedOptions as cloggingInjected } from '../../../workloads/chaos/random-clogging.js';
import { injectedOptions as rollbackInjected } from '../../../workloads/chaos/rollback.js';
import { CHAOS_WORKLOADS, chaosRegistry, runChaosSpec } from './chaos-run.js';

/** FoundationDB's option defaults (reference §2.9–§2.14); faultline-only options are listed separately. */
const FDB_DEFAULTS: Record<string, Record<string, unknown>> = {
  RandomClogging: { testDuration: 10, scale: 1, clogginess: 1, swizzle: 0 },
  Attrition: {
    machinesToKill: 2,
    machinesToLeave: 1,
    testDuration: 10,
    reboot: false,
    replacement: 'random',
    killDc: 'random',
    killDatahall: false,
    targetIds: [],
    waitForVersion: false,
    allowFaultInjection: true,
    suspendDuration: 1,
  },
  Rollback: { meanDelay: 20, clogDuration: 3, testDuration: 10, enableFailures: false, multiple: true },
  ChangeConfig: {
    minDelayBeforeChange: 0,
    maxDelayBeforeChange: 0,
    configMode: '',
    coordinators: '',
    coordinatorChanges: 1,
  },
  DiskFailureInjection: {
    startDelay: 0,
    testDuration: 60,
    verificationMode: false,
    throttleDisk: false,
    workersToThrottle: 3,
    stallInterval: 0,
    stallPeriod: 60,
    throttlePeriod: 60,
    corruptFile: false,
    workersToCorrupt: 1,
    percentBitFlips: 10,
    periodicBroadcastInterval: 5,
  },
  TriggerRecoveryLoop: { startTime: 0, numRecoveries: 0, delayBetweenRecoveries: 0, killAllProportion: 0.1 },
  TargetedKill: {
    killAt: 5,
    machineToKill: 'master',
    reboot: false,
    suspendDuration: 1,
    killWholeMachine: false,
    numKillStorages: 1,
  },
  ClogSingleConnection: { minDelay: 0, maxDelay: 10, clogDuration: 10000 },
  ClockSkew: { maxOffset: 1, maxDriftPpm: 100, testDuration: 10, processesToSkew: 3 },
  Partition: { testDuration: 10, partitionDuration: 4, meanDelay: 4, mode: 'random', isolateRoles: [] },
};
const FAULTLINE_ONLY: Record<string, string[]> = {
  RandomClogging: ['iterate'],
  Attrition: ['iterate'],
  TargetedKill: ['killType'],
};

describe('chaos workload contract', () => {
  it("declares FoundationDB's option names and defaults, every option documented", () => {
    expect(CHAOS_WORKLOADS.map((w) => w.name).sort()).toEqual(Object.keys(FDB_DEFAULTS).sort());
    for (const w of CHAOS_WORKLOADS) {
      expect(w.kind).toBe('chaos');
      const defaults: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(w.options)) {
        expect(spec.doc.length).toBeGreaterThan(10);
        if (!(FAULTLINE_ONLY[w.name] ?? []).includes(name)) defaults[name] = spec.default;
      }
      expect(defaults, w.name).toEqual(FDB_DEFAULTS[w.name]);
    }
  });

  it('accepts spec values as FoundationDB writes them and rejects unknown options with a hint', () => {
    const registry = chaosRegistry();
    const attrition = registry.get('Attrition')!;
    const v = registry.validateOptions(
      attrition,
      {
        machinesToKill: { value: '3', line: 4 },
        reboot: { value: 'true', line: 5 },
        killDc: { value: false, line: 6 },
      },
      { file: 'tests/fast/X.toml' },
    );
    expect(v).toMatchObject({ machinesToKill: 3, reboot: true, killDc: 'false' });
    let error: unknown;
    try {
      registry.validateOptions(
        attrition,
        { machinesToKil: { value: 3, line: 7 } },
        { file: 'tests/fast/X.toml' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadInputError);
    expect(String((error as Error).message) + String((error as BadInputError).hint)).toContain(
      'machinesToKill',
    );
  });

  it('checks every item of a list option against its choices, with a hint', () => {
    const registry = chaosRegistry();
    const partition = registry.get('Partition')!;
    expect(
      registry.validateOptions(
        partition,
        { isolateRoles: { value: ['master', 'grvproxy'], line: 3 } },
        { file: 'tests/fast/X.toml' },
      ),
    ).toMatchObject({ isolateRoles: ['master', 'grvproxy'] });
    let error: unknown;
    try {
      registry.validateOptions(
        partition,
        { isolateRoles: { value: ['master', 'grvproxi'], line: 9 } },
        { file: 'tests/fast/X.toml' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadInputError);
    const text = String((error as Error).message) + String((error as BadInputError).hint);
    expect(text).toContain('grvproxi');
    expect(text).toContain("did you mean 'grvproxy'");
  });
});

describe('automatic failure injection parameters', () => {
  it("are FoundationDB's draws and valid options of each workload", () => {
    const registry = chaosRegistry();
    const located = (o: Record<string, number | boolean | string>) =>
      Object.fromEntries(Object.entries(o).map(([k, value]) => [k, { value, line: 1 }]));
    let swizzles = 0;
    for (let i = 0; i < 200; i++) {
      const random = new Random(`inject${i}`);
      const clog = cloggingInjected(random);
      expect(clog.scale).toBeGreaterThanOrEqual(0.1);
      expect(clog.scale).toBeLessThan(1);
      if (clog.swizzle === 1) swizzles++;
      for (const [name, opts] of [
        ['RandomClogging', clog],
        ['Attrition', attritionInjected(random)],
        ['Rollback', rollbackInjected(random)],
      ] as const) {
        expect(() =>
          registry.validateOptions(registry.get(name)!, located(opts), { file: '<injected>' }),
        ).not.toThrow();
      }
    }
    expect(swizzles / 200).toBeGreaterThan(0.2);
    expect(swizzles / 200).toBeLessThan(0.4);
  });
});

const STACKED = `
[configuration]
machineCount = 6
config = 'double'

[[test]]
testTitle = 'Stacked'

    [[test.workload]]
    testName = 'Cycle'
    testDuration = 10.0
    transactionsPerSecond = 200.0
    nodeCount = 100

    [[test.workload]]
    testName = 'RandomClogging'
    testDuration = 10.0
    swizzle = 1

    [[test.workload]]
    testName = 'Attrition'
    testDuration = 10.0
    machinesToKill = 2
    reboot = true

    [[test.workload]]
    testName = 'Rollback'
    testDuration = 10.0
    meanDelay = 4.0

    [[test.workload]]
    testName = 'ClockSkew'
    testDuration = 10.0
`;

describe('chaos workload determinism', () => {
  it('gives the same trace and unseed for the same seed', async () => {
    const a = await runChaosSpec(STACKED, 11);
    const b = await runChaosSpec(STACKED, 11);
    expect(a.result.outcome).toBe('passed');
    expect(a.result.chaosEvents.length).toBeGreaterThan(20);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(b.result.unseed).toBe(a.result.unseed);
  }, 60_000);
});
