import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { loadSpecFile } from '../../../src/spec/load.js';
import { parseSpec } from '../../../src/spec/parse.js';

const F = 'tests/fast/My.toml';

function caught(f: () => unknown): BadInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof BadInputError) return e;
    throw e;
  }
  throw new Error('expected a BadInputError');
}

/** A one-test spec around some [[test]] keys and one workload's options. */
function spec(testKeys: string, workload = "testName = 'Cycle'", head = ''): string {
  return `${head}[[test]]\ntestTitle = 'T'\n${testKeys}\n[[test.workload]]\n${workload}\n`;
}

describe('[[test]] keys', () => {
  it('fills FoundationDB defaults and accepts numbers and booleans written as strings', () => {
    const d = parseSpec(spec(''), F).tests[0]!;
    expect(d.keys).toEqual({
      testTitle: 'T',
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
    });
    const s = parseSpec(
      spec(
        "timeout = '2100'\nstartDelay = '5.5'\nrunSetup = 'false'\nrunFailureWorkloads = false\nuseDB = 'true'",
      ),
      F,
    ).tests[0]!;
    expect(s.keys).toMatchObject({
      timeout: 2100,
      startDelay: 5.5,
      runSetup: false,
      runFailureWorkloads: false,
      useDB: true,
    });
    expect(s.keyLines).toEqual({
      testTitle: 2,
      timeout: 3,
      startDelay: 4,
      runSetup: 5,
      runFailureWorkloads: 6,
      useDB: 7,
    });
    expect(s.phases).toEqual({ setup: false, execution: true, check: true, metrics: true });
    expect(parseSpec(spec('timeout = 2100.0'), F).tests[0]!.keys.timeout).toBe(2100);
  });

  it('names the file, line and key of an unknown key, with a did-you-mean suggestion', () => {
    const e = caught(() => parseSpec(spec('timeout = 30\nrunConsistancyCheck = false'), F));
    expect(e.location).toEqual({ file: F, line: 4, key: 'runConsistancyCheck' });
    expect(e.hint).toBe("did you mean 'runConsistencyCheck'?");
    expect(e.format()).toBe(
      "tests/fast/My.toml:4: runConsistancyCheck: unknown [[test]] key (did you mean 'runConsistencyCheck'?)",
    );
    // A key FoundationDB's own specs cut short (tests/slow/ddbalance.toml writes Title).
    expect(caught(() => parseSpec(spec("Title = 'DDBalance_Test'"), F)).format()).toBe(
      "tests/fast/My.toml:3: Title: unknown [[test]] key (did you mean 'testTitle'?)",
    );
    // A workload option written at test level says where it belongs.
    expect(caught(() => parseSpec(spec('testDuration = 10.0'), F)).hint).toBe(
      'workload options go under [[test.workload]]',
    );
  });

  it('rejects wrongly typed values and impossible combinations at their line', () => {
    const t = caught(() => parseSpec(spec("timeout = 'soon'"), F));
    expect(t.location).toEqual({ file: F, line: 3, key: 'timeout' });
    expect(t.message).toBe("expected a number, got 'soon'");
    expect(caught(() => parseSpec(spec('timeout = 2.5'), F)).message).toBe(
      'expected a whole number, got 2.5',
    );
    expect(caught(() => parseSpec(spec('timeout = 0'), F)).message).toBe('must be at least 1, got 0');
    expect(caught(() => parseSpec(spec("runSetup = 'yes'"), F)).message).toBe(
      "expected true or false, got 'yes'",
    );
    const ping = caught(() => parseSpec(spec('useDB = false\ndatabasePingDelay = 5'), F));
    expect(ping.location).toEqual({ file: F, line: 4, key: 'databasePingDelay' });
    expect(caught(() => parseSpec(spec("simBackupAgents = 'BackupToFiles'"), F)).hint).toBe(
      "did you mean 'BackupToFile'?",
    );
  });

  it('applies waitForQuiescence as shorthand that the explicit Begin/End keys override', () => {
    const k = parseSpec(spec('waitForQuiescenceEnd = true\nwaitForQuiescence = false'), F).tests[0]!.keys;
    expect([k.waitForQuiescenceBegin, k.waitForQuiescenceEnd]).toEqual([false, true]);
  });

  it('reads disabledFailureInjectionWorkloads as a TOML array or a comma list', () => {
    const a = parseSpec(spec("disabledFailureInjectionWorkloads = ['Attrition', 'RandomClogging']"), F);
    const b = parseSpec(spec("disabledFailureInjectionWorkloads = ' Attrition, RandomClogging ,'"), F);
    expect(a.tests[0]!.keys.disabledFailureInjectionWorkloads).toEqual(['Attrition', 'RandomClogging']);
    expect(b.tests[0]!.keys.disabledFailureInjectionWorkloads).toEqual(['Attrition', 'RandomClogging']);
  });

  it('runs only the check phase with checkOnly, and warns about test keys faultline does not model', () => {
    const s = parseSpec(spec("checkOnly = true\nsimBackupAgents = 'BackupToDB'"), F);
    expect(s.tests[0]!.phases).toEqual({ setup: false, execution: false, check: true, metrics: false });
    expect(s.warnings).toEqual([
      {
        key: 'simBackupAgents',
        line: 4,
        message: '[[test]] simBackupAgents: backup and DR agents are not modelled; ignored',
      },
    ]);
  });

  it('defaults a missing testTitle by position', () => {
    const s = parseSpec(
      "[[test]]\n[[test.workload]]\ntestName = 'A'\n[[test]]\n[[test.workload]]\ntestName = 'B'\n",
      F,
    );
    expect(s.tests.map((t) => t.testTitle)).toEqual(['Test1', 'Test2']);
  });
});

describe('[configuration]', () => {
  const withConfig = (body: string) => spec('', "testName = 'Cycle'", `[configuration]\n${body}\n\n`);

  it('types the modelled keys with their lines, accepting string forms', () => {
    const c = parseSpec(
      withConfig(
        "buggify = 'on'\nmachineCount = '5'\nprocessesPerMachine = 2\nconfig = 'triple'\nstorageEngineType = 'memory'\ntesterCount = 4\nplantedBug = 'resolver-ignores-range-reads'\nlongRunningTest = true",
      ),
      F,
    ).configuration;
    expect(c.buggify).toEqual({ value: true, line: 2 });
    expect(c.machineCount).toEqual({ value: 5, line: 3 });
    expect(c.processesPerMachine).toEqual({ value: 2, line: 4 });
    expect(c.config).toEqual({ value: 'triple', line: 5 });
    expect(c.storageEngineType).toEqual({ value: 1, line: 6 });
    expect(c.testerCount).toEqual({ value: 4, line: 7 });
    expect(c.plantedBug).toEqual({ value: 'resolver-ignores-range-reads', line: 8 });
    expect(c.longRunningTest).toEqual({ value: true, line: 9 });
    expect(c.coordinators).toBeUndefined();
  });

  it('names an unknown key with a did-you-mean suggestion', () => {
    const e = caught(() => parseSpec(withConfig('buggify = false\nmachineCont = 5'), F));
    expect(e.location).toEqual({ file: F, line: 3, key: 'machineCont' });
    expect(e.format()).toBe(
      "tests/fast/My.toml:3: machineCont: unknown [configuration] key (did you mean 'machineCount'?)",
    );
  });

  it('warns once per known FoundationDB key it does not model, and keeps the value', () => {
    const s = parseSpec(withConfig("extraDatabaseMode = 'Single'\ndisableTss = true"), F);
    expect(s.warnings.map((w) => [w.key, w.line])).toEqual([
      ['extraDatabaseMode', 2],
      ['disableTss', 3],
    ]);
    expect(s.warnings[0]!.message).toBe(
      '[configuration] extraDatabaseMode is a FoundationDB key faultline ignores: extra databases are not modelled',
    );
    expect(s.configuration.entries[0]).toEqual({
      key: 'extraDatabaseMode',
      value: 'Single',
      line: 2,
      modelled: false,
    });
  });

  it('validates modelled values', () => {
    expect(caught(() => parseSpec(withConfig('machineCount = 0'), F)).location).toEqual({
      file: F,
      line: 2,
      key: 'machineCount',
    });
    expect(caught(() => parseSpec(withConfig('minimumReplication = 4'), F)).message).toMatch(/0 to 3/);
    expect(caught(() => parseSpec(withConfig('storageEngineType = 9'), F)).hint).toMatch(/1 \(memory\)/);
    expect(caught(() => parseSpec(withConfig("buggify = 'maybe'"), F)).message).toMatch(/true or false/);
  });

  it('accepts the retired tenantModes only as ["disabled"], silently', () => {
    expect(parseSpec(withConfig('tenantModes = ["disabled"]'), F).warnings).toEqual([]);
    expect(caught(() => parseSpec(withConfig('tenantModes = ["required"]'), F)).location?.key).toBe(
      'tenantModes',
    );
  });
});

describe('file shape', () => {
  it('parses the plugin list, paths as written, with the line of the key', () => {
    const s = parseSpec(
      `plugins = [\n  './workloads/my-bank.ts',\n  '../shared/leader.ts',\n]\n\n${spec('')}`,
      F,
    );
    expect(s.plugins).toEqual([
      { path: './workloads/my-bank.ts', line: 1 },
      { path: '../shared/leader.ts', line: 1 },
    ]);
    expect(caught(() => parseSpec(`plugins = [3]\n${spec('')}`, F)).location).toEqual({
      file: F,
      line: 1,
      key: 'plugins',
    });
  });

  it('reports malformed TOML with file, line, column and the parser message in plain words', () => {
    const e = caught(() => parseSpec("[[test]]\ntestTitle = 'T'\ntimeout = = 5\n", F));
    expect(e.location).toEqual({ file: F, line: 3, column: 11 });
    expect(e.message).toBe('malformed TOML at column 11: invalid value in `timeout = = 5`');
    expect(e.message).not.toContain('\n');
    const dup = caught(() => parseSpec("[[test]]\ntestTitle = 'a'\ntestTitle = 'b'\n", F));
    expect(dup.location?.line).toBe(3);
  });

  it('requires testName in every workload, naming the workload header line', () => {
    const e = caught(() => parseSpec(spec('', 'testDuration = 10.0'), F));
    expect(e.location).toEqual({ file: F, line: 4, key: 'testName' });
    expect(e.message).toBe('a [[test.workload]] has no testName');
  });

  it('records the line of testName, wherever it is among the options', () => {
    const w = parseSpec(spec('', "testDuration = 10.0\n\n# the workload\ntestName = 'Cycle'"), F).tests[0]!
      .workloads[0]!;
    expect(w).toMatchObject({ testName: 'Cycle', line: 4, testNameLine: 8 });
    expect(w.options.testDuration).toEqual({ value: 10, line: 5 });
    const blank = caught(() => parseSpec(spec('', "testDuration = 10.0\ntestName = ' '"), F));
    expect(blank.location).toEqual({ file: F, line: 6, key: 'testName' });
  });

  it('requires a [[test]] with at least one workload', () => {
    expect(caught(() => parseSpec('[configuration]\nbuggify = true\n', F)).message).toBe(
      'the spec has no [[test]]',
    );
    expect(caught(() => parseSpec("[[test]]\ntestTitle = 'Lonely'\n", F)).message).toBe(
      "test 'Lonely' has no [[test.workload]]",
    );
  });

  it('rejects an unknown top-level key, saying where a misplaced key belongs', () => {
    const e = caught(() => parseSpec(`testerCount = 2\n${spec('')}`, F));
    expect(e.location).toEqual({ file: F, line: 1, key: 'testerCount' });
    expect(e.hint).toBe('testerCount belongs under [configuration]');
    expect(caught(() => parseSpec(`plugin = ['a.ts']\n${spec('')}`, F)).hint).toBe("did you mean 'plugins'?");
  });

  it("accepts FoundationDB's global keys at the top level with a warning: they have no effect there, as in FoundationDB", () => {
    const parsed = parseSpec(`buggify = false\ndisableTss=true\n${spec('')}`, F);
    expect(parsed.configuration.entries).toEqual([]);
    expect(parsed.configuration.buggify).toBeUndefined();
    expect(parsed.warnings.map((w) => [w.key, w.line])).toEqual([
      ['buggify', 1],
      ['disableTss', 2],
    ]);
    expect(parsed.warnings[0]!.message).toMatch(/has no effect.*move it there/);
    expect(caught(() => parseSpec(`buggfy = false\n${spec('')}`, F)).message).toBe('unknown top-level key');
  });

  it('keeps workload option values raw, each with its line, even past multi-line values', () => {
    const w = parseSpec(
      spec(
        '',
        "testName = 'Custom'\nweights = [\n  1,\n  2,\n]\nnote = '''\n[[test]]\nx = 1'''\nkeyPrefix = 'a = b' # comment\n\"quoted key\" = 3",
      ),
      F,
    ).tests[0]!.workloads[0]!;
    expect(w.line).toBe(4);
    expect(w.testNameLine).toBe(5);
    expect(w.options).toEqual({
      weights: { value: [1, 2], line: 6 },
      note: { value: '[[test]]\nx = 1', line: 10 },
      keyPrefix: { value: 'a = b', line: 13 },
      'quoted key': { value: 3, line: 14 },
    });
  });

  it('reads [[test.knobs]] per test and rejects knob values that are not scalars', () => {
    const s = parseSpec(
      `[[test]]\ntestTitle='K'\n[[test.knobs]]\nsim_speedup = 2\n[[test.workload]]\ntestName='Cycle'\n`,
      F,
    );
    expect(s.tests[0]!.knobs).toEqual([{ name: 'sim_speedup', value: 2, line: 4 }]);
    const e = caught(() => parseSpec(`[[knobs]]\nfoo = [1]\n${spec('')}`, F));
    expect(e.location).toEqual({ file: F, line: 2, key: 'foo' });
  });
});

describe('loadSpecFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const temp = (name: string, text: string) => {
    const d = mkdtempSync(path.join(tmpdir(), 'faultline-spec-'));
    dirs.push(d);
    const f = path.join(d, name);
    writeFileSync(f, text);
    return f;
  };

  it('returns the spec with the sha256 of the file', () => {
    const text = spec('');
    const f = temp('Cycle.toml', text);
    const loaded = loadSpecFile(f);
    expect(loaded.spec.file).toBe(f);
    expect(loaded.spec.tests[0]!.testTitle).toBe('T');
    expect(loaded.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(loaded.text).toBe(text);
  });

  it('names the file when it is missing, has the legacy .txt format, or holds an error', () => {
    expect(caught(() => loadSpecFile('/nonexistent/x.toml')).format()).toBe(
      '/nonexistent/x.toml: cannot read spec file: no such file',
    );
    expect(caught(() => loadSpecFile(temp('old.txt', 'testTitle=x'))).message).toMatch(/legacy \.txt/);
    const bad = temp('bad.toml', "[[test]]\ntestTitle = 'x\n");
    expect(caught(() => loadSpecFile(bad)).location).toMatchObject({ file: bad, line: 2 });
  });
});
