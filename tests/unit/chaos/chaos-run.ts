// Test support for the chaos workload tests: runs a TOML spec text with one seed through the run layer
// (runSpec), with every built-in workload and every chaos workload registered, and keeps the trace events
// at Severity 5 and above for assertions. A fake ChaosSurface that records calls is here too, for tests
// of a workload's own decisions, and `explain`, which says why a run did not pass.

import { pluginRequests } from '../../../src/cli/plugin-flags.js';
import { Random } from '../../../src/core/random.js';
import type {
  ChaosMetrics,
  ChaosSurface,
  ConfigurationChange,
  KillType,
  ProcessInfo,
  WorkloadDefinition,
} from '../../../src/index.js';
import { fdbError } from '../../../src/index.js';
import type { RunResult } from '../../../src/run/result.js';
import { runSpec } from '../../../src/run/run-spec.js';
import { loadSpecFile, parseSpec } from '../../../src/spec/index.js';
import type { Located, SpecValue, TestSpec } from '../../../src/spec/types.js';
import { TraceCollector } from '../../../src/trace/collector.js';
import type { TraceEvent } from '../../../src/trace/event.js';
import { TraceWriter } from '../../../src/trace/writer.js';
import { pluginRegistry } from '../../../src/workload/plugin-loader.js';
import { Registry } from '../../../src/workload/registry.js';
import attrition from '../../../workloads/chaos/attrition.js';
import changeConfig from '../../../workloads/chaos/change-config.js';
import clockSkew from '../../../workloads/chaos/clock-skew.js';
import clogSingleConnection from '../../../workloads/chaos/clog-single-connection.js';
import diskFailureInjection from '../../../workloads/chaos/disk-failure-injection.js';
import partition from '../../../workloads/chaos/partition.js';
import randomClogging from '../../../workloads/chaos/random-clogging.js';
import rollback from '../../../workloads/chaos/rollback.js';
import targetedKill from '../../../workloads/chaos/targeted-kill.js';
import triggerRecoveryLoop from '../../../workloads/chaos/trigger-recovery-loop.js';
import { builtinWorkloads } from '../../../workloads/index.js';

/** Every chaos workload this folder tests. */
export const CHAOS_WORKLOADS = [
  attrition,
  changeConfig,
  clockSkew,
  clogSingleConnection,
  diskFailureInjection,
  partition,
  randomClogging,
  rollback,
  targetedKill,
  triggerRecoveryLoop,
] as const;

/** The built-ins plus the chaos workloads (a definition listed twice is registered once). */
export function chaosRegistry(): Registry {
  return new Registry([...builtinWorkloads, ...CHAOS_WORKLOADS]);
}

/** What one run produced. */
export interface ChaosRun {
  readonly result: RunResult;
  /** Every event at Severity 5 or above, in order. */
  readonly events: readonly TraceEvent[];
  /** The events of one type. */
  of(type: string): TraceEvent[];
}

/** Runs `specText` (as if read from `file`) with `seed`. */
export function runChaosSpec(
  specText: string,
  seed: number,
  file = 'tests/fast/Chaos.toml',
): Promise<ChaosRun> {
  return runParsed(parseSpec(specText, file), file, seed);
}

/** Runs the spec file `file` (relative to the repository root) with `seed`. */
export function runSpecFile(file: string, seed: number): Promise<ChaosRun> {
  return runParsed(loadSpecFile(file).spec, file, seed);
}

/** The chaos registry, plus the spec's plugins (workloads/examples) loaded as the command line loads them. */
async function registryFor(spec: TestSpec): Promise<Registry> {
  if (spec.plugins.length === 0) return chaosRegistry();
  const builtins = [...new Set([...builtinWorkloads, ...CHAOS_WORKLOADS])];
  return (await pluginRegistry(builtins, pluginRequests([], spec))).registry;
}

async function runParsed(spec: TestSpec, file: string, seed: number): Promise<ChaosRun> {
  const collector = new TraceCollector({ minSeverity: 5 });
  const result = await runSpec({
    spec,
    specPath: file,
    seed,
    registry: await registryFor(spec),
    traceSink: new TraceWriter({ memory: false }),
    extraSinks: [collector],
    // A healthy run of these specs ends within a few hundred simulated seconds; a hang fails fast.
    maxSimSeconds: 1500,
  });
  return {
    result,
    events: collector.events,
    of: (type: string) => collector.ofType(type),
  };
}

/** A detail of an event as a string ('' when absent). */
export function detail(e: TraceEvent, name: string): string {
  const v = e.details[name];
  return v === undefined ? '' : String(v);
}

/** One call the fake surface recorded. */
export interface SurfaceCall {
  readonly method: string;
  readonly args: readonly unknown[];
}

/**
 * A ChaosSurface over a fixed list of processes that records every call. Kills mark the processes
 * dead (reboots do not); `applied` decides the kill type returned (default: as requested).
 */
export class FakeChaos implements ChaosSurface {
  readonly calls: SurfaceCall[] = [];
  readonly procs: ProcessInfo[];
  applied: (requested: KillType) => KillType = (k) => k;
  coordinatorSet: string[] = [];

  constructor(procs: readonly ProcessInfo[]) {
    this.procs = procs.map((p) => ({ ...p }));
  }

  /** The calls to `method`. */
  callsOf(method: string): SurfaceCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  private markDead(pred: (p: ProcessInfo) => boolean): void {
    for (let i = 0; i < this.procs.length; i++) {
      const p = this.procs[i]!;
      if (pred(p)) this.procs[i] = { ...p, alive: false };
    }
  }

  processes(): ProcessInfo[] {
    return this.procs.map((p) => ({ ...p, roles: [...p.roles] }));
  }
  clogInterface(ip: string, seconds: number, mode: 'send' | 'receive' | 'all'): void {
    this.record('clogInterface', ip, seconds, mode);
  }
  clogPair(fromIp: string, toIp: string, seconds: number): void {
    this.record('clogPair', fromIp, toIp, seconds);
  }
  unclogPair(fromIp: string, toIp: string): void {
    this.record('unclogPair', fromIp, toIp);
  }
  disconnectPair(fromIp: string, toIp: string, seconds: number): void {
    this.record('disconnectPair', fromIp, toIp, seconds);
  }
  killMachine(machineId: string, type: KillType, opts?: { forced?: boolean }): KillType {
    this.record('killMachine', machineId, type, opts);
    const applied = this.applied(type);
    if (applied === 'KillInstantly') this.markDead((p) => p.machineId === machineId);
    return applied;
  }
  killProcess(address: string, type: KillType, opts?: { forced?: boolean }): KillType {
    this.record('killProcess', address, type, opts);
    const applied = this.applied(type);
    if (applied === 'KillInstantly') this.markDead((p) => p.address === address);
    return applied;
  }
  triggerRecovery(reason: string): void {
    this.record('triggerRecovery', reason);
  }
  speedUpMode(): boolean {
    return false;
  }
  unclogInterface(ip: string): void {
    this.record('unclogInterface', ip);
  }
  unclogAll(): void {
    this.record('unclogAll');
  }
  reconnectPair(fromIp: string, toIp: string): void {
    this.record('reconnectPair', fromIp, toIp);
  }
  rebootProcess(address: string, opts?: { deleteData?: boolean; forced?: boolean }): KillType {
    this.record('rebootProcess', address, opts);
    return opts?.deleteData ? 'RebootProcessAndDelete' : 'RebootProcess';
  }
  killDatacenter(dcId: string, type: KillType, opts?: { forced?: boolean }): KillType {
    this.record('killDatacenter', dcId, type, opts);
    return this.applied(type);
  }
  setConnectionFailures(enabled: boolean): void {
    this.record('setConnectionFailures', enabled);
  }
  setDiskFailure(
    address: string,
    settings: { stallInterval: number; stallPeriod: number; throttlePeriod: number },
  ): void {
    this.record('setDiskFailure', address, settings);
  }
  flipBits(address: string, percent: number): number {
    this.record('flipBits', address, percent);
    return 3;
  }
  /** Three bits per flipBits command and one delayed I/O per setDiskFailure command (not recorded). */
  chaosMetrics(address: string): ChaosMetrics {
    const to = (method: string) => this.callsOf(method).filter((c) => c.args[0] === address).length;
    return { diskDelays: to('setDiskFailure'), bitFlips: 3 * to('flipBits') };
  }
  setClockSkew(address: string, offsetSeconds: number, driftPpm: number): void {
    this.record('setClockSkew', address, offsetSeconds, driftPpm);
  }
  coordinators(): string[] {
    return [...this.coordinatorSet];
  }
  async changeCoordinators(target: readonly string[] | 'auto'): Promise<string[]> {
    this.record('changeCoordinators', target);
    this.coordinatorSet = target === 'auto' ? ['auto:1'] : [...target];
    return [...this.coordinatorSet];
  }
  async changeConfiguration(change: ConfigurationChange): Promise<boolean> {
    this.record('changeConfiguration', change);
    return true;
  }
  /** What moveKeys answers (default: every move completes). */
  moveResult = true;
  /** What storageTeamSize answers. */
  teamSize = 2;
  async moveKeys(begin: Uint8Array, end: Uint8Array, destination: readonly string[]): Promise<boolean> {
    this.record('moveKeys', begin, end, [...destination]);
    return this.moveResult;
  }
  async storageTeamSize(): Promise<number> {
    return this.teamSize;
  }
}

/** A server process for the fake surface. */
export function serverProcess(
  i: number,
  roles: readonly string[] = [],
  zone = `z${i}`,
  dc = '0',
): ProcessInfo {
  return {
    address: `2.0.1.${i}:1`,
    ip: `2.0.1.${i}`,
    machineId: `m${i}`,
    zoneId: zone,
    dcId: dc,
    dataHall: dc,
    processClass: 'unset',
    alive: true,
    roles,
    isTester: false,
  };
}

/** A tester process for the fake surface. */
export function testerProcess(i: number): ProcessInfo {
  return {
    address: `3.4.3.${i}:1`,
    ip: `3.4.3.${i}`,
    machineId: `tester-${i}`,
    zoneId: `tester-${i}`,
    dcId: '0',
    dataHall: '0',
    processClass: 'test',
    alive: true,
    roles: [],
    isTester: true,
  };
}

/** One event a workload traced through the fake context. */
export interface FakeEvent {
  readonly time: number;
  readonly type: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
  readonly severity: number;
}

/** What running a workload against the fake surface produced. */
export interface FakeRunResult {
  readonly events: readonly FakeEvent[];
  readonly failures: readonly FakeEvent[];
  /** Simulated seconds when the start phase returned. */
  readonly endTime: number;
  /** Surface calls with the simulated time each was made. */
  readonly timedCalls: readonly { readonly time: number; readonly call: SurfaceCall }[];
}

/** Parameters of a fake run. */
export interface FakeRunParams {
  /** Raw option values, as a spec gives them. */
  readonly options?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly seed?: number;
  readonly clientId?: number;
  readonly sharedRandomNumber?: number;
  /** Largest simulated time; the run fails the test when the workload is still going then. */
  readonly maxSeconds?: number;
  /** The database is locked: a transaction gets a read version only after setOption('lockAware'). */
  readonly locked?: boolean;
}

/**
 * Runs one workload's setup and start phases against `chaos` in a virtual clock: `ctx.delay` resolves in
 * time order, each after the microtask queue drained (so the workload's own promise order is kept).
 */
export async function runWithFakeChaos(
  // biome-ignore lint/suspicious/noExplicitAny: workloads of every option schema
  def: WorkloadDefinition<any>,
  chaos: FakeChaos,
  params: FakeRunParams = {},
): Promise<FakeRunResult> {
  const raw: Record<string, Located<SpecValue>> = {};
  for (const [k, v] of Object.entries(params.options ?? {})) raw[k] = { value: v as SpecValue, line: 1 };
  const options = chaosRegistry().validateOptions(def, raw, { file: '<test>' });
  let now = 0;
  let seq = 0;
  const timers: { t: number; seq: number; resolve: () => void }[] = [];
  const events: FakeEvent[] = [];
  const timedCalls: { time: number; call: SurfaceCall }[] = [];
  const recorded = chaos.calls.length;
  const trace = (
    type: string,
    details: Record<string, string | number | boolean> = {},
    severity = 10,
  ): void => {
    events.push({ time: now, type, details, severity });
  };
  const ctx = {
    // A database that is always up: read versions and commits succeed at once (Attrition's
    // waitForVersion and TriggerRecoveryLoop's recovery probe use it).
    db: {
      run: () => Promise.reject(new Error('db.run is not available in the fake chaos context')),
      createTransaction: () => {
        let lockAware = false;
        return {
          setOption: (o: string) => {
            if (o === 'lockAware') lockAware = true;
          },
          getReadVersion: () =>
            params.locked && !lockAware ? Promise.reject(fdbError('database_locked')) : Promise.resolve(1),
          addReadConflictKey: () => {},
          addWriteConflictKey: () => {},
          commit: () => Promise.resolve(),
          onError: (e: unknown) => Promise.reject(e),
        };
      },
    },
    clientId: params.clientId ?? 0,
    clientCount: 1,
    sharedRandomNumber: params.sharedRandomNumber ?? 12345,
    random: new Random(params.seed ?? 1),
    options,
    testTitle: 'FakeChaos',
    now: () => now,
    delay: (s: number) =>
      new Promise<void>((resolve) => {
        timers.push({ t: now + Math.max(0, s), seq: seq++, resolve });
      }),
    trace,
    fail: (reason: string, details: Record<string, string | number | boolean> = {}, type = 'TestFailure') =>
      trace(type, { Reason: reason, ...details }, 40),
    sometimes: () => {},
    always: () => {},
    chaos,
  };
  const instance = def.create(ctx as never);
  let finished = false;
  let error: unknown;
  const phases = (async () => {
    await instance.setup?.();
    await instance.start?.();
  })().then(
    () => {
      finished = true;
    },
    (e: unknown) => {
      finished = true;
      error = e;
    },
  );
  const maxSeconds = params.maxSeconds ?? 100_000;
  for (;;) {
    await new Promise<void>((r) => setImmediate(r));
    for (let i = recorded + timedCalls.length; i < chaos.calls.length; i++) {
      timedCalls.push({ time: now, call: chaos.calls[i]! });
    }
    if (finished) break;
    timers.sort((a, b) => a.t - b.t || a.seq - b.seq);
    const next = timers.shift();
    if (next === undefined) throw new Error('the workload is waiting on something other than ctx.delay');
    if (next.t > maxSeconds) throw new Error(`the workload still runs at ${maxSeconds} simulated seconds`);
    now = next.t;
    next.resolve();
  }
  await phases;
  if (error !== undefined) throw error;
  return { events, failures: events.filter((e) => e.severity >= 40), endTime: now, timedCalls };
}

/** Why a run did not pass: its outcome, what did not finish, and its failure reasons. */
export function explain(result: RunResult): string {
  const lines = [`${result.specPath} --seed ${result.seed}: ${result.outcome}`];
  if (result.didNotFinish !== undefined) {
    const stuck = result.didNotFinish.stuck.map((s) => `${s.name} (${s.waitingOn})`).join(', ');
    lines.push(`  did not finish: ${result.didNotFinish.reason}; stuck: ${stuck}`);
  }
  for (const f of result.failures) {
    lines.push(`  ${f.time.toFixed(3)} s ${f.type} [${f.workload ?? f.machine}]: ${f.reason}`);
  }
  for (const t of result.tests) {
    for (const c of t.cluster)
      if (c.status === 'fail') lines.push(`  ${t.title}: ${c.name}: ${c.reason ?? ''}`);
  }
  return lines.join('\n');
}
