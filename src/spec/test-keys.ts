// The `[[test]]` keys FoundationDB's test-spec parser knows, with their simulation defaults and types.
import { BadInputError, didYouMean } from '../core/errors.js';
import { type KeyLines, lineOf } from './locate.js';
import type { SpecTable } from './toml.js';
import type { SpecValue, SpecWarning, TestKeys, TestPhases } from './types.js';
import { readBool, readInt, readNameList, readNumber, readString, type ValueSite } from './values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** FoundationDB's simulation defaults (the title is filled in per test). */
const DEFAULTS: Omit<TestKeys, 'testTitle'> = {
  timeout: 15000,
  databasePingDelay: 0,
  runSetup: true,
  checkOnly: false,
  clearAfterTest: true,
  useDB: true,
  startDelay: 30,
  runConsistencyCheck: true,
  runConsistencyCheckOnTSS: true,
  runConsistencyCheckOnCache: false,
  maxDDRunTime: 0,
  waitForQuiescenceBegin: true,
  waitForQuiescenceEnd: true,
  connectionFailuresDisableDuration: 0,
  simCheckRelocationDuration: false,
  simBackupAgents: 'none',
  restorePerpetualWiggleSetting: true,
  runFailureWorkloads: true,
  disabledFailureInjectionWorkloads: [],
  dumpAfterTest: false,
};

const BACKUP_AGENTS = ['BackupToFile', 'BackupToDB', 'BackupToFileAndDB'] as const;

type Setter = (keys: Mutable<TestKeys>, v: SpecValue, site: ValueSite) => void;

/** Each known key and how it sets the typed keys. `waitForQuiescence` is shorthand for Begin and End. */
const SETTERS: ReadonlyMap<string, Setter> = new Map<string, Setter>([
  ['testTitle', (k, v, s) => (k.testTitle = readString(v, s))],
  ['timeout', (k, v, s) => (k.timeout = readInt(v, s, 1))],
  ['databasePingDelay', (k, v, s) => (k.databasePingDelay = readNumber(v, s, 0))],
  ['runSetup', (k, v, s) => (k.runSetup = readBool(v, s))],
  ['checkOnly', (k, v, s) => (k.checkOnly = readBool(v, s))],
  ['clearAfterTest', (k, v, s) => (k.clearAfterTest = readBool(v, s))],
  ['useDB', (k, v, s) => (k.useDB = readBool(v, s))],
  ['startDelay', (k, v, s) => (k.startDelay = readNumber(v, s, 0))],
  ['runConsistencyCheck', (k, v, s) => (k.runConsistencyCheck = readBool(v, s))],
  ['runConsistencyCheckOnTSS', (k, v, s) => (k.runConsistencyCheckOnTSS = readBool(v, s))],
  ['runConsistencyCheckOnCache', (k, v, s) => (k.runConsistencyCheckOnCache = readBool(v, s))],
  ['maxDDRunTime', (k, v, s) => (k.maxDDRunTime = readNumber(v, s, 0))],
  [
    'waitForQuiescence',
    (k, v, s) => {
      const b = readBool(v, s);
      k.waitForQuiescenceBegin = b;
      k.waitForQuiescenceEnd = b;
    },
  ],
  ['waitForQuiescenceBegin', (k, v, s) => (k.waitForQuiescenceBegin = readBool(v, s))],
  ['waitForQuiescenceEnd', (k, v, s) => (k.waitForQuiescenceEnd = readBool(v, s))],
  [
    'connectionFailuresDisableDuration',
    (k, v, s) => (k.connectionFailuresDisableDuration = readNumber(v, s, 0)),
  ],
  ['simCheckRelocationDuration', (k, v, s) => (k.simCheckRelocationDuration = readBool(v, s))],
  [
    'simBackupAgents',
    (k, v, s) => {
      const name = readString(v, s).trim();
      if (name === '' || name === 'none') k.simBackupAgents = 'none';
      else if ((BACKUP_AGENTS as readonly string[]).includes(name))
        k.simBackupAgents = name as TestKeys['simBackupAgents'];
      else {
        const guess = didYouMean(name, BACKUP_AGENTS);
        throw new BadInputError(
          `unknown backup agent type '${name}'`,
          s,
          guess ? `did you mean '${guess}'?` : `use one of ${BACKUP_AGENTS.join(', ')}`,
        );
      }
    },
  ],
  ['restorePerpetualWiggleSetting', (k, v, s) => (k.restorePerpetualWiggleSetting = readBool(v, s))],
  ['runFailureWorkloads', (k, v, s) => (k.runFailureWorkloads = readBool(v, s))],
  [
    'disabledFailureInjectionWorkloads',
    (k, v, s) => (k.disabledFailureInjectionWorkloads = readNameList(v, s)),
  ],
  ['dumpAfterTest', (k, v, s) => (k.dumpAfterTest = readBool(v, s))],
]);

/** Every key a `[[test]]` table accepts besides its `workload` and `knobs` arrays. */
export const TEST_KEYS: readonly string[] = [...SETTERS.keys()];

/** Options every workload commonly takes: a hint when one is put at test level by mistake. */
const COMMON_WORKLOAD_OPTIONS = new Set([
  'testName',
  'testDuration',
  'transactionsPerSecond',
  'actorsPerClient',
  'nodeCount',
  'keyPrefix',
]);

/** What `parseTestKeys` produces. */
export interface ParsedTestKeys {
  readonly keys: TestKeys;
  readonly keyLines: Partial<Record<keyof TestKeys | 'waitForQuiescence', number>>;
  readonly phases: TestPhases;
  readonly warnings: SpecWarning[];
}

/**
 * Reads the keys of one `[[test]]` table (its `workload` and `knobs` arrays excepted). Unknown keys are a
 * BadInputError with a did-you-mean hint. `index` is the test's position (0-based) for the default title.
 */
export function parseTestKeys(
  table: SpecTable,
  lines: KeyLines | undefined,
  headerLine: number,
  index: number,
  file: string,
): ParsedTestKeys {
  const keys: Mutable<TestKeys> = { testTitle: `Test${index + 1}`, ...DEFAULTS };
  const keyLines: Partial<Record<keyof TestKeys | 'waitForQuiescence', number>> = {};
  const warnings: SpecWarning[] = [];
  const names = Object.keys(table).filter((k) => k !== 'workload' && k !== 'knobs');
  // The shorthand first, so an explicit waitForQuiescenceBegin/End wins wherever it is written.
  names.sort((a, b) => Number(b === 'waitForQuiescence') - Number(a === 'waitForQuiescence'));
  for (const key of names) {
    const line = lineOf(lines, key, headerLine);
    const site: ValueSite = { file, line, key };
    const set = SETTERS.get(key);
    if (!set) {
      // FoundationDB's TOML reader reports an unknown [[test]] key as a SevError
      // (TestSpecUnrecognizedTestParam), which fails its run: here it is bad input before the run.
      const guess = didYouMean(key, TEST_KEYS) ?? endingWith(key, TEST_KEYS);
      const hint = guess
        ? `did you mean '${guess}'?`
        : COMMON_WORKLOAD_OPTIONS.has(key)
          ? 'workload options go under [[test.workload]]'
          : `known [[test]] keys: ${TEST_KEYS.join(', ')}`;
      throw new BadInputError('unknown [[test]] key', site, hint);
    }
    set(keys, table[key]!, site);
    keyLines[key as keyof TestKeys] = line;
  }
  if (keys.databasePingDelay > 0 && !keys.useDB) {
    throw new BadInputError(
      'a non-zero databasePingDelay needs a database',
      { file, line: keyLines.databasePingDelay ?? headerLine, key: 'databasePingDelay' },
      'remove databasePingDelay or set useDB = true',
    );
  }
  const warn = (key: keyof TestKeys, what: string) =>
    warnings.push({ key, line: keyLines[key] ?? headerLine, message: `[[test]] ${key}: ${what}; ignored` });
  if (keys.simBackupAgents !== 'none') warn('simBackupAgents', 'backup and DR agents are not modelled');
  if (keys.dumpAfterTest) warn('dumpAfterTest', 'database dumps are not modelled');
  if (keys.simCheckRelocationDuration) warn('simCheckRelocationDuration', 'data relocation is not modelled');
  if (keyLines.runConsistencyCheckOnCache !== undefined) {
    warn('runConsistencyCheckOnCache', 'storage caches are not modelled (key removed in newer FoundationDB)');
  }
  const phases: TestPhases = keys.checkOnly
    ? { setup: false, execution: false, check: true, metrics: false }
    : { setup: keys.runSetup, execution: true, check: true, metrics: true };
  return { keys, keyLines, phases, warnings };
}

/** The known key that ends with `key`, ignoring case (`Title` is `testTitle` cut short), if just one does. */
function endingWith(key: string, known: readonly string[]): string | undefined {
  const matches = known.filter((k) => k.length > key.length && k.toLowerCase().endsWith(key.toLowerCase()));
  return matches.length === 1 ? matches[0] : undefined;
}
