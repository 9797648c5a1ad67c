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
}
