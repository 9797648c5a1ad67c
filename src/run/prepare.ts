// Everything about a run that can be checked before it starts: each workload resolved in the registry
// with typed options, every knob override known and well typed, the cluster configuration resolvable.
// A mistake is a BadInputError here, before a trace file is opened or a simulated second passes.
// Automatic failure injection is decided here too, from the seed, so the added workloads are resolved
// and validated like declared ones.
import { type ClusterConfig, type ClusterConfigInput, resolveClusterConfig } from '../cluster/config.js';
import { CLUSTER_KNOBS } from '../cluster/knobs.js';
import { Random } from '../core/random.js';
import { type KnobDef, type KnobOverride, Knobs, unmodelledKnobWarnings } from '../sim/knobs.js';
import { SIM_KNOBS } from '../sim/lifecycle.js';
import type { Located, SpecTest, SpecValue, TestSpec } from '../spec/types.js';
import type { AnyWorkload, Registry, ValidatedOptions } from '../workload/registry.js';
import {
  checkDisabledInjectionNames,
  failureInjectionStreamLabel,
  planFailureInjection,
} from './failure-injection.js';
import type { FailureInjectionResult } from './result.js';

/** One `[[test.workload]]`, resolved. */
export interface ResolvedWorkload {
  readonly def: AnyWorkload;
  readonly options: ValidatedOptions;
  /** Position in its test, 0-based. */
  readonly index: number;
  /** Position among every workload of the spec, 0-based (names the workload's PRNG streams). */
  readonly globalIndex: number;
  /** Line of the `[[test.workload]]` header (for an injected workload, the `[[test]]` header's). */
  readonly line: number;
  /** True when automatic failure injection added it (it is not in the spec). */
  readonly injected?: boolean;
}

/** One `[[test]]`, resolved. */
export interface ResolvedTest {
  readonly spec: SpecTest;
  /** The workloads the spec declares, in file order. */
  readonly workloads: readonly ResolvedWorkload[];
  /** `[[test.knobs]]` as overrides (applied while the test runs). */
  readonly knobs: readonly KnobOverride[];
  /**
   * The workloads automatic failure injection added (run after the declared ones, each with
   * `injected: true`). Absent or empty: none.
   */
  readonly injected?: readonly ResolvedWorkload[];
  /** What automatic failure injection decided for this test (declared and added chaos). */
  readonly failureInjection?: FailureInjectionResult;
}

/** A run ready to start. */
export interface PreparedRun {
  readonly tests: readonly ResolvedTest[];
  readonly buggify: boolean;
  readonly faultInjection: boolean;
  /** Whether the oracle checks the database (`[configuration] oracle`, default true). */
  readonly oracle: boolean;
  /** Top-level `[[knobs]]` then command-line overrides (later ones win). */
  readonly knobOverrides: readonly KnobOverride[];
  readonly clusterInput: ClusterConfigInput;
  /** The configuration the run will use (resolved from the same seed the run uses). */
  readonly cluster: ClusterConfig;
  /** False when a workload turned the unseed check off (Cycle's `unseedCheck = false`). */
  readonly unseedCheck: boolean;
  /** One warning per FoundationDB knob the run sets that faultline does not model (ignored). */
  readonly knobWarnings: readonly { key: string; line: number; message: string }[];
}

/** What preparing a run needs. */
export interface PrepareOptions {
  readonly spec: TestSpec;
  readonly seed: number;
  /** The command line's BUGGIFY setting; `[configuration] buggify` overrides it. Default off. */
  readonly buggify?: boolean;
  /** Command-line knob overrides (win over the spec's). */
  readonly knobOverrides?: readonly KnobOverride[];
  readonly registry: Registry;
}

/** Every knob a run knows: the simulator's and the cluster's. */
export function knobDefinitions(): KnobDef[] {
  const cluster = new Set(CLUSTER_KNOBS.map((k) => k.name));
  return [...SIM_KNOBS.filter((k) => !cluster.has(k.name)), ...CLUSTER_KNOBS];
}

/**
 * The `[configuration]` values the cluster generator models, typed by the spec parser.
 * `simpleConfig` becomes FoundationDB's meaning: one datacenter, single replication and one of each
 * transaction role, unless the spec sets those explicitly.
 */
export function clusterConfigInput(spec: TestSpec): ClusterConfigInput {
  const c = spec.configuration;
  const values = new Map<string, { value: unknown; line?: number }>();
  const put = (key: string, v: { value: unknown; line: number } | undefined) => {
    if (v !== undefined) values.set(key, { value: v.value, line: v.line });
  };
  put('config', c.config);
  // FoundationDB's default minimumReplication 0 means "no lower bound" (the generator's is 1).
  if (c.minimumReplication !== undefined && c.minimumReplication.value > 0) {
    put('minimumReplication', c.minimumReplication);
  }
  put('machineCount', c.machineCount);
  put('processesPerMachine', c.processesPerMachine);
  put('datacenters', c.datacenters);
  put('coordinators', c.coordinators);
  put('desiredTLogCount', c.desiredTLogCount);
  put('commitProxyCount', c.commitProxyCount);
  put('grvProxyCount', c.grvProxyCount);
  put('resolverCount', c.resolverCount);
  put('storageEngineType', c.storageEngineType);
  put('testerCount', c.testerCount);
  put('plantedBug', c.plantedBug);
  if (c.simpleConfig?.value === true) {
    const line = c.simpleConfig.line;
    const fill = (key: string, value: unknown) => {
      if (!values.has(key)) values.set(key, { value, line });
    };
    fill('datacenters', 1);
    fill('config', 'single');
    fill('desiredTLogCount', 1);
    fill('commitProxyCount', 1);
    fill('grvProxyCount', 1);
    fill('resolverCount', 1);
  }
  return { file: spec.file, values };
}

function resolveTest(test: SpecTest, registry: Registry, file: string, firstGlobal: number): ResolvedTest {
  const workloads = test.workloads.map((w, index): ResolvedWorkload => {
    const where = { file, line: w.line };
    const def = registry.lookup(w.testName, { file, line: w.testNameLine });
    return {
      def,
      options: registry.validateOptions(def, w.options, where),
      index,
      globalIndex: firstGlobal + index,
      line: w.line,
    };
  });
  const knobs = test.knobs.map((k) => ({ name: k.name, value: k.value, file, line: k.line }));
  return { spec: test, workloads, knobs };
}

/**
 * Adds the workloads automatic failure injection chooses for test `testIndex`, drawn from the run's
 * stream `failureInjection:<testIndex>`. Added workloads are numbered after every declared one
 * (`firstGlobal` on), so the declared workloads keep their PRNG streams whatever is added.
 */
function injectFailures(
  test: ResolvedTest,
  testIndex: number,
  registry: Registry,
  file: string,
  root: Random,
  firstGlobal: number,
): ResolvedTest {
  checkDisabledInjectionNames(test.spec, registry, file);
  const random = root.fork(failureInjectionStreamLabel(testIndex));
  const plan = planFailureInjection(
    test.spec,
    test.workloads.map((w) => w.def),
    registry,
    random,
  );
  const line = test.spec.line;
  const added = plan.workloads.map((w, i): ResolvedWorkload => {
    const raw: Record<string, Located<SpecValue>> = {};
    for (const k of Object.keys(w.options)) raw[k] = { value: w.options[k]!, line };
    return {
      def: w.def,
      options: registry.validateOptions(w.def, raw, { file, line }),
      index: test.workloads.length + i,
      globalIndex: firstGlobal + i,
      line,
      injected: true,
    };
  });
  return { ...test, injected: added, failureInjection: plan.result };
}

/**
 * Checks and resolves everything a run needs before it starts, and decides the automatic failure
 * injection of every test from the seed. Throws BadInputError (file, line, key, hint) for an unknown
 * workload or option, a badly typed option, an unknown knob (spec or command line), an unknown name in
 * `disabledFailureInjectionWorkloads`, or a configuration the cluster cannot have.
 */
export function prepareRun(opts: PrepareOptions): PreparedRun {
  const { spec, registry } = opts;
  let globalIndex = 0;
  const declared = spec.tests.map((t) => {
    const r = resolveTest(t, registry, spec.file, globalIndex);
    globalIndex += r.workloads.length;
    return r;
  });
  // The run's root stream (the world's), from which the injection streams fork.
  const root = new Random(opts.seed);
  const tests = declared.map((t, i) => {
    const r = injectFailures(t, i, registry, spec.file, root, globalIndex);
    globalIndex += r.injected?.length ?? 0;
    return r;
  });
  const knobOverrides: KnobOverride[] = [
    ...spec.knobs.map((k) => ({ name: k.name, value: k.value, file: spec.file, line: k.line })),
    ...(opts.knobOverrides ?? []),
  ];
  // A throwaway knob set checks every override (run-wide and per test) the way the run applies them.
  const check = new Knobs(knobDefinitions(), false, new Random('knob-check'));
  const unmodelled = check.override(knobOverrides);
  for (const t of tests) unmodelled.push(...check.override(t.knobs));

  const clusterInput = clusterConfigInput(spec);
  // The same stream the run's world forks for its configuration, so this is the configuration it gets.
  const cluster = resolveClusterConfig(clusterInput, root.fork('config'));
  // Only declared workloads: injected ones have no unseedCheck option.
  const unseedCheck = !tests.some((t) => t.workloads.some((w) => w.options.unseedCheck === false));
  return {
    tests,
    buggify: spec.configuration.buggify?.value ?? opts.buggify ?? false,
    faultInjection: spec.configuration.faultInjection?.value ?? true,
    oracle: spec.configuration.oracle?.value ?? true,
    knobOverrides,
    clusterInput,
    cluster,
    unseedCheck,
    knobWarnings: unmodelledKnobWarnings(unmodelled),
  };
}
