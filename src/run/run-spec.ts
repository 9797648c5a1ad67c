// One spec × one seed: builds the world and the cluster, waits until the database accepts commits,
// runs the tests in file order, and folds what happened into a RunResult. Everything inside the
// simulation is driven by the seed; the only real-world inputs are the caller's clock (for the result's
// realTime, never written to the trace, so one seed writes a byte-identical trace) and the trace writer.
import { SimulatedCluster } from '../cluster/cluster.js';
import { configString } from '../cluster/config.js';
import { CLUSTER_KNOBS } from '../cluster/knobs.js';
import { seconds, toSeconds } from '../core/time.js';
import type { RunOutcome as KernelOutcome, Task } from '../sim/kernel.js';
import type { KnobOverride } from '../sim/knobs.js';
import { World } from '../sim/world.js';
import type { SpecValue, TestSpec } from '../spec/types.js';
import { FanOut, TraceCollector } from '../trace/collector.js';
import {
  type DetailValue,
  NO_MACHINE,
  SevError,
  SevWarn,
  SevWarnAlways,
  type TraceSink,
} from '../trace/event.js';
import type { TraceWriter } from '../trace/writer.js';
import type { Registry } from '../workload/registry.js';
import { ClusterChaos } from './chaos.js';
import { OracleRun } from './oracle-run.js';
import { type PreparedRun, prepareRun } from './prepare.js';
import { reproduceCommand } from './reproduce.js';
import {
  CHAOS_EVENT_TYPES,
  type ConfigSummary,
  type DidNotFinish,
  failureRecord,
  type RunOutcome,
  type RunResult,
  type TestResult,
} from './result.js';
import { traceClusterShape, traceRunEnd, traceTestResult } from './result-trace.js';
import { runScope } from './sim-globals.js';
import { notRunResult, TestRun } from './test-run.js';
import { startThroughputSampler } from './throughput.js';

/** FoundationDB's SIM_SPEEDUP_AFTER_SECONDS: after this, network faults and unforced kills stop. */
export const SPEEDUP_AFTER_SECONDS = 450;
/** Whole-run simulated-time limit without BUGGIFY (FoundationDB's simulationNormalRunTestsTimeoutSeconds). */
export const NORMAL_RUN_LIMIT_SECONDS = 5400;
/** Whole-run simulated-time limit with BUGGIFY (simulationBuggifyRunTestsTimeoutSeconds). */
export const BUGGIFY_RUN_LIMIT_SECONDS = 36000;
/** Limit with `longRunningTest`: about 31 simulated years, still a limit. */
export const LONG_RUN_LIMIT_SECONDS = 1e9;
/** Default most chaos events kept in the RunResult (the trace keeps every one). */
export const DEFAULT_MAX_CHAOS_EVENTS = 20_000;
/** Most Severity-40 events kept in the RunResult. */
const MAX_FAILURES = 1000;
/** The key the readiness commit conflicts on (a conflict range only: it writes nothing). */
const READY_KEY = new Uint8Array([0x00, 0x66, 0x6c, 0x2f, 0x72, 0x65, 0x61, 0x64, 0x79]);

/** One loaded plugin file, as ProgramStart records it. */
export interface PluginRecord {
  /** The file as the user sees it (relative to the working folder when inside it). */
  readonly file: string;
  /** SHA-256 of its bytes, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** What one run needs. */
export interface RunSpecOptions {
  readonly spec: TestSpec;
  /** The spec as the user named it; absent for the built-in default (shown as `<default>`). */
  readonly specPath?: string;
  /** SHA-256 of the spec's text (recorded in the trace's first event). */
  readonly specSha256?: string;
  readonly seed: number;
  /** The command line's BUGGIFY setting; `[configuration] buggify` overrides it. Default off. */
  readonly buggify?: boolean;
  /** Command-line knob overrides (win over the spec's `[[knobs]]`). */
  readonly knobOverrides?: readonly KnobOverride[];
  /** Where the trace goes; the run closes it and records its hash. */
  readonly traceSink: TraceWriter;
  /** More sinks that see every event (before the writer's severity filter). */
  readonly extraSinks?: readonly TraceSink[];
  readonly registry: Registry;
  /** The plugin files the registry's plugin workloads came from, with content hashes (for ProgramStart). */
  readonly plugins?: readonly PluginRecord[];
  /** The `--plugin` flags as given: the reproduce command carries them. */
  readonly pluginFlags?: readonly string[];
  /** How the reproduce command invokes faultline (default `faultline`; `npx faultline` for a local install). */
  readonly command?: string;
  /** faultline's version, recorded in ProgramStart. Default `unknown`. */
  readonly version?: string;
  /** A real clock, milliseconds: only for the result's `realTime` (not read in the simulation or traced). */
  readonly realClock?: () => number;
  /** The reproduce command; default built from the spec path, seed and flags given here. */
  readonly reproduce?: string;
  /** Notes to carry into the result (e.g. workloads left out of the default spec). */
  readonly notes?: readonly string[];
  /** Simulated seconds after which speed-up mode begins. Default 450 (FoundationDB's). */
  readonly speedUpAfterSeconds?: number;
  /** Most simulated seconds the run may take; default 5400, 36000 with BUGGIFY, ~unlimited with longRunningTest. */
  readonly maxSimSeconds?: number;
  /** `maxSimSeconds` came from the command line, so the reproduce command must carry it. Default false. */
  readonly maxSimSecondsFlag?: boolean;
  /** Most kernel events the run may process. Default: the kernel's. */
  readonly maxEvents?: number;
  /** Largest JavaScript heap, in bytes, before the run ends as did-not-finish. Default: no limit. */
  readonly maxHeapBytes?: number;
  /** Most chaos events kept in the result. Default 20,000. */
  readonly maxChaosEvents?: number;
  /** The command line's `--no-oracle`: turns the oracle off whatever the spec says. Default false. */
  readonly noOracle?: boolean;
}

function specValueString(v: SpecValue): string {
  if (Array.isArray(v)) return v.map((x: SpecValue) => specValueString(x)).join(',');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

function configSummary(cluster: SimulatedCluster): ConfigSummary {
  const c = cluster.config;
  const names = ['', 'single', 'double', 'triple'];
  return {
    replication: names[c.db.replication] ?? `${c.db.replication} replicas`,
    replicationFactor: c.db.replication,
    datacenters: c.datacenters,
    machines: c.machineCount,
    processesPerMachine: c.processesPerMachine,
    processes: c.machineCount * c.processesPerMachine,
    coordinators: c.coordinators,
    testers: c.testerCount,
    logs: c.db.logs,
    commitProxies: c.db.commitProxies,
    grvProxies: c.db.grvProxies,
    resolvers: c.db.resolvers,
    storageEngine: c.db.storageEngine,
    configString: configString(c),
    ...(c.plantedBug !== undefined ? { plantedBug: c.plantedBug } : {}),
  };
}

/** The run limit in simulated seconds for a prepared run. */
function runLimitSeconds(opts: RunSpecOptions, prepared: PreparedRun): number {
  if (opts.maxSimSeconds !== undefined) return opts.maxSimSeconds;
  if (opts.spec.configuration.longRunningTest?.value === true) return LONG_RUN_LIMIT_SECONDS;
  return prepared.buggify ? BUGGIFY_RUN_LIMIT_SECONDS : NORMAL_RUN_LIMIT_SECONDS;
}

/**
 * Runs a spec with a seed and returns what happened. Bad input (an unknown workload, option or knob;
 * an impossible configuration) throws BadInputError before anything is traced. A workload's thrown
 * error is a crash (a Severity-40 `WorkloadCrash`), not an exception here; an exception from here is
 * faultline's own bug. The trace sink is closed before this returns (or throws).
 */
export async function runSpec(opts: RunSpecOptions): Promise<RunResult> {
  const prepared = prepareRun(opts);
  const writer = opts.traceSink;
  try {
    return await execute(opts, prepared);
  } finally {
    writer.close();
  }
}

async function execute(opts: RunSpecOptions, prepared: PreparedRun): Promise<RunResult> {
  const { spec, seed } = opts;
  const realStart = opts.realClock?.() ?? 0;
  const failures = new TraceCollector({ minSeverity: SevError, maxEvents: MAX_FAILURES });
  const chaos = new TraceCollector({
    filter: (e) => CHAOS_EVENT_TYPES.has(e.type),
    maxEvents: opts.maxChaosEvents ?? DEFAULT_MAX_CHAOS_EVENTS,
  });
  const sink = new FanOut([failures, chaos, ...(opts.extraSinks ?? []), opts.traceSink]);
  const limitSeconds = runLimitSeconds(opts, prepared);
  const world = new World({
    seed,
    buggify: prepared.buggify,
    sink,
    knobs: CLUSTER_KNOBS,
    knobOverrides: prepared.knobOverrides,
    limits: {
      maxTime: seconds(limitSeconds),
      ...(opts.maxEvents !== undefined ? { maxEvents: opts.maxEvents } : {}),
      ...(opts.maxHeapBytes !== undefined ? { maxHeapBytes: opts.maxHeapBytes } : {}),
    },
  });
  const specPath = opts.specPath ?? '<default>';
  const reproduce =
    opts.reproduce ??
    reproduceCommand({
      specPath: opts.specPath,
      seed,
      ...(opts.buggify !== undefined && spec.configuration.buggify === undefined
        ? { buggifyFlag: opts.buggify }
        : {}),
      knobs: (opts.knobOverrides ?? []).map((k) => `${k.name}=${String(k.value)}`),
      ...(opts.maxSimSecondsFlag ? { maxSimSeconds: opts.maxSimSeconds } : {}),
      ...(opts.noOracle && spec.configuration.oracle?.value !== false ? { noOracle: true } : {}),
      plugins: opts.pluginFlags ?? [],
      ...(opts.command !== undefined ? { command: opts.command } : {}),
    });

  // The first event records everything needed to reproduce the run.
  world.trace('ProgramStart', {
    RandomSeed: seed,
    Version: opts.version ?? 'unknown',
    TestFile: specPath,
    TestFileSHA256: opts.specSha256 ?? '',
    BuggifyEnabled: prepared.buggify,
    FaultInjectionEnabled: prepared.faultInjection,
    KnobOverrides: (opts.knobOverrides ?? []).map((k) => `${k.name}=${String(k.value)}`).join(','),
    Plugins: (opts.plugins ?? []).map((p) => p.file).join(','),
    PluginSHA256: (opts.plugins ?? []).map((p) => p.sha256).join(','),
    CommandLine: reproduce,
  });
  const fromToml: Record<string, DetailValue> = {};
  for (const e of spec.configuration.entries) fromToml[`Key${e.key}`] = specValueString(e.value);
  world.trace('SimulatorConfigFromToml', fromToml);
  for (const w of [...spec.warnings, ...prepared.knobWarnings]) {
    world.trace('SpecWarning', { Key: w.key, Line: w.line, Message: w.message }, { severity: SevWarn });
  }
  for (const k of world.knobs.entries()) {
    world.trace('Knob', { Name: k.name, Value: k.value, Source: k.source });
  }

  const cluster = new SimulatedCluster(world, prepared.cluster);
  const oracle = prepared.oracle && !opts.noOracle ? new OracleRun(world, cluster) : undefined;
  const config = configSummary(cluster);
  const emit = (type: string, details: Readonly<Record<string, DetailValue>>) => world.trace(type, details);
  traceClusterShape(emit, config);
  const chaosSurfaces = Array.from(
    { length: prepared.cluster.testerCount },
    (_, i) =>
      new ClusterChaos(world, cluster, {
        tester: i,
        faultInjection: prepared.faultInjection,
        random: world.random.fork(`chaos:client${i}`),
      }),
  );
  const tests = prepared.tests;
  const runs: (TestRun | undefined)[] = tests.map(() => undefined);
  let abortedAt = -1;
  let stage = 'starting the cluster';
  const speedUpAfter = opts.speedUpAfterSeconds ?? SPEEDUP_AFTER_SECONDS;
  const startSpeedUp = (why: string) => {
    if (world.speedUp) return;
    world.speedUp = true;
    world.network.speedUpStarted();
    world.trace('SpeedUpSimulation', { Reason: why });
  };

  const outcome: KernelOutcome<void> = await world.kernel.run(async (main: Task) => {
    cluster.start();
    world.kernel.at(seconds(speedUpAfter), () =>
      startSpeedUp(`${speedUpAfter} simulated seconds passed (SIM_SPEEDUP_AFTER_SECONDS)`),
    );
    const first = tests[0]?.spec.keys;
    if (first && first.connectionFailuresDisableDuration > 0) {
      startSpeedUp('connectionFailuresDisableDuration is set on the first test');
    }
    stage = 'waiting for the database to accept commits';
    main.waitingOn = stage;
    await cluster.client(0).run(async (tr) => {
      tr.addWriteConflictKey(READY_KEY);
    });
    world.trace('TestsExpectedToPass', { Count: tests.length });
    startThroughputSampler(world, cluster);
    if (tests.some((t) => t.spec.keys.waitForQuiescenceBegin && t.spec.keys.useDB)) {
      stage = 'waiting for a quiet cluster before the first test';
      main.waitingOn = stage;
      await cluster.waitForQuiescence(0, 2000);
    }
    const testsRandom = world.random.fork('tests');
    for (let i = 0; i < tests.length; i++) {
      const test = tests[i]!;
      const sharedRandomNumber = testsRandom.int(0, 1_000_000_000);
      stage = `running test '${test.spec.testTitle}'`;
      const previous = applyTestSettings(world, test.knobs, test.spec.keys.connectionFailuresDisableDuration);
      const run = new TestRun(
        {
          world,
          cluster,
          chaos: chaosSurfaces,
          mainTask: main,
          errorCount: () => failures.events.length + failures.dropped,
          runLimit: world.kernel.maxTime,
          pluginFile: (name) => opts.registry.fileOf(name),
          ...(oracle ? { oracle } : {}),
        },
        test,
        sharedRandomNumber,
      );
      runs[i] = run;
      const cleared = await run.run();
      previous();
      if (!cleared) {
        abortedAt = i + 1;
        break;
      }
    }
    if (abortedAt < 0 && tests.some((t) => t.spec.keys.waitForQuiescenceEnd && t.spec.keys.useDB)) {
      stage = 'waiting for a quiet cluster after the last test';
      main.waitingOn = stage;
      await cluster.waitForQuiescence(0, 2000);
    }
    stage = 'finished';
  }, runScope());

  // The unseed fingerprints the whole run: the root's last draw mixed with every stream's final state and
  // the hash of the trace so far, so two runs that diverged anywhere disagree (FoundationDB's draws from
  // one global stream; faultline's subsystems draw from forks, which the root alone would not see).
  const unseedDraw = world.kernel.random.familyUnseed(opts.traceSink.hash);
  const unseed = prepared.unseedCheck ? unseedDraw : -1;
  const simTime = toSeconds(world.now());
  const realTime = opts.realClock ? (opts.realClock() - realStart) / 1000 : 0;
  const clusterStuck = outcome.kind === 'did-not-finish' ? cluster.livenessReport() : [];
  for (const s of clusterStuck)
    world.trace(
      'ClusterNotProgressing',
      { Role: s.name, WaitingOn: s.waitingOn },
      { severity: SevWarnAlways },
    );
  const testResults: TestResult[] = tests.map((t, i) => {
    const run = runs[i];
    if (run) return run.result();
    const why =
      abortedAt >= 0
        ? 'not run: the database could not be cleared after an earlier test'
        : 'not run: the simulation ended first';
    return notRunResult(t, why);
  });
  let didNotFinish: DidNotFinish | undefined;
  if (outcome.kind === 'did-not-finish') {
    // The cluster's own account first: which role or recovery step did not progress, then the tasks.
    const stuck = [...clusterStuck, ...outcome.stuck.map((s) => ({ ...s }))];
    didNotFinish = { reason: outcome.reason, stuck, duringTest: stage };
  }
  const notes = [
    ...(opts.notes ?? []),
    ...spec.warnings.map((w) => `${spec.file}:${w.line}: ${w.message}`),
    ...prepared.knobWarnings.map((w) => (w.line > 0 ? `${spec.file}:${w.line}: ${w.message}` : w.message)),
  ];
  const title = tests[0]?.spec.testTitle ?? spec.testClass;
  // The report's facts go into the trace, so that the trace alone renders the report.
  for (const [i, t] of testResults.entries()) traceTestResult(emit, i, t);
  traceRunEnd(emit, { title, notes, ...(didNotFinish !== undefined ? { didNotFinish } : {}) });
  // No RealTime here (FoundationDB writes one): the trace of a seed must be byte-identical run to run.
  world.trace('ElapsedTime', { SimTime: simTime, RandomUnseed: unseed });
  const summary = opts.traceSink.finish();

  const failureRecords = failures.events.map(failureRecord);
  let failuresDropped = failures.dropped;
  if (summary.capped) {
    failureRecords.push({
      time: simTime,
      type: 'TracedTooManyLines',
      machine: NO_MACHINE,
      reason: `the trace reached its cap of ${opts.traceSink.maxLines} lines`,
      details: { MaxLines: String(opts.traceSink.maxLines) },
    });
    if (failureRecords.length > MAX_FAILURES) failuresDropped++;
  }
  const result: RunOutcome =
    didNotFinish !== undefined
      ? 'did-not-finish'
      : failureRecords.length > 0 || failuresDropped > 0
        ? 'failed'
        : 'passed';
  return {
    faultlineVersion: opts.version ?? 'unknown',
    seed,
    specPath,
    ...(opts.specSha256 !== undefined ? { specSha256: opts.specSha256 } : {}),
    title,
    buggify: prepared.buggify,
    faultInjection: prepared.faultInjection,
    config,
    simTime,
    realTime,
    tests: testResults,
    failures: failureRecords,
    failuresDropped,
    chaosEvents: [...chaos.events],
    chaosEventsDropped: chaos.dropped,
    notes,
    outcome: result,
    ...(didNotFinish !== undefined ? { didNotFinish } : {}),
    unseed,
    traceHash: summary.hash,
    ...(summary.path !== undefined ? { tracePath: summary.path } : {}),
    traceLines: summary.written,
    traceCapped: summary.capped,
    events: world.kernel.events,
    reproduce,
  };
}

/**
 * Applies a test's `[[test.knobs]]` and connection-failure spacing; returns the function that restores
 * what was in force before (FoundationDB pushes and pops per-test knobs).
 */
function applyTestSettings(
  world: World,
  knobs: readonly KnobOverride[],
  connectionFailuresDisableDuration: number,
): () => void {
  const before = new Map(world.knobs.entries().map((k) => [k.name, k.value]));
  if (knobs.length > 0) {
    world.knobs.override(knobs);
    for (const k of knobs) {
      world.trace('TestKnob', { Name: k.name.toUpperCase(), Value: k.value });
    }
  }
  const spacing = world.network.connectionFailuresDisableDuration;
  if (connectionFailuresDisableDuration > 0) {
    world.network.connectionFailuresDisableDuration = connectionFailuresDisableDuration;
  }
  return () => {
    const restore = knobs.map((k) => {
      const name = k.name.toUpperCase();
      return { name, value: before.get(name)! };
    });
    if (restore.length > 0) world.knobs.override(restore);
    world.network.connectionFailuresDisableDuration = spacing;
  };
}
