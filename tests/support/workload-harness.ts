// Runs workloads for unit tests: one WorkloadContext per tester client over a ModelDatabase inside a
// deterministic Kernel, with FoundationDB's phase barriers (setup -> start -> check -> metrics), option
// resolution from the workload's schema, and everything the run traced collected for assertions.
import { BadInputError, type Random } from '../../src/core/index.js';
import { seconds, toSeconds } from '../../src/core/time.js';
import { Kernel } from '../../src/sim/kernel.js';
import type { Details, Severity, TraceEvent } from '../../src/trace/event.js';
import type { ChaosSurface } from '../../src/workload/chaos-surface.js';
import type {
  Metric,
  Sideband,
  SidebandMessage,
  WorkloadContext,
  WorkloadDefinition,
  WorkloadInstance,
} from '../../src/workload/contract.js';
import type { OptionSchema, OptionSpec } from '../../src/workload/options.js';
import { ModelDatabase, type ModelDatabaseOptions } from './model-db.js';

/** Raw option values as a spec gives them: numbers may be strings, lists may be comma-separated. */
export type RawOptions = Readonly<Record<string, unknown>>;

/** What a database factory is given: the run's clock, sleep and a random stream. */
export interface ModelEnvironment {
  /** Simulated time, integer microseconds. */
  readonly now: () => number;
  /** Sleeps for `seconds` of simulated time. */
  readonly delay: (seconds: number) => Promise<void>;
  /** A random stream for the database (forked from the run's seed as `model-db`). */
  readonly random: Random;
}

/** One workload of a (possibly compound) test. */
export interface WorkloadUnderTest {
  // biome-ignore lint/suspicious/noExplicitAny: any schema
  readonly workload: WorkloadDefinition<any>;
  readonly options?: RawOptions;
}

/** Parameters of one test run. */
export interface WorkloadTestParams {
  /** The workload to run (or use `workloads` for a compound test). */
  // biome-ignore lint/suspicious/noExplicitAny: any schema
  readonly workload?: WorkloadDefinition<any>;
  /** Raw option values overriding the schema defaults. */
  readonly options?: RawOptions;
  /** Several workloads run together, each phase concurrently, as FoundationDB's compound workloads. */
  readonly workloads?: readonly WorkloadUnderTest[];
  /** Simulated seconds a sideband message takes between clients. Default 0.001. */
  readonly sidebandLatency?: number;
  /** Number of tester clients. Default 1. */
  readonly clientCount?: number;
  /** The run's seed. Default 1. */
  readonly seed?: number | string;
  /** Shorthand for `options.testDuration` (seconds), applied to every workload whose schema has it. */
  readonly testDuration?: number;
  /**
   * The database: a factory given the run's environment, or options for the default ModelDatabase.
   * Default: a ModelDatabase with default latencies.
   */
  readonly db?: ((env: ModelEnvironment) => ModelDatabase) | Partial<ModelDatabaseOptions>;
  /** Probability of injecting commit_unknown_result after a successful commit. Default 0. */
  readonly commitUnknownResultProbability?: number;
  /** Fraction of injected unknown results whose commit was dropped instead. Default 0. */
  readonly commitUnknownResultDropFraction?: number;
  /** Called between the start and check phases (after the 3 s pause): corrupt data here. */
  readonly beforeCheck?: (db: ModelDatabase) => void | Promise<void>;
  /** Skip the setup phase (FoundationDB's runSetup = false). Default false. */
  readonly skipSetup?: boolean;
  /** Largest simulated time of the run, seconds. Default 36,000. */
  readonly maxSimSeconds?: number;
  /** The test title given to workloads. Default the first workload's name. */
  readonly testTitle?: string;
}

/** What a test run produced. */
export interface WorkloadTestResult {
  /** Severity-40 events, in order. */
  readonly failures: TraceEvent[];
  /** Every traced event, in order. */
  readonly events: TraceEvent[];
  /**
   * Folded metrics (summed across clients, or averaged when flagged). Plain names for a single
   * workload; `Workload.Name` when several ran.
   */
  readonly metrics: Map<string, number>;
  /** Per workload then client: what check returned (undefined counts as passed; a throw is false). */
  readonly checkResults: boolean[];
  /** `sometimes` names and whether each held at least once. */
  readonly sometimes: Map<string, boolean>;
  /** Errors thrown by workload phases (each also traced as a Severity-40 TestFailure). */
  readonly errors: unknown[];
  /** The database, for inspection after the run. */
  readonly db: ModelDatabase;
  /** Simulated seconds the run took. */
  readonly simSeconds: number;
  /** True when no failure was traced and every check passed. */
  readonly passed: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Options

function parseNumber(value: unknown, name: string, workload: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n)) {
    throw new BadInputError(`option '${name}' of ${workload} must be a number, got '${String(value)}'`, {
      file: '<test>',
      key: name,
    });
  }
  return n;
}

function resolveOne(spec: OptionSpec, value: unknown, name: string, workload: string): unknown {
  const where = { file: '<test>', key: name };
  switch (spec.type) {
    case 'number':
    case 'int': {
      let n = parseNumber(value, name, workload);
      if (spec.type === 'int') n = Math.trunc(n);
      if (spec.min !== undefined && n < spec.min) {
        throw new BadInputError(`option '${name}' of ${workload} must be >= ${spec.min}, got ${n}`, where);
      }
      if (spec.max !== undefined && n > spec.max) {
        throw new BadInputError(`option '${name}' of ${workload} must be <= ${spec.max}, got ${n}`, where);
      }
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new BadInputError(`option '${name}' of ${workload} must be true or false`, where);
    case 'string': {
      const s = String(value);
      if (spec.choices && !spec.choices.includes(s)) {
        throw new BadInputError(
          `option '${name}' of ${workload} must be one of ${spec.choices.join(', ')}`,
          where,
        );
      }
      return s;
    }
    case 'string[]':
      if (Array.isArray(value)) return value.map(String);
      return String(value)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'number[]': {
      const items = Array.isArray(value)
        ? value
        : String(value)
            .split(',')
            .filter((s) => s.trim() !== '');
      return items.map((x) => parseNumber(x, name, workload));
    }
  }
}

/**
 * The typed option values of `schema`: defaults overridden by `raw`. Numbers may be given as strings
 * (as FoundationDB accepts them); an unknown key is a BadInputError, as FoundationDB rejects options no
 * workload consumed.
 */
export function resolveOptions(
  schema: OptionSchema,
  raw: RawOptions,
  workloadName: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(schema).sort()) out[name] = schema[name]!.default;
  for (const name of Object.keys(raw).sort()) {
    const spec = schema[name];
    if (!spec) {
      throw new BadInputError(`unknown option '${name}' for workload ${workloadName}`, {
        file: '<test>',
        key: name,
      });
    }
    out[name] = resolveOne(spec, raw[name], name, workloadName);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The run

const chaosUnavailable: ChaosSurface = new Proxy({} as ChaosSurface, {
  get(_t, prop) {
    throw new Error(
      `ctx.chaos.${String(prop)} is not available in the workload test harness: it runs against a model ` +
        'database with no simulated cluster to inject faults into',
    );
  },
});

/** Runs `params` to completion in simulated time and returns what happened. */
export async function runWorkloadForTest(params: WorkloadTestParams): Promise<WorkloadTestResult> {
  const units: WorkloadUnderTest[] = params.workloads
    ? [...params.workloads]
    : params.workload
      ? [{ workload: params.workload, options: params.options ?? {} }]
      : [];
  if (units.length === 0) throw new Error('runWorkloadForTest needs `workload` or `workloads`');
  const clientCount = params.clientCount ?? 1;
  const seed = params.seed ?? 1;
  const maxSim = params.maxSimSeconds ?? 36_000;
  const kernel = new Kernel(seed, { maxTime: seconds(maxSim) });
  const delay = (s: number): Promise<void> => kernel.delay(seconds(Number.isFinite(s) && s > 0 ? s : 0));
  const env: ModelEnvironment = { now: () => kernel.now(), delay, random: kernel.random.fork('model-db') };
  const db =
    typeof params.db === 'function' ? params.db(env) : new ModelDatabase({ ...env, ...(params.db ?? {}) });
  if (params.commitUnknownResultProbability) {
    db.injectCommitUnknownResult(
      params.commitUnknownResultProbability,
      params.commitUnknownResultDropFraction ?? 0,
    );
  }

  const events: TraceEvent[] = [];
  const sometimes = new Map<string, boolean>();
  const errors: unknown[] = [];
  const sharedRandomNumber = kernel.random.fork('sharedRandomNumber').int(0, 1_000_000_000);
  const testTitle = params.testTitle ?? units[0]!.workload.name;
  const emit = (severity: Severity, type: string, machine: string, details: Details): void => {
    events.push({ severity, time: kernel.now(), type, machine, id: '0000000000000000', details });
  };

  // Build every instance first: option errors surface before anything runs, as in FoundationDB.
  const instances: Array<{ name: string; clientId: number; instance: WorkloadInstance }> = [];
  for (const unit of units) {
    const raw: Record<string, unknown> = { ...(unit.options ?? {}) };
    if (
      params.testDuration !== undefined &&
      'testDuration' in unit.workload.options &&
      !('testDuration' in raw)
    ) {
      raw.testDuration = params.testDuration;
    }
    const options = resolveOptions(unit.workload.options, raw, unit.workload.name);
    const sidebands = memorySidebands(kernel, clientCount, params.sidebandLatency ?? 0.001);
    for (let clientId = 0; clientId < clientCount; clientId++) {
      const machine = `10.0.0.${clientId + 1}:1`;
      const name = unit.workload.name;
      const ctx: WorkloadContext<unknown> = {
        db,
        clientId,
        clientCount,
        sharedRandomNumber,
        random: kernel.random.fork(`workload:${name}#${clientId}`),
        options,
        testTitle,
        now: () => toSeconds(kernel.now()),
        delay,
        trace: (type, details = {}, severity = 10) => emit(severity, type, machine, details),
        fail: (reason, details = {}, type = 'TestFailure') =>
          emit(40, type, machine, { Reason: reason, Workload: name, ...details }),
        sometimes: (n, cond) => {
          sometimes.set(n, (sometimes.get(n) ?? false) || cond);
        },
        always: (n, cond, details = {}) => {
          if (!cond)
            emit(40, 'TestFailure', machine, {
              Reason: `always assertion '${n}' failed`,
              Workload: name,
              ...details,
            });
        },
        get chaos(): ChaosSurface {
          return chaosUnavailable;
        },
        sideband: sidebands[clientId]!,
      };
      instances.push({ name, clientId, instance: unit.workload.create(ctx as never) });
    }
  }

  const runPhase = async <R>(
    phase: string,
    call: (i: WorkloadInstance) => Promise<R> | R | undefined,
  ): Promise<Array<R | undefined | Error>> =>
    Promise.all(
      instances.map(async ({ name, clientId, instance }) => {
        try {
          return await call(instance);
        } catch (e) {
          errors.push(e);
          const message = e instanceof Error ? e.message : String(e);
          emit(40, 'TestFailure', `10.0.0.${clientId + 1}:1`, {
            Reason: `Workload ${name} threw in ${phase}: ${message}`,
            Workload: name,
            Phase: phase,
          });
          return e instanceof Error ? e : new Error(message);
        }
      }),
    );

  const outcome = await kernel.run(async () => {
    if (!params.skipSetup) await runPhase('setup', (i) => i.setup?.());
    await runPhase('start', (i) => i.start?.());
    // FoundationDB waits 3 simulated seconds between execution and check.
    await delay(3);
    if (params.beforeCheck) await params.beforeCheck(db);
    const checks = await runPhase('check', (i) => i.check?.());
    const metricLists = await runPhase('metrics', (i) => i.metrics?.());
    return { checks, metricLists };
  });
  if (outcome.kind !== 'finished') {
    const stuck = outcome.stuck.map((s) => `${s.name} (waiting on ${s.waitingOn})`).join(', ');
    throw new Error(`workload test did not finish: ${outcome.reason}; stuck: ${stuck || 'none'}`);
  }

  const checkResults = outcome.value.checks.map((c) => !(c === false || c instanceof Error));
  const metrics = foldMetrics(
    instances.map((inst, n) => {
      const m = outcome.value.metricLists[n];
      return { name: inst.name, metrics: Array.isArray(m) ? (m as Metric[]) : [] };
    }),
    units.length > 1,
  );
  const failures = events.filter((e) => e.severity >= 40);
  return {
    failures,
    events,
    metrics,
    checkResults,
    sometimes,
    errors,
    db,
    simSeconds: toSeconds(kernel.now()),
    passed: failures.length === 0 && checkResults.every((c) => c),
  };
}

/** Folds metrics of the same name across clients: summed, or averaged when flagged. */
export function foldMetrics(
  lists: ReadonlyArray<{ readonly name: string; readonly metrics: readonly Metric[] }>,
  prefix: boolean,
): Map<string, number> {
  const acc = new Map<string, { sum: number; count: number; averaged: boolean }>();
  for (const { name, metrics } of lists) {
    for (const m of metrics) {
      const key = prefix ? `${name}.${m.name}` : m.name;
      const a = acc.get(key) ?? { sum: 0, count: 0, averaged: false };
      a.sum += m.value;
      a.count++;
      a.averaged ||= m.averaged === true;
      acc.set(key, a);
    }
  }
  const out = new Map<string, number>();
  for (const [k, a] of acc) out.set(k, a.averaged ? a.sum / a.count : a.sum);
  return out;
}

/** The failures whose type is `type` (for assertions that a check names the right event). */
export function failuresOfType(result: WorkloadTestResult, type: string): TraceEvent[] {
  return result.failures.filter((f) => f.type === type);
}

/** In-memory sidebands for `count` clients: each message arrives after `latency` seconds, in order. */
function memorySidebands(kernel: Kernel, count: number, latency: number): Sideband[] {
  const inboxes: SidebandMessage[][] = Array.from({ length: count }, () => []);
  const waiting: ((m: SidebandMessage) => void)[][] = Array.from({ length: count }, () => []);
  return Array.from({ length: count }, (_, me) => ({
    send(toClient: number, message: SidebandMessage): void {
      if (toClient < 0 || toClient >= count) throw new RangeError(`sideband: no client ${toClient}`);
      kernel.after(seconds(latency), () => {
        const w = waiting[toClient]!.shift();
        if (w) w(message);
        else inboxes[toClient]!.push(message);
      });
    },
    receive(): Promise<SidebandMessage> {
      const next = inboxes[me]!.shift();
      if (next) return Promise.resolve(next);
      const f = kernel.future<SidebandMessage>(`sideband message to client ${me}`);
      waiting[me]!.push((m) => f.resolve(m));
      return f.promise;
    },
  }));
}
