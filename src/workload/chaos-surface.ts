// The fault surface that chaos workloads use: clogs, kills, reboots, disk faults, recoveries and the
// cluster's current shape. Implemented by `run/` over `sim/` and `cluster/`.
import type { KillType } from '../sim/kill-types.js';

/** Direction of an interface clog. */
export type ClogMode = 'send' | 'receive' | 'all';

/** A process as chaos sees it. */
export interface ProcessInfo {
  readonly address: string;
  readonly ip: string;
  readonly machineId: string;
  readonly zoneId: string;
  readonly dcId: string;
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
  setDiskFailure(address: string, settings: { stallInterval: number; stallPeriod: number; throttlePeriod: number }): void;
  /** Flips single bits in `percent` % of the durable blocks of a process's files; returns how many. */
  flipBits(address: string, percent: number): number;
  /** Skews a process's clock by `offsetSeconds` and makes it drift by `driftPpm` parts per million. */
  setClockSkew(address: string, offsetSeconds: number, driftPpm: number): void;
  /** The current coordinators' addresses. */
  coordinators(): string[];
  /** Moves the cluster to new coordinators (`'auto'` lets the cluster choose); resolves with the new set. */
  changeCoordinators(target: readonly string[] | 'auto'): Promise<string[]>;
  /** Changes the database configuration (replication and role counts), through a recovery. */
  changeConfiguration(change: ConfigurationChange): Promise<void>;
}

/** A database configuration change (ChangeConfig's configMode, parsed). */
export interface ConfigurationChange {
  readonly replication?: number;
  readonly logs?: number;
  readonly commitProxies?: number;
  readonly grvProxies?: number;
  readonly resolvers?: number;
}
