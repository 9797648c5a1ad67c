// The chaos matrix: Cycle, AtomicOps and ApiCorrectness must pass under every chaos workload, alone and
// stacked, on many seeds. Each spec is generated here with `runFailureWorkloads = false`, so the chaos in
// a run is exactly the chaos the spec declares. Single pairs run on seeds 1..2, stacks on seeds 1..5, unless
// FAULTLINE_PAIR_SEEDS or FAULTLINE_STACK_SEEDS widens them.
import { describe, expect, it } from 'vitest';
import { seedCount } from '../../support/seed-count.js';
import { explain, runChaosSpec } from '../chaos/chaos-run.js';

/** Simulated seconds each application and chaos workload runs. */
const DURATION = 6;

/** Each application workload's options: short, modest rates. */
const APPLICATIONS: Readonly<Record<string, string>> = {
  Cycle: `testDuration = ${DURATION}.0\n    transactionsPerSecond = 250.0\n    nodeCount = 100`,
  AtomicOps: `testDuration = ${DURATION}.0\n    transactionsPerSecond = 250.0`,
  ApiCorrectness: [
    'numKeys = 200',
    'maxValueLength = 200',
    'numGets = 50',
    'numGetRanges = 20',
    'numGetRangeSelectors = 20',
    'numGetKeys = 20',
    'numClears = 20',
    'numClearRanges = 10',
    'maxRandomTestKeys = 100',
    `randomTestDuration = ${DURATION}.0`,
  ].join('\n    '),
};

/** Each chaos workload's options, short enough to finish within the application's run. */
const CHAOS: Readonly<Record<string, string>> = {
  RandomClogging: `testDuration = ${DURATION}.0`,
  Attrition: `testDuration = ${DURATION}.0\n    machinesToKill = 2\n    machinesToLeave = 3\n    reboot = true`,
  Rollback: `testDuration = ${DURATION}.0\n    meanDelay = 2.0\n    clogDuration = 3.0`,
  ChangeConfig: `maxDelayBeforeChange = 2.0\n    configMode = 'triple'`,
  DiskFailureInjection: `testDuration = ${DURATION}.0\n    throttleDisk = true\n    stallPeriod = 2.0\n    throttlePeriod = 2.0`,
  TriggerRecoveryLoop: 'numRecoveries = 2\n    delayBetweenRecoveries = 1.0',
  TargetedKill: `machineToKill = 'storage'\n    killAt = 2.0`,
  ClogSingleConnection: 'maxDelay = 2.0\n    clogDuration = 5.0',
  Partition: `testDuration = ${DURATION}.0\n    partitionDuration = 2.0\n    meanDelay = 1.0`,
  ClockSkew: `testDuration = ${DURATION}.0\n    maxOffset = 1.0\n    maxDriftPpm = 200.0\n    processesToSkew = 2`,
};

/** The chaos workloads that run together in the stack: all of them (ChangeConfig's veto is moot here). */
const STACK = Object.keys(CHAOS);

/** A spec running `app` under the chaos workloads `chaos`, with no injected chaos. */
function matrixSpec(app: string, chaos: readonly string[]): string {
  const workload = (name: string, options: string) =>
    `\n    [[test.workload]]\n    testName = '${name}'\n    ${options}\n`;
  return [
    "[configuration]\nmachineCount = 6\nconfig = 'double'\n",
    `[[test]]\ntestTitle = '${app}Under${chaos.length === 1 ? chaos[0] : 'Stack'}'\nrunFailureWorkloads = false`,
    workload(app, APPLICATIONS[app] ?? ''),
    ...chaos.map((c) => workload(c, CHAOS[c] ?? '')),
  ].join('\n');
}

const seeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** Seeds of each single pair and of each stack (widen with FAULTLINE_PAIR_SEEDS, FAULTLINE_STACK_SEEDS). */
const PAIR_SEEDS = seedCount('PAIR', 1);
const STACK_SEEDS = seedCount('STACK', 3);

/** Cases that fail today because of open bugs ('<app> under <chaos>#seed'), with what they show. */
const KNOWN_FAILURES: ReadonlyMap<string, string> = new Map<string, string>([]);

/** `it`, or a visibly skipped test named after its known bug. */
type Case = (name: string, fn: () => Promise<void>) => void;
function caseOf(name: string, seed: number): [Case, string] {
  const known = KNOWN_FAILURES.get(`${name}#${seed}`);
  if (known) return [(n, fn) => it.skip(n, fn), ` (KNOWN BUG: ${known})`];
  return [(n, fn) => it(n, fn), ''];
}

describe('chaos matrix', () => {
  for (const app of Object.keys(APPLICATIONS)) {
    for (const chaos of Object.keys(CHAOS)) {
      for (const seed of seeds(PAIR_SEEDS)) {
        const [test, note] = caseOf(`${app} under ${chaos}`, seed);
        test(`${app} under ${chaos} passes with seed ${seed}${note}`, async () => {
          const file = `tests/fast/${app}Under${chaos}.toml`;
          const { result } = await runChaosSpec(matrixSpec(app, [chaos]), seed, file);
          expect(result.outcome, explain(result)).toBe('passed');
        });
      }
    }
    for (const seed of seeds(STACK_SEEDS)) {
      const [test, note] = caseOf(`${app} under stack`, seed);
      test(`${app} under every chaos workload stacked passes with seed ${seed}${note}`, async () => {
        const file = `tests/fast/${app}UnderStack.toml`;
        const { result } = await runChaosSpec(matrixSpec(app, STACK), seed, file);
        expect(result.outcome, explain(result)).toBe('passed');
      });
    }
  }
});
