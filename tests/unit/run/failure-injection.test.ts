// Automatic failure injection (FoundationDB's addFailureInjection, reference §1.8 step 2): which chaos
// workloads are added with which odds and options, vetoes and opt-outs, the AddFailureInjectionWorkload
// events, the declared-versus-added record in the RunResult and the report, and determinism with it on.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { Random } from '../../../src/core/random.js';
import { jsonReport } from '../../../src/report/json.js';
import { renderText } from '../../../src/report/text.js';
import {
  FAILURE_INJECTORS,
  failureInjectionStreamLabel,
  planFailureInjection,
} from '../../../src/run/failure-injection.js';
import { prepareRun } from '../../../src/run/prepare.js';
import type { RunResult, TestResult } from '../../../src/run/result.js';
import { runSpec } from '../../../src/run/run-spec.js';
import { parseSpec } from '../../../src/spec/parse.js';
import type { TestSpec } from '../../../src/spec/types.js';
import { TraceCollector } from '../../../src/trace/collector.js';
import type { TraceEvent } from '../../../src/trace/event.js';
import { TraceWriter } from '../../../src/trace/writer.js';
import { defineWorkload, type WorkloadDefinition } from '../../../src/workload/contract.js';
import { Registry } from '../../../src/workload/registry.js';
import { injectedOptions as attritionInjected } from '../../../workloads/chaos/attrition.js';
import randomClogging, {
  injectedOptions as randomCloggingInjected,
} from '../../../workloads/chaos/random-clogging.js';
import { injectedOptions as rollbackInjected } from '../../../workloads/chaos/rollback.js';
import cycle from '../../../workloads/cycle.js';
import { builtinWorkloads } from '../../../workloads/index.js';

const BUILTINS = new Registry(builtinWorkloads);

/** A spec of one test: the given `[[test]]` keys and workload blocks. */
function spec(keys: string, workloads: readonly string[], configuration = ''): TestSpec {
  const blocks = workloads.map((w) => `\n    [[test.workload]]\n    testName = '${w}'\n`).join('');
  return parseSpec(`${configuration}\n[[test]]\ntestTitle = 'T'\n${keys}\n${blocks}`, 'fi.toml');
}

/** The failure-injection plan of test 0 of `s` with stream `label`. */
function plan(s: TestSpec, label: string, registry = BUILTINS) {
  const test = s.tests[0]!;
  const declared = test.workloads.map((w) => registry.lookup(w.testName, { file: s.file }));
  return planFailureInjection(test, declared, registry, new Random(label));
}

/** How often (out of `n` streams) injection added at least one instance of each workload. */
function addRates(s: TestSpec, n: number, registry = BUILTINS): Map<string, number> {
  const hits = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const names = new Set(plan(s, `rates/${i}`, registry).result.added.map((a) => a.name));
    for (const name of names) hits.set(name, (hits.get(name) ?? 0) + 1);
  }
  return new Map([...hits].map(([k, v]) => [k, v / n]));
}

describe('the failure injectors', () => {
  it("draw exactly the options (and as many numbers) as the workloads' own injectedOptions", () => {
    const byName = new Map(FAILURE_INJECTORS.map((f) => [f.name, f]));
    const modules: [string, (r: Random) => Record<string, unknown>][] = [
      ['RandomClogging', randomCloggingInjected],
      ['Attrition', attritionInjected],
      ['Rollback', rollbackInjected],
    ];
    for (const [name, fromModule] of modules) {
      for (let i = 0; i < 200; i++) {
        const a = new Random(`sync/${i}`);
        const b = new Random(`sync/${i}`);
        expect(byName.get(name)!.injectedOptions(a)).toEqual(fromModule(b));
        expect(a.next()).toBe(b.next());
      }
    }
  });

  it('are FoundationDB’s candidates, in its order, each a registered chaos workload', () => {
    expect(FAILURE_INJECTORS.map((f) => f.name)).toEqual([
      'RandomClogging',
      'Attrition',
      'Rollback',
      'DiskFailureInjection',
    ]);
    for (const f of FAILURE_INJECTORS) expect(BUILTINS.get(f.name)?.kind).toBe('chaos');
  });

  it('add each candidate with FoundationDB’s odds: 0.25/(1+k), 1/(2+k), 0.1/(1+k)', () => {
    const rates = addRates(spec('', ['Cycle']), 4000);
    expect(rates.get('RandomClogging')).toBeCloseTo(0.25, 1);
    expect(rates.get('Attrition')).toBeCloseTo(0.5, 1);
    expect(rates.get('Rollback')).toBeCloseTo(0.1, 1);
    expect(rates.get('DiskFailureInjection')).toBeCloseTo(0.1, 1);
    // k counts declared instances: two declared Attritions leave 1/(2+2) for a third.
    const k2 = addRates(spec('', ['Cycle', 'Attrition', 'Attrition']), 4000);
    expect(k2.get('Attrition')).toBeCloseTo(0.25, 1);
    // The generic rule stops at three instances.
    const k3 = addRates(spec('', ['Cycle', 'Rollback', 'Rollback', 'Rollback']), 2000);
    expect(k3.get('Rollback')).toBeUndefined();
  });

  it('give each added workload its drawn options; everything else keeps its default', () => {
    const s = spec('', ['Cycle']);
    let seen = 0;
    for (let i = 0; i < 200 && seen < 10; i++) {
      for (const a of plan(s, `opts/${i}`).result.added) {
        if (a.name === 'RandomClogging') {
          expect(Object.keys(a.options)).toEqual(['clogginess', 'iterate', 'scale', 'swizzle']);
          expect(a.options.scale as number).toBeGreaterThanOrEqual(0.1);
          expect(a.options.scale as number).toBeLessThan(1);
          seen++;
        }
        if (a.name === 'Attrition') {
          expect(a.options).toEqual({
            iterate: true,
            killDc: 'false',
            replacement: 'false',
            suspendDuration: 10,
          });
        }
        if (a.name === 'DiskFailureInjection') expect(a.options).toEqual({});
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});

describe('vetoes and opt-outs', () => {
  const SEEDS = 300;
  const addedOver = (s: TestSpec): string[] => {
    const names = new Set<string>();
    for (let i = 0; i < SEEDS; i++) for (const a of plan(s, `veto/${i}`).result.added) names.add(a.name);
    return [...names].sort();
  };

  it('adds something for a plain test (the baseline the vetoes are measured against)', () => {
    expect(addedOver(spec('', ['Cycle']))).toEqual([
      'Attrition',
      'DiskFailureInjection',
      'RandomClogging',
      'Rollback',
    ]);
  });

  it('a workload that vetoes failure injection (ChangeConfig) disables all of it', () => {
    const s = spec('', ['Cycle', 'ChangeConfig']);
    expect(addedOver(s)).toEqual([]);
    expect(plan(s, 'x').result.disabled).toBe('vetoed by ChangeConfig');
  });

  it('DiskFailureInjection vetoes Attrition only', () => {
    const s = spec('', ['Cycle', 'DiskFailureInjection']);
    expect(addedOver(s)).toEqual(['DiskFailureInjection', 'RandomClogging', 'Rollback']);
    expect(plan(s, 'x').result.excluded).toEqual([
      { name: 'Attrition', reason: 'vetoed by DiskFailureInjection' },
    ]);
  });

  it('disabledFailureInjectionWorkloads removes the named ones (a TOML array or a comma list)', () => {
    expect(
      addedOver(spec("disabledFailureInjectionWorkloads = ['Attrition', 'Rollback']", ['Cycle'])),
    ).toEqual(['DiskFailureInjection', 'RandomClogging']);
    expect(
      addedOver(spec("disabledFailureInjectionWorkloads = 'RandomClogging,Attrition'", ['Cycle'])),
    ).toEqual(['DiskFailureInjection', 'Rollback']);
  });

  it('runFailureWorkloads = false and useDB = false add nothing, and say why', () => {
    const off = spec('runFailureWorkloads = false', ['Cycle']);
    expect(addedOver(off)).toEqual([]);
    expect(plan(off, 'x').result.disabled).toBe('runFailureWorkloads = false');
    const noDb = spec('useDB = false', ['Cycle']);
    expect(addedOver(noDb)).toEqual([]);
    expect(plan(noDb, 'x').result.disabled).toBe('useDB = false');
  });

  it('[configuration] faultInjection = false does not stop injection (it only keeps kills from acting)', () => {
    expect(addedOver(spec('', ['Cycle'], '[configuration]\nfaultInjection = false'))).toContain('Attrition');
  });

  it('only workloads registered under an injector’s name are candidates, with the options their schema has', () => {
    const started: string[] = [];
    const stub = defineWorkload({
      name: 'RandomClogging',
      description: 'a stand-in without options',
      kind: 'chaos',
      options: {},
      create: () => ({ start: async () => void started.push('stub') }),
    });
    const registry = new Registry([cycle, stub]);
    const rates = addRates(spec('', ['Cycle']), 400, registry);
    expect([...rates.keys()]).toEqual(['RandomClogging']);
    const p = plan(spec('', ['Cycle']), 'rates/0', registry);
    expect(p.result.excluded.map((e) => e.name)).toEqual(['Attrition', 'Rollback', 'DiskFailureInjection']);
    for (const a of p.result.added) expect(a.options).toEqual({});
  });

  it('rejects an unknown name in disabledFailureInjectionWorkloads at its line, with a did-you-mean', () => {
    const s = parseSpec(
      "[[test]]\ntestTitle = 'T'\ndisabledFailureInjectionWorkloads = ['Atrition']\n    [[test.workload]]\n    testName = 'Cycle'\n",
      'fi.toml',
    );
    let caught: unknown;
    try {
      prepareRun({ spec: s, seed: 1, registry: BUILTINS });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BadInputError);
    expect((caught as BadInputError).format()).toBe(
      "fi.toml:3: disabledFailureInjectionWorkloads: 'Atrition' is not a failure-injection workload (did you mean 'Attrition'?)",
    );
    // FoundationDB's injectors faultline lacks are accepted (real specs list them).
    const fdb = parseSpec(
      "[[test]]\ntestTitle = 'T'\ndisabledFailureInjectionWorkloads = ['RandomMoveKeys']\n    [[test.workload]]\n    testName = 'Cycle'\n",
      'fi.toml',
    );
    expect(() => prepareRun({ spec: fdb, seed: 1, registry: BUILTINS })).not.toThrow();
  });
});

describe('prepareRun', () => {
  const two = parseSpec(
    `[[test]]
testTitle = 'A'
    [[test.workload]]
    testName = 'Cycle'
    [[test.workload]]
    testName = 'Attrition'
[[test]]
testTitle = 'B'
    [[test.workload]]
    testName = 'Cycle'
`,
    'two.toml',
  );

  it('draws each test’s injection from its own stream, failureInjection:<testIndex>', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const p = prepareRun({ spec: two, seed, registry: BUILTINS });
      two.tests.forEach((t, i) => {
        const declared = t.workloads.map((w) => BUILTINS.get(w.testName)!);
        const stream = new Random(seed).fork(failureInjectionStreamLabel(i));
        expect(p.tests[i]!.failureInjection).toEqual(
          planFailureInjection(t, declared, BUILTINS, stream).result,
        );
      });
    }
  });

  it('keeps the declared workloads and their PRNG streams as they were; added ones are numbered after', () => {
    let sawInjection = false;
    for (let seed = 1; seed <= 30; seed++) {
      const p = prepareRun({ spec: two, seed, registry: BUILTINS });
      expect(p.tests.map((t) => t.workloads.map((w) => `${w.def.name}#${w.globalIndex}`))).toEqual([
        ['Cycle#0', 'Attrition#1'],
        ['Cycle#2'],
      ]);
      const injected = p.tests.flatMap((t) => t.injected ?? []);
      injected.forEach((w, i) => {
        expect(w.injected).toBe(true);
        expect(w.globalIndex).toBe(3 + i);
      });
      expect(p.tests[0]!.injected!.map((w) => w.index)).toEqual(p.tests[0]!.injected!.map((_, i) => 2 + i));
      if (injected.length > 0) sawInjection = true;
    }
    expect(sawInjection).toBe(true);
  });
});

/** A quick spec: Cycle for 3 s on a small cluster, no declared chaos. */
const QUICK = (keys = '') => `[configuration]
config = 'single'
machineCount = 3
processesPerMachine = 1
testerCount = 3

[[test]]
testTitle = 'Quick'
${keys}
    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 100.0
    testDuration = 3.0
    nodeCount = 50
`;

/** Cycle and the real RandomClogging: the only candidate, so injection clogs and kills nothing. */
const CLOGGING: readonly WorkloadDefinition[] = [cycle, randomClogging];

interface Ran {
  readonly result: RunResult;
  readonly events: readonly TraceEvent[];
}

async function run(text: string, seed: number): Promise<Ran> {
  const collector = new TraceCollector({ minSeverity: 5 });
  const result = await runSpec({
    spec: parseSpec(text, 'quick.toml'),
    specPath: 'quick.toml',
    seed,
    registry: new Registry(CLOGGING),
    traceSink: new TraceWriter({ memory: false }),
    extraSinks: [collector],
    maxSimSeconds: 1500,
  });
  return { result, events: collector.events };
}

/** The first seed from 1 whose plan for QUICK adds (or does not add) something. */
function seedWhere(adds: boolean): number {
  const registry = new Registry(CLOGGING);
  const s = parseSpec(QUICK(), 'quick.toml');
  for (let seed = 1; seed < 1000; seed++) {
    const p = prepareRun({ spec: s, seed, registry });
    if ((p.tests[0]!.injected ?? []).length > 0 === adds) return seed;
  }
  throw new Error('no such seed');
}

describe('a run with failure injection', () => {
  const injectedSeed = seedWhere(true);
  const plainSeed = seedWhere(false);

  it('adds the workloads on some seeds: traced per tester, run, and recorded as added', async () => {
    const { result, events } = await run(QUICK(), injectedSeed);
    const test = result.tests[0]!;
    const added = test.failureInjection!.added;
    expect(added.length).toBeGreaterThan(0);
    expect(test.failureInjection!.declared).toEqual([]);
    const traced = events.filter((e) => e.type === 'AddFailureInjectionWorkload');
    expect(traced).toHaveLength(added.length * result.config.testers);
    expect(traced.map((e) => e.details.ClientID)).toEqual(
      Array.from({ length: result.config.testers }, (_, c) => added.map(() => c)).flat(),
    );
    for (const e of traced) {
      expect(e.details.Name).toBe('RandomClogging');
      expect(e.details.ClientCount).toBe(result.config.testers);
      expect(e.details.Title).toBe('Quick');
    }
    // Traced after TestRunning and before the setup phase, as FoundationDB's testers do.
    const types = events.map((e) => e.type);
    expect(types.indexOf('TestRunning')).toBeLessThan(types.indexOf('AddFailureInjectionWorkload'));
    expect(types.lastIndexOf('AddFailureInjectionWorkload')).toBeLessThan(types.indexOf('TestSetupStart'));
    // The added RandomClogging really clogs (the spec declares no chaos).
    expect(events.filter((e) => e.type === 'ClogInterface').length).toBeGreaterThan(0);
    // The result lists it after the declared workloads, marked as added.
    expect(test.workloads.map((w) => [w.name, w.kind, w.injected ?? false])).toEqual([
      ['Cycle', 'application', false],
      ...added.map((a) => [a.name, 'chaos', true]),
    ]);
  }, 60_000);

  it('adds nothing on other seeds', async () => {
    const { result, events } = await run(QUICK(), plainSeed);
    expect(result.tests[0]!.failureInjection).toEqual({
      declared: [],
      added: [],
      excluded: ['Attrition', 'Rollback', 'DiskFailureInjection'].map((name) => ({
        name,
        reason: 'not registered',
      })),
    });
    expect(events.filter((e) => e.type === 'AddFailureInjectionWorkload')).toEqual([]);
    expect(events.filter((e) => e.type === 'ClogInterface')).toEqual([]);
    expect(result.tests[0]!.workloads.map((w) => w.name)).toEqual(['Cycle']);
  }, 60_000);

  it('runFailureWorkloads = false turns it off for the seed that would inject', async () => {
    const { result, events } = await run(QUICK('runFailureWorkloads = false'), injectedSeed);
    expect(result.tests[0]!.failureInjection!.disabled).toBe('runFailureWorkloads = false');
    expect(events.filter((e) => e.type === 'AddFailureInjectionWorkload')).toEqual([]);
    expect(result.tests[0]!.workloads.map((w) => w.name)).toEqual(['Cycle']);
  }, 60_000);

  it('is deterministic: the same seed gives the same trace hash and unseed with injection on', async () => {
    const a = await run(QUICK(), injectedSeed);
    const b = await run(QUICK(), injectedSeed);
    expect(a.result.tests[0]!.failureInjection!.added.length).toBeGreaterThan(0);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(b.result.unseed).toBe(a.result.unseed);
    expect(b.result.tests).toEqual(a.result.tests);
  }, 60_000);

  it('shows declared and added chaos in the report and its JSON', async () => {
    const { result } = await run(QUICK(), injectedSeed);
    const text = renderText(result);
    expect(text).toContain('Chaos Workloads');
    expect(text.indexOf('Chaos Workloads')).toBeLessThan(text.indexOf('Timeline of Chaos Events'));
    expect(text).toMatch(/│ Quick +│ none +│ RandomClogging \(clogginess=/);
    expect(text).toMatch(/│ Quick +│ RandomClogging( #1)? \(added\) +│ check +│/);
    const json = jsonReport(result);
    expect(json.chaosWorkloads).toHaveLength(1);
    expect(json.chaosWorkloads[0]!.declared).toEqual([]);
    expect(json.chaosWorkloads[0]!.added[0]).toMatch(
      /^RandomClogging \(clogginess=[0-9.]+, iterate=(true|false), scale=[0-9.]+, swizzle=[01]\)$/,
    );
  }, 60_000);
});

describe('the report', () => {
  const test = (t: Partial<TestResult>): TestResult => ({
    title: 'T',
    line: 1,
    ran: true,
    passed: true,
    startTime: 0,
    endTime: 1,
    timedOut: false,
    workloads: [],
    cluster: [],
    ...t,
  });
  const result = (tests: TestResult[]): RunResult => ({
    faultlineVersion: '0.1.0',
    seed: 1,
    specPath: 'fi.toml',
    title: 'T',
    buggify: false,
    faultInjection: true,
    config: {
      replication: 'single',
      replicationFactor: 1,
      datacenters: 1,
      machines: 3,
      processesPerMachine: 1,
      processes: 3,
      coordinators: 1,
      testers: 3,
      logs: 1,
      commitProxies: 1,
      grvProxies: 1,
      resolvers: 1,
      storageEngine: 'memory',
      configString: 'new single memory',
    },
    simTime: 10,
    realTime: 0,
    tests,
    failures: [],
    failuresDropped: 0,
    chaosEvents: [],
    chaosEventsDropped: 0,
    notes: [],
    outcome: 'passed',
    unseed: 1,
    traceHash: '0',
    traceLines: 0,
    traceCapped: false,
    reproduce: 'faultline run fi.toml --seed 1',
  });

  it('says why injection was off, and which candidates were left out', () => {
    const vetoed = test({
      title: 'Vetoed',
      failureInjection: {
        declared: ['ChangeConfig'],
        added: [],
        disabled: 'vetoed by ChangeConfig',
        excluded: [],
      },
    });
    const disk = test({
      title: 'Disk',
      failureInjection: {
        declared: ['DiskFailureInjection'],
        added: [{ name: 'Rollback', options: { enableFailures: false, multiple: true } }],
        excluded: [
          { name: 'Attrition', reason: 'vetoed by DiskFailureInjection' },
          { name: 'Zap', reason: 'not registered' },
        ],
      },
    });
    const r = result([vetoed, disk]);
    expect(jsonReport(r).chaosWorkloads).toEqual([
      {
        test: 'Vetoed',
        declared: ['ChangeConfig'],
        added: [],
        note: 'failure injection off: vetoed by ChangeConfig',
      },
      {
        test: 'Disk',
        declared: ['DiskFailureInjection'],
        added: ['Rollback (enableFailures=false, multiple=true)'],
        note: 'not added: Attrition (vetoed by DiskFailureInjection)',
      },
    ]);
    const text = renderText(r);
    expect(text).toContain('failure injection off: vetoed by ChangeConfig');
    expect(text).toContain('Rollback (enableFailures=false, multiple=true)');
  });

  it('derives declared and added chaos from the workloads of results without an injection record', () => {
    const t = test({
      workloads: [
        { name: 'Cycle', index: 0, kind: 'application', line: 3, passed: true, invariants: [], metrics: [] },
        { name: 'Attrition', index: 1, kind: 'chaos', line: 6, passed: true, invariants: [], metrics: [] },
        {
          name: 'Rollback',
          index: 2,
          kind: 'chaos',
          line: 1,
          passed: true,
          invariants: [{ name: 'check', status: 'pass' }],
          metrics: [],
          injected: true,
        },
      ],
    });
    const r = result([t]);
    expect(jsonReport(r).chaosWorkloads).toEqual([
      { test: 'T', declared: ['Attrition'], added: ['Rollback'] },
    ]);
    expect(renderText(r)).toMatch(/│ T +│ Rollback \(added\) +│ check +│/);
  });
});
