// One `[[test]]` on the running cluster, as FoundationDB's orchestrator runs it: every workload is
// instantiated on every tester (with the ones automatic failure injection added, each traced as
// AddFailureInjectionWorkload); the phases setup -> start -> (3 s pause) -> check -> metrics are
// barriers across all of them; then the consistency check, `TestResults`, and the clear.

import type { SimulatedCluster } from '../cluster/cluster.js';
import { seconds, type Time, toSeconds } from '../core/time.js';
import type { Future, Task } from '../sim/kernel.js';
import { RpcError } from '../sim/rpc.js';
import type { World } from '../sim/world.js';
import {
  type Details,
  type DetailValue,
  SevError,
  type Severity,
  SevInfo,
  SevWarn,
  SevWarnAlways,
} from '../trace/event.js';
import type { ChaosSurface } from '../workload/chaos-surface.js';
import { createWorkloadContext, InvariantLog } from '../workload/context.js';
import type { Metric, WorkloadInstance } from '../workload/contract.js';
import { labeledDatabase } from './labeled-database.js';
import { foldMetrics } from './metrics.js';
import type { OracleRun } from './oracle-run.js';
import type { ResolvedTest, ResolvedWorkload } from './prepare.js';
import type { InvariantResult, MetricResult, TestResult, WorkloadResult } from './result.js';
import { createSideband } from './sideband.js';
import { DeterminismViolation } from './sim-globals.js';

/** FoundationDB's pause between the execution and check phases, when the test uses the database. */
export const PAUSE_BEFORE_CHECK_SECONDS = 3;
/** FoundationDB's limit on clearing the database after a test. */
export const CLEAR_TIMEOUT_SECONDS = 1000;
/**
 * The liveness bound, simulated seconds: once a test's chaos has ended and its clogs are healed, the
 * cluster must be back at full service (recovered, every shard fully replicated, every replica caught up)
 * within this long, or the test fails naming what did not progress. A spec's `maxDDRunTime` replaces it.
 */
export const LIVENESS_BOUND_SECONDS = 300;
/** Attempts at the consistency check when a replica does not answer in time. */
const CONSISTENCY_ATTEMPTS = 3;
/** Lines of a crash's stack kept in its trace event. */
const STACK_LINES = 12;
/** The key the liveness ping conflicts on (a conflict range only: it writes nothing). */
const PING_KEY = new Uint8Array([0x00, 0x66, 0x6c, 0x2f, 0x70, 0x69, 0x6e, 0x67]);

type PhaseName = 'setup' | 'start' | 'check' | 'metrics';

/** What a test runs in. */
export interface TestEnv {
  readonly world: World;
  readonly cluster: SimulatedCluster;
  /** One chaos surface per tester. */
  readonly chaos: readonly ChaosSurface[];
  /** The run's main task: its `waitingOn` names what the orchestrator waits for. */
  readonly mainTask: Task;
  /** Severity-40 events traced so far in the run. */
  readonly errorCount: () => number;
  /** Simulated time at which the run ends as did-not-finish, µs. */
  readonly runLimit: Time;
  /** The plugin file of a plugin workload (for determinism-violation messages); default none. */
  readonly pluginFile?: (workload: string) => string | undefined;
  /** The run's oracle; undefined when it is off. */
  readonly oracle?: OracleRun;
}

/** The state of one workload of the test (all clients). */
interface WorkloadState {
  readonly wl: ResolvedWorkload;
  readonly log: InvariantLog;
  readonly crashes: { phase: string; clientId: number; message: string; stack: string; time: number }[];
  readonly metrics: Metric[][];
  checkRan: boolean;
  checkFalse: number;
}

/** One workload instance on one client. */
interface Instance {
  readonly state: WorkloadState;
  readonly clientId: number;
  readonly label: string;
  instance: WorkloadInstance | undefined;
  task: Task | undefined;
  crashed: boolean;
  stopped: boolean;
}

/** Workload instances still running, grouped by workload and the call they wait on: "Hang (clients 0, 1) on tr.watch". */
function stillWaiting(instances: readonly Instance[]): string[] {
  const groups = new Map<string, { name: string; on: string; clients: number[] }>();
  for (const inst of instances) {
    if (inst.task === undefined || inst.task.done) continue;
    const name = inst.state.wl.def.name;
    const on = inst.task.waitingOn;
    const key = `${name}\u0000${on}`;
    const g = groups.get(key) ?? { name, on, clients: [] };
    g.clients.push(inst.clientId);
    groups.set(key, g);
  }
  return [...groups.values()].map(({ name, on, clients }) => {
    const shown =
      clients.slice(0, 6).join(', ') + (clients.length > 6 ? ` and ${clients.length - 6} more` : '');
    return `${name} (client${clients.length > 1 ? 's' : ''} ${shown}) on ${on}`;
  });
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
}

function stackOf(e: unknown): string {
  const s = e instanceof Error && typeof e.stack === 'string' ? e.stack : String(e);
  return s.split('\n').slice(0, STACK_LINES).join('\n');
}

function evidence(details: Details | undefined): Record<string, string> | undefined {
  if (details === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(details)) out[k] = String(details[k]);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** FoundationDB's `Phases` bitmask of `TestRunning`: 1 setup, 2 execution, 4 check, 8 metrics. */
function phaseMask(t: ResolvedTest): number {
  const p = t.spec.phases;
  return (p.setup ? 1 : 0) | (p.execution ? 2 : 0) | (p.check ? 4 : 0) | (p.metrics ? 8 : 0);
}

/** One test's run. `result()` may be read at any time (a run that does not finish reports partial state). */
export class TestRun {
  private readonly states: WorkloadState[];
  private readonly instances: Instance[] = [];
  private readonly clusterChecks: InvariantResult[] = [];
  private readonly startTime: Time;
  private endTime: Time | undefined;
  private timedOut = false;
  /** At a timeout, each workload instance still running and the call it waited on. */
  private stillWaiting: string[] = [];
  private passed = false;
  private errorsAtStart = 0;
  private deadline: Future<void> | undefined;

  constructor(
    private readonly env: TestEnv,
    private readonly test: ResolvedTest,
    private readonly sharedRandomNumber: number,
  ) {
    this.startTime = env.world.now();
    this.states = [...test.workloads, ...(test.injected ?? [])].map((wl) => ({
      wl,
      log: new InvariantLog(),
      crashes: [],
      metrics: [],
      checkRan: false,
      checkFalse: 0,
    }));
  }

  private get title(): string {
    return this.test.spec.testTitle;
  }

  /** The orchestrator's events are logged from tester 0, where FoundationDB's runTests runs. */
  private trace(type: string, details: Details, severity: Severity = SevInfo): void {
    this.env.world.trace(type, details, { severity, machine: this.env.cluster.testers[0]!.address });
  }

  private waitingOn(what: string): void {
    this.env.mainTask.waitingOn = what;
  }

  /**
   * Runs the test. Returns false when the database could not be cleared afterwards, which (as in
   * FoundationDB) aborts the remaining tests.
   */
  async run(): Promise<boolean> {
    const { world } = this.env;
    const keys = this.test.spec.keys;
    const phases = this.test.spec.phases;
    this.errorsAtStart = this.env.errorCount();
    const oracleFrom = this.env.oracle?.found ?? 0;
    this.trace('TestRunning', {
      WorkloadTitle: this.title,
      TesterCount: this.env.cluster.testers.length,
      Phases: phaseMask(this.test),
      TestTimeout: keys.timeout,
      SharedRandomNumber: this.sharedRandomNumber,
    });
    const deadline = world.kernel.future<void>(`timeout of test '${this.title}'`);
    this.deadline = deadline;
    const deadlineEvent = world.kernel.after(seconds(keys.timeout), () => deadline.resolve());
    const pinger = keys.useDB && keys.databasePingDelay > 0 ? this.startPinger() : undefined;

    this.createInstances();
    let ok = true;
    if (phases.setup) {
      this.trace('TestSetupStart', { WorkloadTitle: this.title });
      ok = await this.phase('setup', (i) => i.setup?.());
      if (ok) this.trace('TestSetupComplete', { WorkloadTitle: this.title });
    }
    if (ok && phases.execution) {
      this.trace('TestStarting', { WorkloadTitle: this.title });
      ok = await this.phase('start', (i) => i.start?.());
      if (ok) this.trace('TestComplete', { WorkloadTitle: this.title });
      if (ok && keys.useDB) {
        this.waitingOn(`the ${PAUSE_BEFORE_CHECK_SECONDS} s pause before checking test '${this.title}'`);
        await world.kernel.delay(seconds(PAUSE_BEFORE_CHECK_SECONDS), this.env.mainTask);
      }
    }
    if (ok && phases.check) {
      this.trace('TestCheckingResults', { WorkloadTitle: this.title });
      ok = await this.phase('check', (i) => i.check?.());
      if (ok) this.trace('TestCheckComplete', { WorkloadTitle: this.title });
    }
    if (ok && phases.metrics) {
      this.trace('TestFetchingMetrics', { WorkloadTitle: this.title });
      ok = await this.phase('metrics', (i) => i.metrics?.());
      if (ok) this.traceMetrics();
    }
    deadlineEvent.cancelled = true;
    if (pinger) pinger.stop = true;
    if (!ok) this.timeOut();
    this.tearDown();

    if (keys.useDB && keys.runConsistencyCheck) await this.consistencyCheck();
    else {
      this.clusterChecks.push({
        name: 'consistency check',
        status: 'skipped',
        reason: keys.useDB ? 'runConsistencyCheck = false' : 'useDB = false',
      });
    }
    if (this.env.oracle) this.clusterChecks.push(this.env.oracle.finishTest(oracleFrom));
    this.traceAssertions();
    this.passed =
      this.env.errorCount() === this.errorsAtStart &&
      !this.timedOut &&
      this.states.every((s) => s.checkFalse === 0);
    this.trace(
      'TestResults',
      { Workload: this.title, Passed: this.passed ? 1 : 0 },
      this.passed ? SevInfo : SevWarnAlways,
    );
    let cleared = true;
    if (keys.useDB && keys.clearAfterTest) cleared = await this.clear();
    this.endTime = world.now();
    return cleared;
  }

  /**
   * FoundationDB's testers each trace every workload failure injection added to their compound
   * workload, once per tester, before the setup phase.
   */
  private traceInjected(): void {
    const { world, cluster } = this.env;
    const clientCount = cluster.testers.length;
    const injected = this.states.filter((s) => s.wl.injected === true);
    for (let clientId = 0; clientId < clientCount; clientId++) {
      for (const s of injected) {
        world.trace(
          'AddFailureInjectionWorkload',
          { Name: s.wl.def.name, ClientID: clientId, ClientCount: clientCount, Title: this.title },
          { machine: cluster.testers[clientId]!.address },
        );
      }
    }
  }

  private createInstances(): void {
    const { world, cluster } = this.env;
    const clientCount = cluster.testers.length;
    this.traceInjected();
    for (const state of this.states) {
      const { def, options, globalIndex } = state.wl;
      for (let clientId = 0; clientId < clientCount; clientId++) {
        const label = `${def.name}#${globalIndex}/client${clientId}`;
        const inst: Instance = {
          state,
          clientId,
          label,
          instance: undefined,
          task: undefined,
          crashed: false,
          stopped: false,
        };
        const never = new Promise<void>(() => {});
        const ctx = createWorkloadContext({
          db: labeledDatabase(
            cluster.client(clientId),
            (what) => {
              if (inst.task) inst.task.waitingOn = what;
            },
            () => !inst.stopped,
          ),
          clientId,
          clientCount,
          sharedRandomNumber: this.sharedRandomNumber,
          random: world.random.fork(`workload:${def.name}#${globalIndex}`).fork(`client${clientId}`),
          options,
          testTitle: this.title,
          workloadName: def.name,
          machine: cluster.testers[clientId]!.address,
          now: () => toSeconds(world.now()),
          delay: (s: number) => {
            // A stopped instance (its test timed out) never wakes again: FoundationDB tears it down.
            if (inst.stopped) return never;
            // Simulated time is whole microseconds: a positive delay lasts at least one, or a workload's
            // `while (now() < end) await delay(end - now())` spins forever at one instant when `end` falls
            // between two microseconds (swarm seed 61: RandomMoveKeys, ~730,000 moves at 51.980343 s).
            const dt = Number.isFinite(s) && s > 0 ? Math.max(1, seconds(s)) : 0;
            return world.kernel.delay(dt, inst.task);
          },
          emit: (severity, type, details, machine) => world.trace(type, details, { severity, machine }),
          log: state.log,
          chaos: this.env.chaos[clientId]!,
          sideband: createSideband(world, cluster.testers, clientId, String(globalIndex)),
          active: () => !inst.stopped,
        });
        this.instances.push(inst);
        try {
          inst.instance = def.create(ctx as never);
        } catch (e) {
          this.crash(inst, 'create', e);
        }
      }
    }
  }

  /** A thrown error in a workload: a crash (not an internal error), traced with its stack. */
  private crash(inst: Instance, phase: string, e: unknown): void {
    inst.crashed = true;
    if (e instanceof DeterminismViolation) {
      const workload = inst.state.wl.def.name;
      const file = this.env.pluginFile?.(workload);
      e.attribute({ workload, phase, ...(file !== undefined ? { file } : {}) });
    }
    const now = this.env.world.now();
    const stack = stackOf(e);
    inst.state.crashes.push({
      phase,
      clientId: inst.clientId,
      message: message(e),
      stack,
      time: toSeconds(now),
    });
    this.env.world.trace(
      'WorkloadCrash',
      {
        Workload: inst.state.wl.def.name,
        Phase: phase,
        ClientId: inst.clientId,
        Reason: message(e),
        Backtrace: stack,
      },
      { severity: SevError, machine: this.env.cluster.testers[inst.clientId]!.address },
    );
  }

  /**
   * Runs one phase on every live instance concurrently, each as its own task, and waits for all of
   * them (the barrier) or the test's timeout. Returns false on timeout.
   */
  private async phase(name: PhaseName, call: (i: WorkloadInstance) => unknown): Promise<boolean> {
    const { kernel } = this.env.world;
    const live = this.instances.filter((i) => !i.crashed && i.instance !== undefined);
    const barrier = kernel.future<void>(`${name} phase of test '${this.title}'`, this.env.mainTask);
    let pending = live.length;
    if (pending === 0) barrier.resolve();
    for (const inst of live) {
      if (name === 'check') inst.state.checkRan = true;
      inst.task = kernel.spawn(`${inst.label} ${name}`, async (task) => {
        inst.task = task;
        try {
          const value = await call(inst.instance!);
          if (!inst.stopped) this.phaseResult(inst, name, value);
        } catch (e) {
          if (!inst.stopped) this.crash(inst, name, e);
        } finally {
          if (--pending === 0) barrier.resolve();
        }
      });
    }
    return Promise.race([barrier.promise.then(() => true), this.deadline!.promise.then(() => false)]);
  }

  private phaseResult(inst: Instance, name: PhaseName, value: unknown): void {
    if (name === 'check' && value === false) {
      inst.state.checkFalse++;
      if (inst.state.log.failures.length === 0) {
        this.env.world.trace(
          'TestCheckReturnedFalse',
          { Workload: inst.state.wl.def.name, ClientId: inst.clientId },
          { severity: SevWarnAlways, machine: this.env.cluster.testers[inst.clientId]!.address },
        );
      }
    }
    if (name === 'metrics' && Array.isArray(value)) inst.state.metrics.push(value as Metric[]);
  }

  /** The test exceeded its timeout: FoundationDB's "Test timed out"; every instance is torn down. */
  private timeOut(): void {
    this.timedOut = true;
    this.stillWaiting = stillWaiting(this.instances);
    this.trace(
      'TestFailure',
      {
        Reason: 'Test timed out',
        Workload: this.title,
        Timeout: this.test.spec.keys.timeout,
        Waiting: this.stillWaiting.join('; '),
      },
      SevError,
    );
    for (const inst of this.instances) {
      inst.stopped = true;
      if (inst.task && !inst.task.done) this.env.world.kernel.forget(inst.task);
    }
  }

  /**
   * Ends every instance: actors a workload left running never wake again and trace nothing more, as
   * FoundationDB cancels a test's workloads when it ends.
   */
  private tearDown(): void {
    for (const inst of this.instances) inst.stopped = true;
  }

  private traceMetrics(): void {
    for (const s of this.states) {
      for (const m of foldMetrics(s.metrics)) {
        this.trace('Metric', {
          Name: `${s.wl.def.name}.${m.name}`,
          Value: m.value,
          Formatted: m.formatted,
          Averaged: m.averaged,
        });
      }
    }
  }

  private traceAssertions(): void {
    for (const s of this.states) {
      for (const a of s.log.assertionList()) {
        if (a.kind !== 'sometimes') continue;
        this.trace(
          'SometimesAssertion',
          { Workload: s.wl.def.name, Name: a.name, Hits: a.hits, Evaluations: a.evaluations },
          a.hits > 0 ? SevInfo : SevWarn,
        );
      }
    }
  }

  /** FoundationDB's liveness ping (`databasePingDelay`): a tiny commit must take less than the delay. */
  private startPinger(): { stop: boolean } {
    const { world, cluster } = this.env;
    const keys = this.test.spec.keys;
    const control = { stop: false };
    const db = cluster.client(0);
    world.kernel.spawn(
      `database ping of test '${this.title}'`,
      async () => {
        await world.kernel.delay(seconds(keys.startDelay));
        while (!control.stop) {
          const started = world.now();
          const done = db
            .run(async (tr) => {
              // Lock-aware, as FoundationDB's ping: a locked database is still a live one.
              tr.setOption('lockAware');
              tr.addWriteConflictKey(PING_KEY);
            })
            .then(
              () => true,
              () => true,
            );
          const late = world.kernel.delay(seconds(keys.databasePingDelay)).then(() => false);
          const inTime = await Promise.race([done, late]);
          if (control.stop) return;
          if (!inTime) {
            this.trace(
              'TestFailure',
              {
                Reason: 'Database ping took longer than databasePingDelay',
                Workload: this.title,
                PingDelay: keys.databasePingDelay,
                Started: toSeconds(started),
              },
              SevError,
            );
            return;
          }
          await world.kernel.delay(seconds(keys.databasePingDelay));
        }
      },
      { daemon: true },
    );
    return control;
  }

  /**
   * Waits for a quiet cluster, then checks that every replica of every shard agrees. faultline always
   * waits for quiet first (FoundationDB's check is quiescent only without BUGGIFY), since replicas are
   * compared at one version.
   */
  private async consistencyCheck(): Promise<void> {
    const { world, cluster } = this.env;
    const keys = this.test.spec.keys;
    const wanted = keys.maxDDRunTime > 0 ? keys.maxDDRunTime : LIVENESS_BOUND_SECONDS;
    const left = toSeconds(this.env.runLimit - world.now()) - 1;
    const limit = Math.max(1, Math.min(wanted, left));
    // The test's chaos has ended: the faults it left heal (a clog may outlast its workload by hours).
    world.network.unclogAll();
    const healed = world.now();
    this.waitingOn(`a quiet cluster before the consistency check of test '${this.title}'`);
    let quiet: { quiet: boolean; waitingOn: string };
    try {
      quiet = await cluster.waitForQuiescence(0, limit);
    } catch (e) {
      quiet = { quiet: false, waitingOn: message(e) };
    }
    if (quiet.quiet) {
      this.trace('ClusterFullService', { Workload: this.title, Seconds: toSeconds(world.now() - healed) });
    } else {
      const reason = `the cluster did not return to full service within ${limit} s after the chaos ended (waiting for ${quiet.waitingOn}${this.notProgressing()})`;
      this.trace(
        'TestFailure',
        { Reason: 'Unable to perform consistency check', Detail: reason, Workload: this.title },
        SevError,
      );
      this.clusterChecks.push({
        name: 'consistency check',
        status: 'fail',
        reason: `Unable to perform consistency check: ${reason}`,
        time: toSeconds(world.now()),
      });
      return;
    }
    this.clusterChecks.push({ name: 'quiescence', status: 'pass' });
    this.waitingOn(`the consistency check of test '${this.title}'`);
    let lastError = '';
    for (let attempt = 0; attempt < CONSISTENCY_ATTEMPTS; attempt++) {
      try {
        const oracle = this.env.oracle?.oracle;
        const report = await cluster.consistencyCheck(
          0,
          oracle && ((r, version, id, rows) => oracle.checkReplica(r.begin, r.end, version, id, rows)),
        );
        this.trace('ConsistencyCheckComplete', {
          WorkloadTitle: this.title,
          Version: report.version,
          Shards: report.shardsChecked,
          Problems: report.problems.length,
        });
        this.clusterChecks.push(
          report.ok
            ? { name: 'consistency check', status: 'pass', count: report.shardsChecked }
            : {
                name: 'consistency check',
                status: 'fail',
                reason: report.problems[0]!,
                evidence: { Version: String(report.version), Problems: String(report.problems.length) },
                time: toSeconds(world.now()),
                count: report.problems.length,
              },
        );
        return;
      } catch (e) {
        if (!(e instanceof RpcError)) throw e;
        lastError = e.message;
        await world.kernel.delay(seconds(1), this.env.mainTask);
      }
    }
    this.trace(
      'TestFailure',
      { Reason: 'Unable to perform consistency check', Detail: lastError, Workload: this.title },
      SevError,
    );
    this.clusterChecks.push({
      name: 'consistency check',
      status: 'fail',
      reason: `Unable to perform consistency check: ${lastError}`,
      time: toSeconds(world.now()),
    });
  }

  /**
   * The cluster's own account of what did not progress (a recovery step and what it waits for, a missing
   * controller, a lost shard), each traced as `ClusterNotProgressing`; '' when it names nothing.
   */
  private notProgressing(): string {
    const stuck = this.env.cluster.livenessReport();
    for (const s of stuck)
      this.env.world.trace(
        'ClusterNotProgressing',
        { Role: s.name, WaitingOn: s.waitingOn },
        { severity: SevWarnAlways },
      );
    return stuck.map((s) => `; ${s.name}: ${s.waitingOn}`).join('');
  }

  /** Clears every user key in one transaction (FoundationDB's clearAfterTest). */
  private async clear(): Promise<boolean> {
    const { world, cluster } = this.env;
    this.waitingOn(`clearing the database after test '${this.title}'`);
    const done = cluster
      .client(0)
      .run(async (tr) => {
        tr.clearRange(new Uint8Array(0), new Uint8Array([0xff]));
      })
      .then(() => true);
    const late = world.kernel.delay(seconds(CLEAR_TIMEOUT_SECONDS)).then(() => false);
    const cleared = await Promise.race([done, late]);
    if (!cleared) {
      this.trace(
        'TestFailure',
        { Reason: 'Unable to clear the database after the test', Workload: this.title },
        SevError,
      );
      this.clusterChecks.push({
        name: 'clear after test',
        status: 'fail',
        reason: `the clear did not commit within ${CLEAR_TIMEOUT_SECONDS} s; the remaining tests were not run`,
        time: toSeconds(world.now()),
      });
    }
    return cleared;
  }

  private workloadResult(s: WorkloadState): WorkloadResult {
    const invariants: InvariantResult[] = [];
    const phasesOf = new Map<string, typeof s.crashes>();
    for (const c of s.crashes) phasesOf.set(c.phase, [...(phasesOf.get(c.phase) ?? []), c]);
    for (const [phase, list] of phasesOf) {
      const first = list[0]!;
      invariants.push({
        name: `crash in ${phase}`,
        status: 'fail',
        reason: first.message,
        evidence: {
          ClientId: String(first.clientId),
          Stack: first.stack.split('\n').slice(0, 3).join(' | '),
        },
        time: first.time,
        count: list.length,
      });
    }
    // Failures grouped by event type and reason, in the order they first happened.
    const groups = new Map<string, { first: (typeof s.log.failures)[number]; count: number }>();
    for (const f of s.log.failures) {
      if (f.details.Assertion !== undefined) continue; // reported with its assertion below
      const key = `${f.type}\u0000${f.reason}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { first: f, count: 1 });
    }
    for (const { first, count } of groups.values()) {
      const ev: Record<string, DetailValue> = { ClientId: first.clientId, ...first.details };
      invariants.push({
        name: first.type === 'TestFailure' ? 'check' : first.type,
        status: 'fail',
        reason: first.reason,
        ...(evidence(ev) ? { evidence: evidence(ev)! } : {}),
        time: first.time,
        count,
      });
    }
    if (invariants.length === 0) {
      if (s.checkFalse > 0) {
        invariants.push({
          name: 'check',
          status: 'warn',
          reason: `check returned false on ${s.checkFalse} client(s) without a Severity-40 event`,
          count: s.checkFalse,
        });
      } else if (s.checkRan && !this.timedOut) {
        invariants.push({ name: 'check', status: 'pass' });
      } else {
        invariants.push({
          name: 'check',
          status: 'skipped',
          reason: this.timedOut ? 'the test timed out' : 'the check phase did not run',
        });
      }
    }
    for (const a of s.log.assertionList()) {
      if (a.kind === 'always') {
        const failed = a.evaluations - a.hits;
        invariants.push(
          failed === 0
            ? { name: `always: ${a.name}`, status: 'pass', count: a.evaluations }
            : {
                name: `always: ${a.name}`,
                status: 'fail',
                reason: `did not hold ${failed} of ${a.evaluations} times`,
                ...(evidence(a.firstFailureDetails) ? { evidence: evidence(a.firstFailureDetails)! } : {}),
                ...(a.firstFailureTime !== undefined ? { time: a.firstFailureTime } : {}),
                count: failed,
              },
        );
      } else {
        invariants.push(
          a.hits > 0
            ? { name: `sometimes: ${a.name}`, status: 'pass', count: a.hits }
            : {
                name: `sometimes: ${a.name}`,
                status: 'unmet',
                reason: `never held in ${a.evaluations} evaluations`,
                count: 0,
              },
        );
      }
    }
    const metrics: MetricResult[] = foldMetrics(s.metrics);
    return {
      name: s.wl.def.name,
      index: s.wl.index,
      kind: s.wl.def.kind,
      line: s.wl.line,
      passed: !invariants.some((i) => i.status === 'fail'),
      invariants,
      metrics,
      ...(s.wl.injected === true ? { injected: true } : {}),
    };
  }

  /** The test's result so far (complete once `run` has returned). */
  result(): TestResult {
    const now = this.env.world.now();
    const cluster = [...this.clusterChecks];
    if (this.timedOut) {
      cluster.unshift({
        name: 'timeout',
        status: 'fail',
        reason: `Test timed out after ${this.test.spec.keys.timeout} s${
          this.stillWaiting.length > 0 ? `; still waiting: ${this.stillWaiting.join('; ')}` : ''
        }`,
      });
    }
    return {
      title: this.title,
      line: this.test.spec.line,
      ran: true,
      passed: this.endTime !== undefined && this.passed,
      startTime: toSeconds(this.startTime),
      endTime: toSeconds(this.endTime ?? now),
      timedOut: this.timedOut,
      workloads: this.states.map((s) => this.workloadResult(s)),
      cluster,
      ...(this.test.failureInjection !== undefined ? { failureInjection: this.test.failureInjection } : {}),
    };
  }
}

/** The result of a test that never started. */
export function notRunResult(test: ResolvedTest, reason: string): TestResult {
  return {
    title: test.spec.testTitle,
    line: test.spec.line,
    ran: false,
    passed: false,
    startTime: 0,
    endTime: 0,
    timedOut: false,
    workloads: [...test.workloads, ...(test.injected ?? [])].map((wl) => ({
      name: wl.def.name,
      index: wl.index,
      kind: wl.def.kind,
      line: wl.line,
      passed: false,
      invariants: [{ name: 'check', status: 'skipped', reason }],
      metrics: [],
      ...(wl.injected === true ? { injected: true } : {}),
    })),
    cluster: [],
    ...(test.failureInjection !== undefined ? { failureInjection: test.failureInjection } : {}),
  };
}
