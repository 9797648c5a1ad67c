// The ChaosSurface that chaos workloads inject faults through, implemented over the world's network,
// disks and lifecycle (with its kill-safety policy) and the simulated cluster. One surface per tester:
// what it does itself is traced from that tester, as FoundationDB logs chaos from the tester's context.

import type { SimulatedCluster } from '../cluster/cluster.js';
import type { ClusterConfig } from '../cluster/config.js';
import { toB } from '../cluster/keys.js';
import type { Random } from '../core/random.js';
import { seconds } from '../core/time.js';
import type { SimProcess } from '../sim/process.js';
import type { World } from '../sim/world.js';
import { type Details, type Severity, SevWarn, SevWarnAlways } from '../trace/event.js';
import { type KillType, killTypeNumber } from '../trace/kill-types.js';
import type {
  ChaosMetrics,
  ChaosSurface,
  ClogMode,
  ConfigurationChange,
  ProcessInfo,
} from '../workload/chaos-surface.js';

/** Kill types that reboot: `killProcess` hands these to the lifecycle's single-process reboot. */
const REBOOT_KINDS: ReadonlySet<KillType> = new Set<KillType>([
  'Reboot',
  'RebootAndDelete',
  'RebootProcess',
  'RebootProcessAndDelete',
  'RebootProcessAndSwitch',
]);

/**
 * Which files bit flips may hit: storage servers' (`storage-<id>.log`), as FoundationDB flips only storage
 * files. Transaction logs and coordinators trust what they synced; a flipped log would lose data outside
 * the kill-safety policy.
 */
export function isStorageFile(name: string): boolean {
  return name.startsWith('storage-');
}

/** What the surface needs besides the world and the cluster. */
export interface ChaosOptions {
  /** The tester this surface belongs to (index into the cluster's testers). */
  readonly tester: number;
  /** `[configuration] faultInjection`: when false, unforced kills are refused (Attrition never acts). */
  readonly faultInjection: boolean;
  /** This surface's random stream (bit flips). */
  readonly random: Random;
}

function seconds0(what: string, s: number): number {
  if (!Number.isFinite(s) || s < 0) throw new RangeError(`${what}: duration must be >= 0 seconds, got ${s}`);
  return s;
}

/** The ChaosSurface of one tester. */
export class ClusterChaos implements ChaosSurface {
  constructor(
    private readonly world: World,
    private readonly cluster: SimulatedCluster,
    private readonly opts: ChaosOptions,
  ) {}

  private get testerAddress(): string {
    return this.cluster.testers[this.opts.tester % this.cluster.testers.length]!.address;
  }

  private trace(type: string, details: Details, severity?: Severity): void {
    this.world.trace(type, details, {
      machine: this.testerAddress,
      ...(severity !== undefined ? { severity } : {}),
    });
  }

  private proc(address: string): SimProcess {
    const p = this.world.process(address);
    if (p === undefined) throw new RangeError(`chaos: no process at ${address}`);
    return p;
  }

  /** A refusal because `[configuration] faultInjection = false`, traced like the lifecycle's refusals. */
  private refusedNoFaults(target: Details, type: KillType, forced: boolean): KillType | undefined {
    if (this.opts.faultInjection || forced) return undefined;
    this.trace(
      'AbortedKill',
      { ...target, KillType: killTypeNumber(type), Reason: 'Fault injection is off', Forced: forced },
      SevWarn,
    );
    return 'None';
  }

  processes(): ProcessInfo[] {
    return this.world.processes().map((p) => ({
      address: p.address,
      ip: p.ip,
      machineId: p.machine.locality.machineId,
      zoneId: p.machine.locality.zoneId,
      dcId: p.machine.locality.dcId,
      dataHall: p.machine.locality.dataHall,
      processClass: p.processClass,
      alive: p.alive,
      roles: [...p.roles].sort(),
      isTester: p.processClass === 'test',
    }));
  }

  clogInterface(ip: string, s: number, mode: ClogMode): void {
    this.world.network.clogInterface(ip, this.world.now() + seconds(seconds0('clogInterface', s)), mode);
  }

  clogPair(fromIp: string, toIp: string, s: number): void {
    this.world.network.clogPair(fromIp, toIp, this.world.now() + seconds(seconds0('clogPair', s)));
  }

  unclogPair(fromIp: string, toIp: string): void {
    this.world.network.unclogPair(fromIp, toIp);
  }

  disconnectPair(fromIp: string, toIp: string, s: number): void {
    this.world.network.disconnectPair(
      fromIp,
      toIp,
      this.world.now() + seconds(seconds0('disconnectPair', s)),
    );
  }

  unclogInterface(ip: string): void {
    this.world.network.unclogInterface(ip);
  }

  unclogAll(): void {
    this.world.network.unclogAll();
  }

  reconnectPair(fromIp: string, toIp: string): void {
    this.world.network.reconnectPair(fromIp, toIp);
  }

  killMachine(machineId: string, type: KillType, opts: { forced?: boolean } = {}): KillType {
    const machine = this.world.machines.find((m) => m.locality.machineId === machineId);
    if (machine === undefined) throw new RangeError(`chaos: no machine ${machineId}`);
    const forced = opts.forced ?? false;
    return (
      this.refusedNoFaults({ MachineId: machineId }, type, forced) ??
      this.world.lifecycle.killMachine(machine, type, { forced })
    );
  }

  killProcess(address: string, type: KillType, opts: { forced?: boolean } = {}): KillType {
    const proc = this.proc(address);
    const forced = opts.forced ?? false;
    const refused = this.refusedNoFaults({ Address: address }, type, forced);
    if (refused !== undefined) return refused;
    if (REBOOT_KINDS.has(type)) {
      // One process cannot reboot "as a machine": a reboot kind here is a single-process reboot.
      const deleteData = type === 'RebootAndDelete' || type === 'RebootProcessAndDelete';
      return this.world.lifecycle.rebootProcess(proc, { deleteData, forced });
    }
    return this.world.lifecycle.killProcess(proc, type, { forced });
  }

  rebootProcess(address: string, opts: { deleteData?: boolean; forced?: boolean } = {}): KillType {
    const proc = this.proc(address);
    const forced = opts.forced ?? false;
    const type: KillType = opts.deleteData ? 'RebootProcessAndDelete' : 'RebootProcess';
    return (
      this.refusedNoFaults({ Address: address }, type, forced) ??
      this.world.lifecycle.rebootProcess(proc, { deleteData: opts.deleteData ?? false, forced })
    );
  }

  killDatacenter(dcId: string, type: KillType, opts: { forced?: boolean } = {}): KillType {
    const forced = opts.forced ?? false;
    return (
      this.refusedNoFaults({ DataCenter: dcId }, type, forced) ??
      this.world.lifecycle.killDatacenter(dcId, type, { forced })
    );
  }

  triggerRecovery(reason: string): void {
    this.trace('TriggerRecovery', { Reason: reason });
    this.cluster.triggerRecovery(reason, this.opts.tester).catch((e: unknown) => {
      this.trace('TriggerRecoveryFailed', { Reason: reason, Error: String(e) }, SevWarn);
    });
  }

  speedUpMode(): boolean {
    return this.world.speedUp;
  }

  setConnectionFailures(enabled: boolean): void {
    this.world.network.connectionFailuresEnabled = enabled;
    this.trace(enabled ? 'EnableConnectionFailures_Tester' : 'DisableConnectionFailures_Tester', {});
  }

  setDiskFailure(
    address: string,
    settings: { stallInterval: number; stallPeriod: number; throttlePeriod: number },
  ): void {
    const proc = this.proc(address);
    seconds0('setDiskFailure stallInterval', settings.stallInterval);
    seconds0('setDiskFailure stallPeriod', settings.stallPeriod);
    seconds0('setDiskFailure throttlePeriod', settings.throttlePeriod);
    this.world.disks.setDiskFailure(proc.folder, settings, proc.address);
  }

  flipBits(address: string, percent: number): number {
    if (!(percent >= 0 && percent <= 100))
      throw new RangeError(`flipBits: percent must be 0..100, got ${percent}`);
    const proc = this.proc(address);
    // A flipped bit makes a storage server discard its file: like a destructive kill, it is refused
    // when that file is the last good copy of some shard.
    const verdict = this.world.lifecycle.mayCorrupt(proc);
    if (!verdict.ok) {
      this.trace('AbortedBitFlips', { Address: address, Reason: verdict.reason }, SevWarn);
      return 0;
    }
    return this.world.disks.flipBits(proc.folder, percent, this.opts.random, {
      files: isStorageFile,
      machine: proc.address,
    });
  }

  chaosMetrics(address: string): ChaosMetrics {
    const { folder } = this.proc(address);
    return { diskDelays: folder.diskDelays, bitFlips: folder.bitFlips };
  }

  setClockSkew(address: string, offsetSeconds: number, driftPpm: number): void {
    if (!Number.isFinite(offsetSeconds) || !Number.isFinite(driftPpm)) {
      throw new RangeError(
        `setClockSkew: offset and drift must be finite, got ${offsetSeconds}, ${driftPpm}`,
      );
    }
    const proc = this.proc(address);
    const now = this.world.now();
    // The skew is measured against simulated time: the clock jumps by offsetSeconds from where it reads
    // now (drift accumulated so far included), then drifts at the new rate.
    const current = proc.localTime() - now;
    proc.clockOffset = current + seconds(offsetSeconds);
    proc.clockDriftPpm = driftPpm;
    proc.clockDriftSince = now;
    this.trace('SetClockSkew', { Address: address, Offset: offsetSeconds, DriftPpm: driftPpm });
  }

  coordinators(): string[] {
    return [...this.cluster.coordinators];
  }

  changeCoordinators(target: readonly string[] | 'auto'): Promise<string[]> {
    return this.cluster.changeCoordinators(target, this.opts.tester);
  }

  moveKeys(begin: Uint8Array, end: Uint8Array, destination: readonly string[]): Promise<boolean> {
    return this.cluster.moveKeys(toB(begin), toB(end), destination, this.opts.tester);
  }

  storageTeamSize(): Promise<number> {
    return this.cluster.storageTeamSize(this.opts.tester);
  }

  async changeConfiguration(change: ConfigurationChange): Promise<boolean> {
    const patch: Partial<ClusterConfig['db']> = {};
    if (change.replication !== undefined) Object.assign(patch, { replication: change.replication });
    if (change.logs !== undefined) Object.assign(patch, { logs: change.logs });
    if (change.commitProxies !== undefined) Object.assign(patch, { commitProxies: change.commitProxies });
    if (change.grvProxies !== undefined) Object.assign(patch, { grvProxies: change.grvProxies });
    if (change.resolvers !== undefined) Object.assign(patch, { resolvers: change.resolvers });
    const done = await this.cluster.changeConfiguration(patch, this.opts.tester);
    if (!done) {
      this.trace('ChangeConfigNotInForce', { Change: JSON.stringify(patch) }, SevWarnAlways);
    }
    return done;
  }
}
