// The fault surface that chaos workloads use: clogs, kills, reboots, disk faults, recoveries and the
// cluster's current shape. Implemented by `run/` over `sim/` and `cluster/`.
import type { KillType } from '../trace/kill-types.js';

/** Direction of an interface clog. */
export type ClogMode = 'send' | 'receive' | 'all';

/** A process as chaos sees it. */
export interface ProcessInfo {
  readonly address: string;
  readonly ip: string;
  readonly machineId: string;
  readonly zoneId: string;
  readonly dcId: string;
  /** The machine's data hall (FoundationDB's `data_hall` locality; one per datacenter in faultline). */
  readonly dataHall: string;
  readonly processClass: string;
  readonly alive: boolean;
  /** Current role abbreviations (CC, MS, CP, GP, RV, TL, SS, CD). */
  readonly roles: readonly string[];
  readonly isTester: boolean;
}

/** The chaos API. Every method traces what it does with FoundationDB's event names. */
export interface ChaosSurface {
  /** All server and tester processes, in a stable order. */
  processes(): ProcessInfo[];
  /** Delays messages into/out of `ip` for `seconds` (clogs delay, never drop). */
  clogInterface(ip: string, seconds: number, mode: ClogMode): void;
  /** Delays messages from `fromIp` to `toIp` for `seconds`. */
  clogPair(fromIp: string, toIp: string, seconds: number): void;
  /** Ends clogs on a pair early. */
  unclogPair(fromIp: string, toIp: string): void;
  /** Makes connections between two IPs fail for `seconds`. */
  disconnectPair(fromIp: string, toIp: string, seconds: number): void;
  /** Kills or reboots a machine; returns the kill type actually applied after the safety policy. */
  killMachine(machineId: string, type: KillType, opts?: { forced?: boolean }): KillType;
  /** Kills or reboots one process; returns the kill type applied. */
  killProcess(address: string, type: KillType, opts?: { forced?: boolean }): KillType;
  /** Forces a recovery of the transaction subsystem (a new epoch). */
  triggerRecovery(reason: string): void;
  /** In speed-up mode no network faults or unforced kills happen. */
  speedUpMode(): boolean;
  /** Ends every clog of an interface early. */
  unclogInterface(ip: string): void;
  /** Ends every clog in the network. */
  unclogAll(): void;
  /** Restores a pair disconnected by disconnectPair. */
  reconnectPair(fromIp: string, toIp: string): void;
  /** Reboots one process (RebootProcess, or RebootProcessAndDelete with deleteData); returns the kill type applied. */
  rebootProcess(address: string, opts?: { deleteData?: boolean; forced?: boolean }): KillType;
  /** Kills every machine of a datacenter; returns the (least destructive) kill type applied. */
  killDatacenter(dcId: string, type: KillType, opts?: { forced?: boolean }): KillType;
  /** Turns random connection failures on or off (FoundationDB's connectionFailuresDisableDuration). */
  setConnectionFailures(enabled: boolean): void;
  /** Stalls and throttles the disk of a process (DiskFailureInjection); durations in seconds. */
  setDiskFailure(
    address: string,
    settings: { stallInterval: number; stallPeriod: number; throttlePeriod: number },
  ): void;
  /**
   * Flips one bit in each durable block of a process's storage-server files (names starting `storage-`)
   * with probability `percent`/100; returns how many blocks were hit. Only storage files, as FoundationDB:
   * transaction logs and coordinators are not built to survive flipped synced data.
   */
  flipBits(address: string, percent: number): number;
  /**
   * FoundationDB's `ChaosMetrics` of a process's disk: I/O operations delayed by a stall or throttle
   * (`diskDelays`) and bits flipped (`bitFlips`). They are counted on the process's data folder: they
   * survive reboots (also RebootAndDelete) and move with the folder when a reboot swaps folders.
   */
  chaosMetrics(address: string): ChaosMetrics;
  /**
   * Skews a process's clock. Its clock reads simulated time plus a skew; this call adds `offsetSeconds`
   * to the skew the clock has at this simulated instant (so the clock jumps by exactly `offsetSeconds`;
   * `setClockSkew(a, 0, d)` only changes the drift), and from now on the skew grows by `driftPpm` parts
   * per million of elapsed simulated time. Both are measured against simulated time, which no skew
   * affects: restoring a clock means adding minus its current skew with zero drift.
   */
  setClockSkew(address: string, offsetSeconds: number, driftPpm: number): void;
  /** The current coordinators' addresses. */
  coordinators(): string[];
  /** Moves the cluster to new coordinators (`'auto'` lets the cluster choose); resolves with the new set. */
  changeCoordinators(target: readonly string[] | 'auto'): Promise<string[]>;
  /**
   * Changes the database configuration (replication and role counts) through a recovery. Resolves true
   * once the new configuration is in force, false if it was not after 60 simulated seconds (traced
   * `ChangeConfigNotInForce`).
   */
  changeConfiguration(change: ConfigurationChange): Promise<boolean>;
  /**
   * Moves the keys [begin, end) to storage servers on the processes at `destination` (one per zone, as many
   * as `storageTeamSize()`), as FoundationDB's moveKeys: new replicas copy the data, then the old ones
   * leave. In faultline each move goes through a recovery. Resolves true once the move is complete, false
   * if it was not after 60 simulated seconds (a destination died, or the cluster was down).
   */
  moveKeys(begin: Uint8Array, end: Uint8Array, destination: readonly string[]): Promise<boolean>;
  /** The number of replicas of each shard in the configuration in force (FoundationDB's storageTeamSize). */
  storageTeamSize(): Promise<number>;
}

/** FoundationDB's `ChaosMetrics` counters of one process's disk. */
export interface ChaosMetrics {
  /** I/O operations delayed by a disk stall or throttle (`DiskDelays`). */
  readonly diskDelays: number;
  /** Bits flipped in durable blocks (`BitFlips`). */
  readonly bitFlips: number;
}

/** A database configuration change (ChangeConfig's configMode, parsed). */
export interface ConfigurationChange {
  readonly replication?: number;
  readonly logs?: number;
  readonly commitProxies?: number;
  readonly grvProxies?: number;
  readonly resolvers?: number;
}
