// TOML spec text to TestSpec: the file's shape (FoundationDB's, plus `plugins`), each value located.
import { BadInputError, didYouMean } from '../core/errors.js';
import { CONFIGURATION_KEYS, parseConfiguration } from './configuration.js';
import { type KeyLines, lineOf, locateSpec } from './locate.js';
import { parseTestKeys, TEST_KEYS } from './test-keys.js';
import { parseToml, type SpecTable } from './toml.js';
import type {
  KnobSetting,
  Located,
  PluginRef,
  SpecTest,
  SpecValue,
  SpecWarning,
  TestSpec,
  WorkloadSpec,
} from './types.js';
import { readNumber, readString } from './values.js';

/** Top-level keys: FoundationDB's three, the harness's two, and faultline's `plugins`. */
const TOP_LEVEL_KEYS = ['configuration', 'knobs', 'test', 'plugins', 'testClass', 'testPriority'];

/**
 * FoundationDB's global spec keys (its tester's testSpecGlobalKeys), which older specs write at the top
 * level. In a TOML spec FoundationDB reads cluster settings only under [configuration] and its tester
 * skips every other top-level key, so there they have no effect: faultline accepts them with a warning.
 */
const FDB_IGNORED_TOP_LEVEL_KEYS: readonly string[] = [
  'extraDB',
  'extraDatabaseMode',
  'extraDatabaseCount',
  'configureLocked',
  'minimumReplication',
  'minimumRegions',
  'logAntiQuorum',
  'buggify',
  'StderrSeverity',
  'ClientInfoLogging',
  'startIncompatibleProcess',
  'storageEngineExcludeTypes',
  'maxTLogVersion',
  'disableTss',
  'disableHostname',
  'allowDefaultTenant',
];

function isTable(v: SpecValue | undefined): v is SpecTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An array of tables (`[[name]]`), or undefined when absent; anything else is bad input. */
function tableArray(
  v: SpecValue | undefined,
  what: string,
  file: string,
  line: number,
): readonly SpecTable[] {
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((x: SpecValue) => isTable(x))) return v as readonly SpecTable[];
  throw new BadInputError(`${what} must be an array of tables, written [[${what}]]`, {
    file,
    line,
    key: what,
  });
}

function parseKnobs(
  tables: readonly SpecTable[],
  lines: readonly KeyLines[],
  where: string,
  file: string,
): KnobSetting[] {
  const out: KnobSetting[] = [];
  tables.forEach((t, i) => {
    const loc = lines[i];
    for (const name of Object.keys(t)) {
      const line = lineOf(loc, name, loc?.line ?? 1);
      const value = t[name]!;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new BadInputError(
          `knob value must be a number, boolean or string`,
          { file, line, key: name },
          where,
        );
      }
      out.push({ name, value, line });
    }
  });
  return out;
}

function parsePlugins(v: SpecValue | undefined, line: number, file: string): PluginRef[] {
  if (v === undefined) return [];
  const site = { file, line, key: 'plugins' };
  const items = Array.isArray(v) ? v : [v];
  return items.map((p: SpecValue) => {
    if (typeof p !== 'string' || p.trim() === '') {
      throw new BadInputError(
        'plugins must be a list of file paths',
        site,
        "write plugins = ['./my-workload.ts']",
      );
    }
    return { path: p, line };
  });
}

function parseWorkload(
  table: SpecTable,
  loc: KeyLines | undefined,
  fallback: number,
  file: string,
): WorkloadSpec {
  const line = loc?.line ?? fallback;
  const name = table.testName;
  if (name === undefined) {
    throw new BadInputError(
      'a [[test.workload]] has no testName',
      { file, line, key: 'testName' },
      "add testName = '<workload>' (for example 'Cycle')",
    );
  }
  const testNameLine = lineOf(loc, 'testName', line);
  if (typeof name !== 'string' || name.trim() === '') {
    throw new BadInputError('testName must be a workload name', {
      file,
      line: testNameLine,
      key: 'testName',
    });
  }
  const options: [string, Located<SpecValue>][] = [];
  for (const key of Object.keys(table)) {
    if (key === 'testName') continue;
    options.push([key, { value: table[key]!, line: lineOf(loc, key, line) }]);
  }
  options.sort((a, b) => a[1].line - b[1].line);
  // fromEntries defines own properties, so even an option named __proto__ stays plain data.
  return { testName: name.trim(), line, testNameLine, options: Object.fromEntries(options) };
}

/**
 * Parses a spec's text. `file` names it in every error and warning. Throws a BadInputError (file, line,
 * key, did-you-mean hint) for malformed TOML, unknown keys, wrongly typed values or a missing testName.
 */
export function parseSpec(text: string, file: string): TestSpec {
  const doc = parseToml(text, file);
  const layout = locateSpec(text);
  const rootLine = (key: string) => lineOf(layout.root, key, 1);
  const warnings: SpecWarning[] = [];

  for (const key of Object.keys(doc)) {
    if (TOP_LEVEL_KEYS.includes(key)) continue;
    if (FDB_IGNORED_TOP_LEVEL_KEYS.includes(key)) {
      warnings.push({
        key,
        line: rootLine(key),
        message: `top-level ${key} has no effect, as in FoundationDB (a TOML spec's cluster settings are read only under [configuration]); move it there to apply it`,
      });
      continue;
    }
    const guess = didYouMean(key, TOP_LEVEL_KEYS);
    const hint = CONFIGURATION_KEYS.includes(key)
      ? `${key} belongs under [configuration]`
      : TEST_KEYS.includes(key)
        ? `${key} belongs under [[test]]`
        : guess
          ? `did you mean '${guess}'?`
          : 'cluster settings go under [configuration], test settings under [[test]], workload options under [[test.workload]]';
    throw new BadInputError('unknown top-level key', { file, line: rootLine(key), key }, hint);
  }

  const configValue = doc.configuration;
  if (configValue !== undefined && !isTable(configValue)) {
    throw new BadInputError('configuration must be a table, written [configuration]', {
      file,
      line: rootLine('configuration'),
      key: 'configuration',
    });
  }
  const configLine = layout.configuration?.line ?? rootLine('configuration');
  const parsedConfig = parseConfiguration(configValue, layout.configuration, configLine, file);
  warnings.push(...parsedConfig.warnings);

  const knobs = parseKnobs(
    tableArray(doc.knobs, 'knobs', file, rootLine('knobs')),
    layout.knobs,
    'top-level [[knobs]]',
    file,
  );
  const plugins = parsePlugins(doc.plugins, rootLine('plugins'), file);

  const testTables = tableArray(doc.test, 'test', file, rootLine('test'));
  if (testTables.length === 0) {
    throw new BadInputError(
      'the spec has no [[test]]',
      { file, line: 1 },
      'add [[test]] with testTitle and a [[test.workload]]',
    );
  }
  const tests: SpecTest[] = testTables.map((t, i) => {
    const loc = layout.tests[i];
    const line = loc?.table.line ?? rootLine('test');
    const parsed = parseTestKeys(t, loc?.table, line, i, file);
    warnings.push(...parsed.warnings);
    const workloadTables = tableArray(
      t.workload,
      'test.workload',
      file,
      lineOf(loc?.table, 'workload', line),
    );
    if (workloadTables.length === 0) {
      throw new BadInputError(
        `test '${parsed.keys.testTitle}' has no [[test.workload]]`,
        { file, line },
        "add [[test.workload]] with testName = '<workload>'",
      );
    }
    const workloads = workloadTables.map((w, j) => parseWorkload(w, loc?.workloads[j], line, file));
    const testKnobs = parseKnobs(
      tableArray(t.knobs, 'test.knobs', file, lineOf(loc?.table, 'knobs', line)),
      loc?.knobs ?? [],
      `[[test.knobs]] of test '${parsed.keys.testTitle}'`,
      file,
    );
    return {
      line,
      testTitle: parsed.keys.testTitle,
      keys: parsed.keys,
      keyLines: parsed.keyLines,
      phases: parsed.phases,
      knobs: testKnobs,
      workloads,
    };
  });

  // Harness keys: top level wins over [configuration].
  const harness = (key: string): Located<SpecValue> | undefined => {
    const top = doc[key];
    if (top !== undefined) return { value: top, line: rootLine(key) };
    return parsedConfig.harness.get(key);
  };
  const cls = harness('testClass');
  const prio = harness('testPriority');
  const testClass = cls
    ? readString(cls.value, { file, line: cls.line, key: 'testClass' })
    : tests[0]!.testTitle;
  const testPriority = prio ? readNumber(prio.value, { file, line: prio.line, key: 'testPriority' }, 0) : 1;

  return {
    file,
    configuration: parsedConfig.configuration,
    knobs,
    plugins,
    tests,
    testClass,
    testPriority,
    warnings,
  };
}
