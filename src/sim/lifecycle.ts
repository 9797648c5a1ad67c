// Machine and process lifecycle: FoundationDB's kill types applied to simulated machines, processes and
// datacenters, reboot timings and disk swaps, and the kill-safety policy that keeps chaos from taking
// away more than the cluster can survive (it degrades a kill to a temporary outage instead).
//
// Every kill request goes through the policy of FoundationDB's simulator (reference §3.3): refused in
// speed-up mode unless forced, downgraded to Reboot on machines holding a protected address, refused on
// machines that are already rebooting, and, for kinds that lose data, checked against the cluster's
// `canSurvive` hook. Every refusal and downgrade is traced with its reason.
import type { Random } from '../core/random.js';
import { seconds } from '../core/time.js';
import { type Details, type Severity, SevWarn } from '../trace/event.js';
import { isDestructive, type KillType, killTypeNumber } from '../trace/kill-types.js';
import type { KnobDef } from './knobs.js';
import type { SimMachine, SimProcess } from './process.js';
import type { World } from './world.js';

/** Knobs of the simulated machines (FoundationDB's names where it has one). Included by every World. */
export const SIM_KNOBS: readonly KnobDef[] = [
  {
    name: 'MIN_REBOOT_TIME',
    default: 4,
    unit: 's',
    doc: 'Shortest wait of a rebooting process before it starts again (BUGGIFY: 10, "long reboots")',
    randomize: () => 10,
  },
  {
    name: 'MAX_REBOOT_TIME',
    default: 5,
    unit: 's',
    doc: 'Longest wait of a rebooting process before it starts again (BUGGIFY: 20, "long reboots")',
    randomize: () => 20,
  },
  {
    name: 'MACHINE_REBOOT_TIME',
    default: 10,
    unit: 's',
    doc: 'A rebooted machine stays down uniform [0, this) before its processes start their reboot wait',
  },
];

/** The cluster's answer to "could it survive if these processes were dead?". */
export interface SurvivalVerdict {
  readonly ok: boolean;
  /** Why not (traced as the downgrade's `Reason`); may be empty when ok. */
  readonly reason: string;
}

/**
 * Installed by the cluster: judges whether the cluster survives the loss of `deadProcesses` (already
 * dead, data-less or faulty processes plus the victims of the kill being considered), using its
 * replication and quorum policies.
 */
export type CanSurvive = (deadProcesses: SimProcess[]) => SurvivalVerdict;

/** Told when a process goes down (shut down by a kill or reboot), with the kill type applied. */
export type ProcessDownListener = (proc: SimProcess, killType: KillType) => void;

/** Told when a process has booted (initially or after a reboot). */
export type ProcessUpListener = (proc: SimProcess) => void;

/** Options of a kill request. */
export interface KillOptions {
  /** A forced kill skips the speed-up refusal and the `canSurvive` check (never the others). Default false. */
  readonly forced?: boolean;
}

/** Options of a single-process reboot. */
export interface RebootOptions {
  /** Come back with a new, empty data folder (RebootProcessAndDelete). Default false. */
  readonly deleteData?: boolean;
  /** Skip the speed-up refusal and the `canSurvive` check. Default false. */
  readonly forced?: boolean;
}

/** Kill types that apply to whole machines (and datacenters). */
const MACHINE_KILL_TYPES: ReadonlySet<KillType> = new Set<KillType>([
  'KillInstantly',
  'InjectFaults',
  'FailDisk',
  'RebootAndDelete',
  'Reboot',
]);

/** Kill types `killProcess` accepts: the ones that do not reboot. */
const PROCESS_KILL_TYPES: ReadonlySet<KillType> = new Set<KillType>([
  'KillInstantly',
  'InjectFaults',
  'FailDisk',
]);

/** Probability that a datacenter kill hits each of its machines when not forced (FoundationDB's 99%). */
const DC_MACHINE_HIT_PROBABILITY = 0.99;

/** BUGGIFY site of the disk swap on reboot (fires with 75% once active). */
const FOLDER_SWAP_SITE = 'machine.folderSwap';

/**
 * The lifecycle of a world's machines and processes. Owned by the World (`world.lifecycle`); the
 * cluster fills `protectedAddresses` and installs `canSurvive`; chaos goes through the kill methods,
 * which return the kill type actually applied ('None' when refused).
 */
export class Lifecycle {
  /** Addresses whose machines are only ever rebooted, never destroyed (a majority of coordinators). */
  readonly protectedAddresses = new Set<string>();
  /**
   * Addresses whose data is never deleted (every coordinator): a reboot that would wipe one keeps its data
   * instead. A coordinator that forgot what it accepted, and answers again, breaks the quorum intersection
   * its register relies on: a later read can miss the newest coordinated state and recover an older epoch.
   * Killing one for good is safe (it only stops answering); wiping it is not.
   */
  readonly keepDataAddresses = new Set<string>();
  /** Kill-safety hook installed by the cluster. Default: the cluster survives anything. */
  canSurvive: CanSurvive = () => ({ ok: true, reason: '' });
  /**
   * Corruption-safety hook installed by the cluster: could it lose the data files of `proc` (a bit flip
   * makes its owner discard them) on top of what the dead processes lost? Default: yes.
   */
  canCorrupt: (proc: SimProcess, deadProcesses: SimProcess[]) => SurvivalVerdict = () => ({
    ok: true,
    reason: '',
  });
  private readonly random: Random;
  private readonly crashRandom: Random;
  private readonly rebooting = new Set<SimProcess>();
  private readonly cleared = new Set<SimProcess>();
  private readonly bootCounts = new Map<SimMachine, number>();
  private readonly cycles = new Map<SimProcess, number>();
  /** Machines down after a Reboot, per datacenter: a swapping machine may take their folders. */
  private readonly swapPool = new Map<string, SimMachine[]>();
  private downListeners: ProcessDownListener[] = [];
  private upListeners: ProcessUpListener[] = [];

  constructor(private readonly world: World) {
    this.random = world.random.fork('lifecycle');
    this.crashRandom = world.random.fork('lifecycle:crash');
  }

  // ---- queries and subscriptions ----

  /** Machines with at least one process down for a reboot, in world order. */
  machinesRebooting(): SimMachine[] {
    return this.world.machines.filter((m) => m.processes.some((p) => this.rebooting.has(p)));
  }

  /** True while `proc` is down for a reboot (it will come back). */
  isRebooting(proc: SimProcess): boolean {
    return this.rebooting.has(proc);
  }

  /**
   * Server processes the safety policy counts as dead, in world order: permanently failed, fault
   * injected, failed disk, or cleared (data deleted and not yet marked rebuilt), as FoundationDB does.
   */
  deadProcesses(): SimProcess[] {
    return this.world
      .processes()
      .filter(
        (p) =>
          p.processClass !== 'test' && (p.failed || p.faultInjection || p.diskFailed || this.cleared.has(p)),
      );
  }

  /** Whether the data files of `proc` may be damaged now (the `canCorrupt` policy, dead processes included). */
  mayCorrupt(proc: SimProcess): SurvivalVerdict {
    return this.canCorrupt(proc, this.deadProcesses());
  }

  /** Tells the policy that a cleared process's data has been rebuilt, so it no longer counts as dead. */
  markRebuilt(proc: SimProcess): void {
    this.cleared.delete(proc);
  }

  /** Subscribes to processes going down. Returns the unsubscribe function. */
  onProcessDown(cb: ProcessDownListener): () => void {
    this.downListeners.push(cb);
    return () => {
      this.downListeners = this.downListeners.filter((l) => l !== cb);
    };
  }

  /** Subscribes to processes booting. Returns the unsubscribe function. */
  onProcessUp(cb: ProcessUpListener): () => void {
    this.upListeners.push(cb);
    return () => {
      this.upListeners = this.upListeners.filter((l) => l !== cb);
    };
  }

  /** Called by `World.boot` after a process has booted: tells the up listeners. */
  processBooted(proc: SimProcess): void {
    for (const l of [...this.upListeners]) l(proc);
  }

  // ---- starting ----

  /** Boots every process of a machine that is not running (the initial start); traces SimulatedMachineStart. */
  bootMachine(machine: SimMachine): void {
    this.traceMachineStart(machine);
    for (const p of machine.processes) {
      if (!p.alive && !p.failed && !this.rebooting.has(p)) this.world.boot(p);
    }
  }

  // ---- kills ----

  /**
   * Kills or reboots a whole machine with FoundationDB's semantics, after the safety policy. Returns the
   * kill type applied: `type`, a downgrade (Reboot), or 'None' when refused.
   */
  killMachine(machine: SimMachine, type: KillType, opts: KillOptions = {}): KillType {
    const forced = opts.forced ?? false;
    const machineId = machine.locality.machineId;
    const abort = (reason: string, extra: Details = {}): KillType => {
      this.trace(
        'AbortedKill',
        { MachineId: machineId, KillType: killTypeNumber(type), Reason: reason, Forced: forced, ...extra },
        { severity: SevWarn },
      );
      return 'None';
    };
    if (type === 'None') return 'None';
    if (!MACHINE_KILL_TYPES.has(type)) return abort(`${type} is not a machine kill type`);
    if (machine.processes.some((p) => p.processClass === 'test')) {
      return abort('Tester processes are never killed');
    }
    if (this.world.speedUp && !forced) return abort('Unforced kill within speedy simulation');

    let kt: KillType = type;
    const protectedProc = machine.processes.find((p) => this.protectedAddresses.has(p.address));
    if (protectedProc && killTypeNumber(kt) < killTypeNumber('Reboot')) {
      kt = this.changed(machineId, kt, 'Reboot', 'Machine has a protected process', protectedProc.address);
    }
    const coordinator = machine.processes.find((p) => this.keepDataAddresses.has(p.address));
    if (coordinator && kt === 'RebootAndDelete') {
      kt = this.changed(machineId, kt, 'Reboot', 'Machine has a coordinator', coordinator.address);
    }
    const running = machine.processes.filter((p) => p.alive);
    if (running.length === 0) {
      return abort('The target had no processes running', { Processes: machine.processes.length });
    }
    const rebootingNow = machine.processes.filter((p) => this.rebooting.has(p)).length;
    if (rebootingNow > 0) {
      return abort('Machine has processes already rebooting', { Rebooting: rebootingNow });
    }
    if (!forced && isDestructive(kt)) {
      const verdict = this.canSurvive(this.withDead(machine.processes));
      if (!verdict.ok)
        kt = this.changed(machineId, kt, 'Reboot', verdict.reason || 'The cluster would not survive');
    }

    this.trace('KillMachine', {
      MachineId: machineId,
      Kt: killTypeNumber(kt),
      KtOrig: killTypeNumber(type),
      KillableMachines: running.length,
      ProcessPerMachine: machine.processes.length,
      KillChanged: kt !== type,
    });
    for (const p of machine.processes) {
      this.trace(
        'KillMachineProcess',
        {
          KillType: killTypeNumber(kt),
          Process: this.describe(p),
          StartingClass: p.processClass,
          Failed: p.failed,
          Excluded: false,
          Cleared: this.cleared.has(p),
          Rebooting: this.rebooting.has(p),
        },
        { machine: p.address },
      );
    }
    if (kt === 'Reboot' || kt === 'RebootAndDelete') {
      this.rebootMachine(machine, running, kt);
    } else {
      for (const p of running) this.killProcessInternal(p, kt);
    }
    return kt;
  }

  /**
   * Kills one process with a kind that does not reboot (KillInstantly, InjectFaults, FailDisk).
   * Reboot kinds and protected processes are refused (use `rebootProcess` to reboot one process).
   * Unforced kills the cluster could not survive become a RebootProcess. Returns the kill type applied.
   */
  killProcess(proc: SimProcess, type: KillType, opts: KillOptions = {}): KillType {
    const forced = opts.forced ?? false;
    this.trace(
      'AttemptingKillProcess',
      { ProcessInfo: this.describe(proc), KillType: killTypeNumber(type) },
      { machine: proc.address },
    );
    const abort = (reason: string): KillType => {
      this.trace(
        'AbortedKill',
        { Address: proc.address, KillType: killTypeNumber(type), Reason: reason, Forced: forced },
        { severity: SevWarn, machine: proc.address },
      );
      return 'None';
    };
    if (type === 'None') return 'None';
    if (proc.processClass === 'test') return abort('Tester processes are never killed');
    if (!PROCESS_KILL_TYPES.has(type)) return abort(`${type} reboots; killProcess refuses reboot kill types`);
    if (this.world.speedUp && !forced) return abort('Unforced kill within speedy simulation');
    if (this.protectedAddresses.has(proc.address)) return abort('Protected process');
    if (!proc.alive) return abort('The target process is not running');
    if (!forced) {
      const verdict = this.canSurvive(this.withDead([proc]));
      if (!verdict.ok) {
        this.trace(
          'KillChanged',
          {
            Address: proc.address,
            KillType: killTypeNumber(type),
            NewKillType: killTypeNumber('RebootProcess'),
            Reason: verdict.reason || 'The cluster would not survive',
          },
          { severity: SevWarn, machine: proc.address },
        );
        this.rebootProcessInternal(proc, 'RebootProcess');
        return 'RebootProcess';
      }
    }
    this.killProcessInternal(proc, type);
    return type;
  }

  /**
   * Reboots one process in place after 4–5 s (MIN/MAX_REBOOT_TIME), keeping its data, or with
   * `deleteData` on a new empty folder (downgraded to a plain reboot on protected processes or when the
   * cluster could not survive the data loss). Returns the kill type applied.
   */
  rebootProcess(proc: SimProcess, opts: RebootOptions = {}): KillType {
    const forced = opts.forced ?? false;
    const requested: KillType = opts.deleteData ? 'RebootProcessAndDelete' : 'RebootProcess';
    this.trace(
      'RebootingProcessAttempt',
      { Address: proc.address, KillType: killTypeNumber(requested) },
      { machine: proc.address },
    );
    const abort = (reason: string): KillType => {
      this.trace(
        'AbortedKill',
        { Address: proc.address, KillType: killTypeNumber(requested), Reason: reason, Forced: forced },
        { severity: SevWarn, machine: proc.address },
      );
      return 'None';
    };
    if (proc.processClass === 'test') return abort('Tester processes are never killed');
    if (this.world.speedUp && !forced) return abort('Unforced kill within speedy simulation');
    if (!proc.alive || this.rebooting.has(proc)) return abort('The target process is not running');
    let kt = requested;
    const downgrade = (reason: string) => {
      this.trace(
        'RebootChanged',
        {
          Address: proc.address,
          ZoneId: proc.machine.locality.zoneId,
          KillType: killTypeNumber('RebootProcess'),
          OrigKillType: killTypeNumber(kt),
          Reason: reason,
        },
        { machine: proc.address },
      );
      kt = 'RebootProcess';
    };
    if (kt === 'RebootProcessAndDelete' && this.protectedAddresses.has(proc.address))
      downgrade('Protected process');
    if (kt === 'RebootProcessAndDelete' && this.keepDataAddresses.has(proc.address))
      downgrade('Coordinator process');
    if (kt === 'RebootProcessAndDelete' && !forced) {
      const verdict = this.canSurvive(this.withDead([proc]));
      if (!verdict.ok) downgrade(verdict.reason || 'The cluster would not survive');
    }
    this.rebootProcessInternal(proc, kt);
    return kt;
  }

  /**
   * Kills a whole datacenter: protected processes in it make the kill a Reboot, and unforced
   * destructive kinds are checked with `canSurvive` at datacenter granularity (downgraded to Reboot,
   * traced `DcKillChanged`). Then each machine is hit (forced) with 99% probability, or all when forced.
   * Returns the kill type applied to the machines hit, 'None' when none was.
   */
  killDatacenter(dcId: string, type: KillType, opts: KillOptions = {}): KillType {
    const forced = opts.forced ?? false;
    const machines = this.world.machines.filter(
      (m) => m.locality.dcId === dcId && !m.processes.some((p) => p.processClass === 'test'),
    );
    const abort = (reason: string): KillType => {
      this.trace(
        'AbortedKill',
        { DataCenter: dcId, KillType: killTypeNumber(type), Reason: reason, Forced: forced },
        { severity: SevWarn },
      );
      return 'None';
    };
    if (type === 'None') return 'None';
    if (!MACHINE_KILL_TYPES.has(type)) return abort(`${type} is not a machine kill type`);
    if (machines.length === 0) return abort('No killable machines in the datacenter');
    if (this.world.speedUp && !forced) return abort('Unforced kill within speedy simulation');

    let kt: KillType = type;
    const dcChanged = (to: KillType, reason: string, extra: Details = {}) => {
      this.trace(
        'DcKillChanged',
        {
          DataCenter: dcId,
          KillType: killTypeNumber(to),
          OrigKillType: killTypeNumber(kt),
          Reason: reason,
          ...extra,
        },
        { severity: SevWarn },
      );
      kt = to;
    };
    const procs = machines.flatMap((m) => m.processes);
    const protectedProc = procs.find((p) => this.protectedAddresses.has(p.address));
    if (protectedProc && killTypeNumber(kt) < killTypeNumber('Reboot')) {
      dcChanged('Reboot', 'Datacenter has protected process', { ProcessAddress: protectedProc.address });
    }
    if (!forced && isDestructive(kt)) {
      const verdict = this.canSurvive(this.withDead(procs));
      if (!verdict.ok) dcChanged('Reboot', verdict.reason || 'The cluster would not survive');
    }

    let applied: KillType = 'None';
    for (const m of machines) {
      if (!forced && !this.random.chance(DC_MACHINE_HIT_PROBABILITY)) continue;
      const r = this.killMachine(m, kt, { forced: true });
      if (killTypeNumber(r) < killTypeNumber(applied)) applied = r;
    }
    this.trace('KillDataCenter', {
      DcZones: machines.length,
      DcProcesses: procs.length,
      DCID: dcId,
      KillType: killTypeNumber(kt),
      KillTypeOrig: killTypeNumber(type),
      KillTypeMin: killTypeNumber(applied),
      KilledDC: applied === kt,
    });
    return applied;
  }

  // ---- effects ----

  /** KillInstantly, InjectFaults or FailDisk on one running process. */
  private killProcessInternal(p: SimProcess, kt: KillType): void {
    const details: Details = {
      Name: p.processClass === 'test' ? 'tester' : 'fdbd',
      Address: p.address,
      ZoneId: p.machine.locality.zoneId,
      Process: this.describe(p),
      Rebooting: this.rebooting.has(p),
      Protected: this.protectedAddresses.has(p.address),
    };
    if (kt === 'KillInstantly') {
      this.trace('FailMachine', details, { severity: SevWarn, machine: p.address });
      p.failed = true;
      this.shutdown(p, kt);
      // The process never comes back: its data is gone with it.
      p.folder.wipe();
      this.world.disks.clearDiskFailure(p.folder);
    } else if (kt === 'InjectFaults') {
      this.trace('FaultMachine', details, { severity: SevWarn, machine: p.address });
      p.faultInjection = true;
    } else if (kt === 'FailDisk') {
      this.trace('KillType::FailDiskMachine', details, { severity: SevWarn, machine: p.address });
      p.diskFailed = true;
    }
  }

  /**
   * Reboot or RebootAndDelete of a machine: its running processes shut down now (unsynced writes
   * resolved by a crash, or the data deleted), the machine stays down uniform [0, MACHINE_REBOOT_TIME),
   * may swap folders with another rebooted machine of its datacenter, then each process waits
   * MIN..MAX_REBOOT_TIME and boots.
   */
  private rebootMachine(machine: SimMachine, procs: SimProcess[], kt: 'Reboot' | 'RebootAndDelete'): void {
    machine.rebooting = true;
    for (const p of procs) this.takeDown(p, kt);
    const rebootTime = this.random.uniform(0, this.world.knobs.num('MACHINE_REBOOT_TIME'));
    const swap = kt === 'Reboot' && this.world.buggify.fires(FOLDER_SWAP_SITE, 0.75);
    const dc = machine.locality.dcId;
    if (kt === 'Reboot') {
      const pool = this.swapPool.get(dc) ?? [];
      pool.push(machine);
      this.swapPool.set(dc, pool);
    }
    this.trace(
      'SimulatedMachineShutdown',
      {
        Swap: swap,
        KillType: killTypeNumber(kt),
        RebootTime: rebootTime,
        ZoneId: machine.locality.zoneId,
        DataHall: machine.locality.dataHall,
        MachineIPs: machine.ip,
      },
      { machine: this.machineAddress(machine) },
    );
    this.world.kernel.after(seconds(rebootTime), () => this.restartMachine(machine, procs, swap));
  }

  private restartMachine(machine: SimMachine, procs: SimProcess[], swap: boolean): void {
    const dc = machine.locality.dcId;
    const pool = (this.swapPool.get(dc) ?? []).filter((m) => m !== machine);
    this.swapPool.set(dc, pool);
    // A swap moves a machine's data to another address: for a coordinator (its state is bound to its
    // address) that is data loss, which neither protection nor keepDataAddresses allows, so neither side
    // may hold one.
    const isProtected = (m: SimMachine) =>
      m.processes.some(
        (p) => this.protectedAddresses.has(p.address) || this.keepDataAddresses.has(p.address),
      );
    if (swap && this.allRebooting(machine) && !isProtected(machine)) {
      // Both machines are down, so exchanging their folders is like moving the disks between them.
      const candidates = pool.filter(
        (m) => m.processes.length === machine.processes.length && this.allRebooting(m) && !isProtected(m),
      );
      if (candidates.length > 0) {
        const other = this.random.pick(candidates);
        const oldFolder0 = machine.processes[0]?.folder.id ?? '';
        machine.processes.forEach((p, i) => {
          const q = other.processes[i]!;
          const mine = p.folder;
          p.folder = q.folder;
          q.folder = mine;
        });
        this.trace(
          'SimulatedMachineFolderSwap',
          {
            OldFolder0: oldFolder0,
            NewFolder0: machine.processes[0]?.folder.id ?? '',
            MachineIPs: machine.ip,
            OtherMachineIPs: other.ip,
          },
          { machine: this.machineAddress(machine) },
        );
      }
    }
    this.traceMachineStart(machine);
    for (const p of procs) this.scheduleBoot(p);
  }

  /** Single-process reboot (RebootProcess / RebootProcessAndDelete). */
  private rebootProcessInternal(p: SimProcess, kt: KillType): void {
    this.takeDown(p, kt);
    this.scheduleBoot(p);
  }

  /** Shuts a process down for a reboot: traced, crash-resolved (or deleted), marked rebooting. */
  private takeDown(p: SimProcess, kt: KillType): void {
    this.trace(
      'RebootingProcess',
      {
        KillType: killTypeNumber(kt),
        Address: p.address,
        ZoneId: p.machine.locality.zoneId,
        DataHall: p.machine.locality.dataHall,
        Locality: this.locality(p.machine),
        Failed: p.failed,
        Excluded: false,
        Cleared: this.cleared.has(p),
      },
      { machine: p.address },
    );
    this.rebooting.add(p);
    this.shutdown(p, kt);
    const old = p.folder;
    this.world.disks.clearDiskFailure(old); // a reboot forgets disk-failure commands
    if (kt === 'RebootAndDelete' || kt === 'RebootProcessAndDelete') {
      old.wipe();
      p.folder = this.world.newFolder();
      this.cleared.add(p);
    } else {
      this.world.disks.crash(old, this.crashRandom, p.address);
    }
  }

  /** Waits MIN..MAX_REBOOT_TIME, then boots the process (unless it was failed meanwhile). */
  private scheduleBoot(p: SimProcess): void {
    const lo = this.world.knobs.num('MIN_REBOOT_TIME');
    const hi = Math.max(lo, this.world.knobs.num('MAX_REBOOT_TIME'));
    const wait = this.random.uniform(lo, hi);
    const cycles = (this.cycles.get(p) ?? 0) + 1;
    this.cycles.set(p, cycles);
    this.trace(
      'SimulatedFDBDPreWait',
      { Cycles: cycles, Address: p.address, ZoneId: p.machine.locality.zoneId, WaitTime: wait },
      { machine: p.address },
    );
    this.world.kernel.after(seconds(wait), () => {
      this.rebooting.delete(p);
      if (!p.failed && !p.alive) this.world.boot(p);
      if (!p.machine.processes.some((q) => this.rebooting.has(q))) p.machine.rebooting = false;
    });
  }

  /** Ends a process's incarnation and tells the down listeners. */
  private shutdown(p: SimProcess, kt: KillType): void {
    p.shutdown();
    for (const l of [...this.downListeners]) l(p, kt);
  }

  // ---- helpers ----

  /** The dead processes plus `victims`, without duplicates, in world order (the `canSurvive` input). */
  private withDead(victims: readonly SimProcess[]): SimProcess[] {
    const dead = new Set<SimProcess>(this.deadProcesses());
    for (const v of victims) if (v.processClass !== 'test') dead.add(v);
    return this.world.processes().filter((p) => dead.has(p));
  }

  private allRebooting(m: SimMachine): boolean {
    return m.processes.every((p) => this.rebooting.has(p));
  }

  /** Traces a machine kill downgrade and returns the new kill type. */
  private changed(
    machineId: string,
    from: KillType,
    to: KillType,
    reason: string,
    address?: string,
  ): KillType {
    this.trace(
      'KillChanged',
      {
        MachineId: machineId,
        KillType: killTypeNumber(from),
        NewKillType: killTypeNumber(to),
        Reason: reason,
        ...(address !== undefined ? { ProcessAddress: address } : {}),
      },
      { severity: SevWarn },
    );
    return to;
  }

  private traceMachineStart(machine: SimMachine): void {
    const bootCount = this.bootCounts.get(machine) ?? 0;
    this.bootCounts.set(machine, bootCount + 1);
    this.trace(
      'SimulatedMachineStart',
      {
        MachineIPs: machine.ip,
        ProcessClass: machine.processes[0]?.processClass ?? 'unset',
        Processes: machine.processes.length,
        BootCount: bootCount,
        Locality: this.locality(machine),
        Restarting: false,
      },
      { machine: this.machineAddress(machine) },
    );
  }

  /** FoundationDB's `ProcessInfo::toString()`. */
  private describe(p: SimProcess): string {
    const l = p.machine.locality;
    const name = p.processClass === 'test' ? 'tester' : 'fdbd';
    const cleared = this.cleared.has(p) ? 1 : 0;
    return `name: ${name} address: ${p.address} zone: ${l.zoneId} datahall: ${l.dataHall} class: ${p.processClass} excluded: 0 cleared: ${cleared}`;
  }

  private locality(m: SimMachine): string {
    const l = m.locality;
    return `zoneid=${l.zoneId} machineid=${l.machineId} dcid=${l.dcId} data_hall=${l.dataHall}`;
  }

  /** The address machine-level events are logged under: the machine's first process. */
  private machineAddress(m: SimMachine): string {
    return m.processes[0]?.address ?? `${m.ip}:1`;
  }

  private trace(type: string, details: Details, opts: { severity?: Severity; machine?: string } = {}): void {
    this.world.trace(type, details, opts);
  }
}
