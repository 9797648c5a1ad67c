// The chaos part of the report, from trace events alone (ours or FoundationDB's): the Timeline of Chaos
// Events, summarized when long, and the Chaos Summary (counts and extremes).

import { assertNever, isChaosEvent } from '../trace/catalog.js';
import type { TraceEvent } from '../trace/event.js';
import { KILL_TYPES } from '../trace/kill-types.js';
import { formatTime, plural, round } from './format.js';

/** FoundationDB's kill types by their traced number (KillType fields). */
const KILL_TYPE_NAMES = KILL_TYPES;

/** Kill types that bring the process back. */
const REBOOTS = new Set([
  'RebootAndDelete',
  'RebootProcessAndDelete',
  'RebootProcessAndSwitch',
  'Reboot',
  'RebootProcess',
]);

/** Kinds of timeline row; `frequent` kinds are folded together when a timeline is summarized. */
export type TimelineCategory = 'network' | 'kill' | 'recovery' | 'coordinators' | 'disk' | 'other';

/** One row of the Timeline of Chaos Events. */
export interface TimelineRow {
  /** Simulated seconds (the first event's, for a folded row). */
  readonly time: number;
  /** Last event's time, for a folded row. */
  readonly endTime?: number;
  readonly type: string;
  readonly details: string;
  readonly category: TimelineCategory;
  /** Events folded into this row (1 for a single event). */
  readonly count: number;
  /** Longest fault window among the row's events (clogs, disconnects), simulated seconds. */
  readonly duration?: number;
}

/** Row types that happen often and are folded into one row per run of consecutive events. */
const FREQUENT = new Set([
  'Clog Interface',
  'Clog Pair',
  'Unclog',
  'Disconnect',
  'Reconnect',
  'Connection Failure',
  'Bit Flip',
  'Storage Rollback',
  'Kill Refused',
  'Recovery',
]);

/** Names of folded rows that mix several frequent types. */
const CATEGORY_NAMES: Readonly<Record<TimelineCategory, string>> = {
  network: 'Network Faults',
  kill: 'Kills',
  recovery: 'Recoveries',
  coordinators: 'Coordinators',
  disk: 'Disk Faults',
  other: 'Other',
};

/** A detail as a string: booleans as FoundationDB writes them (1/0). */
function d(e: TraceEvent, key: string): string {
  const v = e.details[key];
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

function num(e: TraceEvent, key: string): number {
  const n = Number(d(e, key));
  return Number.isFinite(n) ? n : 0;
}

/** The name of a traced kill type number (or the text when it is not a number). */
export function killTypeName(v: string): string {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n < KILL_TYPE_NAMES.length ? KILL_TYPE_NAMES[n]! : v;
}

function seconds(v: string): string {
  const n = Number(v);
  return Number.isFinite(n) ? `${round(n, 3)}s` : v;
}

function secondsOf(e: TraceEvent): number {
  return e.time / 1_000_000;
}

/** The address part of FoundationDB's `Process` detail (`name: fdbd address: 1.2.3.4:1 zone: ...`). */
function processAddress(e: TraceEvent): string {
  const m = /address: (\S+)/.exec(d(e, 'Process'));
  return m?.[1] ?? e.machine;
}

/** Turns chaos trace events into timeline rows, one per event worth showing, in trace order. */
export function timelineRows(events: readonly TraceEvent[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  // A machine kill traces KillMachineProcess and then FailMachine (or a reboot) per process: one row each.
  const killed = new Set<string>();
  // The first leader election and the recovery that creates the database are the cluster booting.
  let booted = false;
  let firstLeader = true;
  const add = (e: TraceEvent, type: string, details: string, category: TimelineCategory, duration?: number) =>
    rows.push({
      time: secondsOf(e),
      type,
      details,
      category,
      count: 1,
      ...(duration !== undefined ? { duration } : {}),
    });
  for (const e of events) {
    const type = e.type;
    if (!isChaosEvent(type)) continue;
    switch (type) {
      case 'ClogInterface':
        add(
          e,
          'Clog Interface',
          `${d(e, 'IP')} (${d(e, 'Queue')}) for ${seconds(d(e, 'Delay'))}`,
          'network',
          num(e, 'Delay'),
        );
        break;
      case 'PartitionNetwork':
        add(
          e,
          'Partition',
          `${d(e, 'SideA')} | ${d(e, 'SideB')} for ${seconds(d(e, 'Seconds'))}`,
          'network',
          num(e, 'Seconds'),
        );
        break;
      case 'CloggingPair':
        add(
          e,
          'Clog Pair',
          `${d(e, 'From')} -> ${d(e, 'To')} for ${seconds(d(e, 'Seconds'))}`,
          'network',
          num(e, 'Seconds'),
        );
        break;
      case 'ClogEnded': {
        const what =
          d(e, 'Kind') === 'Pair' ? `${d(e, 'From')} -> ${d(e, 'To')}` : `${d(e, 'IP')} (${d(e, 'Queue')})`;
        add(e, 'Unclog', `${what} ended ${seconds(d(e, 'Remaining'))} early`, 'network');
        break;
      }
      case 'DisconnectPair':
        add(
          e,
          'Disconnect',
          `${d(e, 'From')} <-> ${d(e, 'To')} for ${seconds(d(e, 'Seconds'))}`,
          'network',
          num(e, 'Seconds'),
        );
        break;
      case 'ReconnectPair':
        add(e, 'Reconnect', `${d(e, 'From')} <-> ${d(e, 'To')}`, 'network');
        break;
      case 'ConnectionFailure':
        add(e, 'Connection Failure', `${d(e, 'MyAddr')} -> ${d(e, 'PeerAddr')}`, 'network');
        break;
      case 'EnableConnectionFailures_Tester':
        add(e, 'Connection Failures', 'random connection failures on', 'network');
        break;
      case 'DisableConnectionFailures_Tester':
        add(e, 'Connection Failures', 'random connection failures off', 'network');
        break;
      case 'Assassination': {
        const target =
          d(e, 'ZoneId') || d(e, 'TargetDatacenter') || d(e, 'TargetDataHall') || d(e, 'TargetMachine');
        const how = d(e, 'KillType')
          ? killTypeName(d(e, 'KillType'))
          : d(e, 'Reboot') === '1'
            ? 'reboot'
            : 'kill';
        const progress = d(e, 'MachinesToKill')
          ? ` (${d(e, 'KilledMachines') || 0} of ${d(e, 'MachinesToKill')} done)`
          : '';
        add(e, 'Assassination', `${how} zone ${target}${progress}`, 'kill');
        break;
      }
      case 'KillMachineProcess': {
        const kt = killTypeName(d(e, 'KillType'));
        const address = processAddress(e);
        killed.add(`${e.time}|${address}`);
        add(e, REBOOTS.has(kt) ? 'Process Reboot' : 'Process Kill', `${kt} process at ${address}`, 'kill');
        break;
      }
      case 'FailMachine':
      case 'FaultMachine':
      case 'KillType::FailDiskMachine': {
        const address = d(e, 'Address') || e.machine;
        if (killed.has(`${e.time}|${address}`)) break;
        const kt =
          e.type === 'FailMachine'
            ? 'KillInstantly'
            : e.type === 'FaultMachine'
              ? 'InjectFaults'
              : 'FailDisk';
        add(e, 'Process Kill', `${kt} process at ${address}`, 'kill');
        break;
      }
      case 'RebootingProcess': {
        const kt = killTypeName(d(e, 'KillType'));
        const address = d(e, 'Address') || e.machine;
        if (killed.has(`${e.time}|${address}`)) break;
        add(e, 'Process Reboot', `${kt} process at ${address}`, 'kill');
        break;
      }
      case 'KillDataCenter':
        add(e, 'Datacenter Kill', `datacenter ${d(e, 'DCID')} ${killTypeName(d(e, 'KillType'))}`, 'kill');
        break;
      case 'AbortedKill': {
        const target = d(e, 'MachineId') || d(e, 'Address') || d(e, 'DataCenter');
        add(e, 'Kill Refused', `${killTypeName(d(e, 'KillType'))} of ${target}: ${d(e, 'Reason')}`, 'kill');
        break;
      }
      case 'KillChanged':
      case 'RebootChanged':
      case 'DcKillChanged': {
        const from = e.type === 'KillChanged' ? d(e, 'KillType') : d(e, 'OrigKillType');
        const to = e.type === 'KillChanged' ? d(e, 'NewKillType') : d(e, 'KillType');
        const target = d(e, 'MachineId') || d(e, 'Address') || d(e, 'DataCenter');
        add(
          e,
          'Kill Downgraded',
          `${killTypeName(from)} -> ${killTypeName(to)} on ${target}: ${d(e, 'Reason')}`,
          'kill',
        );
        break;
      }
      case 'SimulatedMachineFolderSwap':
        add(
          e,
          'Disk Swap',
          `${d(e, 'MachineIPs')} came back with the disks of ${d(e, 'OtherMachineIPs')}`,
          'disk',
        );
        break;
      case 'MasterRecoveryState': {
        const status = d(e, 'Status');
        if (!booted) {
          if (status === 'fully_recovered') booted = true;
          break;
        }
        if (status === 'reading_coordinated_state')
          add(e, 'Recovery', `recovery started (master ${e.machine})`, 'recovery');
        else if (status === 'fully_recovered')
          add(
            e,
            'Recovered',
            d(e, 'Epoch') ? `epoch ${d(e, 'Epoch')} fully recovered` : 'fully recovered',
            'recovery',
          );
        break;
      }
      case 'TLogRollback':
        add(
          e,
          'Rollback',
          `epoch ${d(e, 'Epoch')} discards versions ${d(e, 'From')}..${d(e, 'To')} (${d(e, 'Versions')} versions never acknowledged)`,
          'recovery',
        );
        break;
      case 'StorageServerRollback':
        add(
          e,
          'Storage Rollback',
          `storage ${d(e, 'StorageID')} rolled back ${num(e, 'From') - num(e, 'To')} versions to ${d(e, 'To')}`,
          'recovery',
        );
        break;
      case 'AttemptingToTriggerRollback':
        add(
          e,
          'Rollback Attempt',
          `proxy ${d(e, 'CommitProxy')}, unclogged log ${d(e, 'UncloggedTLog')}`,
          'recovery',
        );
        break;
      case 'UnableToTriggerRollback':
        add(e, 'Rollback Attempt', `unable: ${d(e, 'Reason')}`, 'recovery');
        break;
      case 'TriggerRecovery':
        add(e, 'Recovery Triggered', d(e, 'Reason'), 'recovery');
        break;
      case 'CoordinatorsChangeBeforeCommit':
        add(e, 'Coordinator Change', `new coordinators ${d(e, 'NewCoordinatorsKey')}`, 'coordinators');
        break;
      case 'LeaderChanged':
        if (firstLeader) {
          firstLeader = false;
          break;
        }
        add(e, 'Leader Change', `cluster controller ${d(e, 'NewLeader') || e.machine}`, 'coordinators');
        break;
      case 'ChangeConfig':
        add(e, 'Configuration Change', `${d(e, 'From')} -> ${d(e, 'To')}`, 'coordinators');
        break;
      case 'SetDiskFailure':
        add(
          e,
          'Disk Failure',
          `${e.machine}: stall ${seconds(d(e, 'StallPeriod'))} (every ${seconds(d(e, 'StallInterval'))}), throttle ${seconds(d(e, 'ThrottlePeriod'))}`,
          'disk',
        );
        break;
      case 'CorruptedBlock':
        add(e, 'Bit Flip', `${e.machine} ${d(e, 'Filename')} block ${d(e, 'Block')}`, 'disk');
        break;
      case 'SetClockSkew':
        add(
          e,
          'Clock Skew',
          `${d(e, 'Address')} offset ${seconds(d(e, 'Offset'))}, drift ${d(e, 'DriftPpm')} ppm`,
          'other',
        );
        break;
      case 'SpeedUpSimulation':
        add(e, 'Speed-up', d(e, 'Reason') || 'network faults and unforced kills stop', 'other');
        break;
      case 'UncloggingPair':
      case 'KillMachine':
      case 'SimulatedMachineShutdown':
      case 'MasterRecoveryVersion':
      case 'ChangeQuorumCheckerSetCoordinatorsKey':
        // no row of their own: the events around them tell the story
        break;
      default:
        assertNever(type);
    }
  }
  return rows;
}

/**
 * Shortens a timeline to about `max` rows. Runs of frequent rows of one category (clogs, disconnects,
 * bit flips, recovery attempts, ...) between the significant ones (kills, reboots, completed recoveries,
 * coordinator changes, ...) are folded into one row with counts and the longest window; if still too
 * long, the middle is replaced by one row saying how many events were left out. `max` <= 0 keeps all.
 */
export function summarizeTimeline(rows: readonly TimelineRow[], max: number): TimelineRow[] {
  if (max <= 0 || rows.length <= max) return [...rows];
  const folded: { row: TimelineRow; kinds: Map<string, number> | undefined }[] = [];
  for (const r of rows) {
    const last = folded[folded.length - 1];
    if (last?.kinds !== undefined && FREQUENT.has(r.type) && last.row.category === r.category) {
      last.kinds.set(r.type, (last.kinds.get(r.type) ?? 0) + 1);
      const count = last.row.count + 1;
      const duration = Math.max(last.row.duration ?? 0, r.duration ?? 0);
      const types = [...last.kinds.keys()];
      const longest = duration > 0 ? ` (longest ${round(duration, 1)}s)` : '';
      last.row = {
        time: last.row.time,
        endTime: r.time,
        type: types.length === 1 ? types[0]! : CATEGORY_NAMES[r.category],
        details: `${count} events from ${formatTime(last.row.time)} to ${formatTime(r.time)} s: ${[
          ...last.kinds,
        ]
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}${longest}`,
        category: r.category,
        count,
        ...(duration > 0 ? { duration } : {}),
      };
    } else {
      folded.push({ row: r, kinds: FREQUENT.has(r.type) ? new Map([[r.type, 1]]) : undefined });
    }
  }
  const out = folded.map((f) => f.row);
  if (out.length <= max) return out;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  const hidden = out.slice(head, out.length - tail);
  const events = hidden.reduce((n, r) => n + r.count, 0);
  return [
    ...out.slice(0, head),
    {
      time: hidden[0]!.time,
      endTime: hidden[hidden.length - 1]!.endTime ?? hidden[hidden.length - 1]!.time,
      type: '...',
      details: `${plural(events, 'more event')} (run with --all-events to see them)`,
      category: 'other',
      count: events,
    },
    ...out.slice(out.length - tail),
  ];
}

/** The Chaos Summary: one line per kind of chaos that happened, with counts and extremes. */
export function chaosSummary(events: readonly TraceEvent[]): string[] {
  const lines: string[] = [];
  let partitions = 0;
  let maxClog = 0;
  let disconnects = 0;
  let connectionFailures = 0;
  const kills = new Map<string, number>();
  const reboots = new Map<string, number>();
  let refused = 0;
  let downgraded = 0;
  let recoveries = 0;
  let rollbacks = 0;
  let rolledBackVersions = 0;
  let rolledBackServers = 0;
  let maxRolledBack = 0;
  let rollbackAttempts = 0;
  let rollbacksUnable = 0;
  let coordinatorChanges = 0;
  let leaderChanges = 0;
  let diskFailures = 0;
  let bitFlips = 0;
  let swaps = 0;
  let skews = 0;
  let speedUp: number | undefined;
  const killed = new Set<string>();
  const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const e of events) {
    const type = e.type;
    if (!isChaosEvent(type)) continue;
    switch (type) {
      case 'ClogInterface':
        partitions++;
        maxClog = Math.max(maxClog, num(e, 'Delay'));
        break;
      case 'CloggingPair':
        partitions++;
        maxClog = Math.max(maxClog, num(e, 'Seconds'));
        break;
      case 'DisconnectPair':
        disconnects++;
        break;
      case 'ConnectionFailure':
        connectionFailures++;
        break;
      case 'KillMachineProcess': {
        const kt = killTypeName(d(e, 'KillType'));
        killed.add(`${e.time}|${processAddress(e)}`);
        count(REBOOTS.has(kt) ? reboots : kills, kt);
        break;
      }
      case 'FailMachine':
      case 'FaultMachine':
      case 'KillType::FailDiskMachine': {
        if (killed.has(`${e.time}|${d(e, 'Address') || e.machine}`)) break;
        count(
          kills,
          e.type === 'FailMachine'
            ? 'KillInstantly'
            : e.type === 'FaultMachine'
              ? 'InjectFaults'
              : 'FailDisk',
        );
        break;
      }
      case 'RebootingProcess': {
        if (killed.has(`${e.time}|${d(e, 'Address') || e.machine}`)) break;
        count(reboots, killTypeName(d(e, 'KillType')));
        break;
      }
      case 'AbortedKill':
        refused++;
        break;
      case 'KillChanged':
      case 'RebootChanged':
      case 'DcKillChanged':
        downgraded++;
        break;
      case 'MasterRecoveryState':
        if (d(e, 'Status') === 'fully_recovered' && num(e, 'Epoch') > 1) recoveries++;
        break;
      case 'TLogRollback':
        rollbacks++;
        rolledBackVersions += num(e, 'Versions');
        break;
      case 'StorageServerRollback':
        rolledBackServers++;
        maxRolledBack = Math.max(maxRolledBack, num(e, 'From') - num(e, 'To'));
        break;
      case 'AttemptingToTriggerRollback':
        rollbackAttempts++;
        break;
      case 'UnableToTriggerRollback':
        rollbacksUnable++;
        break;
      case 'CoordinatorsChangeBeforeCommit':
        coordinatorChanges++;
        break;
      case 'LeaderChanged':
        leaderChanges++;
        break;
      case 'SetDiskFailure':
        diskFailures++;
        break;
      case 'CorruptedBlock':
        bitFlips++;
        break;
      case 'SimulatedMachineFolderSwap':
        swaps++;
        break;
      case 'SetClockSkew':
        skews++;
        break;
      case 'SpeedUpSimulation':
        speedUp ??= secondsOf(e);
        break;
      case 'PartitionNetwork':
      case 'UncloggingPair':
      case 'ClogEnded':
      case 'ReconnectPair':
      case 'EnableConnectionFailures_Tester':
      case 'DisableConnectionFailures_Tester':
      case 'Assassination':
      case 'KillMachine':
      case 'KillDataCenter':
      case 'SimulatedMachineShutdown':
      case 'MasterRecoveryVersion':
      case 'TriggerRecovery':
      case 'ChangeQuorumCheckerSetCoordinatorsKey':
      case 'ChangeConfig':
        // not counted in the summary
        break;
      default:
        assertNever(type);
    }
  }
  const byType = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => KILL_TYPE_NAMES.indexOf(a[0] as never) - KILL_TYPE_NAMES.indexOf(b[0] as never))
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
  if (partitions > 0) {
    lines.push(`Network Partitions: ${plural(partitions, 'event')} (max duration: ${round(maxClog, 1)}s)`);
  }
  if (disconnects > 0) lines.push(`Disconnects: ${disconnects}`);
  if (connectionFailures > 0) lines.push(`Connection Failures: ${connectionFailures}`);
  if (kills.size > 0) lines.push(`Process Kills: ${byType(kills)}`);
  if (reboots.size > 0) lines.push(`Process Reboots: ${byType(reboots)}`);
  if (refused > 0 || downgraded > 0) {
    lines.push(`Kill Safety: ${refused} refused, ${downgraded} downgraded`);
  }
  if (recoveries > 0) lines.push(`Recoveries: ${recoveries}`);
  if (rollbacks > 0) lines.push(`Rollbacks: ${rollbacks} (${rolledBackVersions} versions rolled back)`);
  if (rolledBackServers > 0) {
    lines.push(
      `Storage Rollbacks: ${plural(rolledBackServers, 'storage server')} rolled back (up to ${maxRolledBack} versions)`,
    );
  }
  if (rollbackAttempts > 0 || rollbacksUnable > 0) {
    const unable = rollbacksUnable > 0 ? ` (${rollbacksUnable} more could not be set up)` : '';
    lines.push(`Rollback Attempts: ${rollbackAttempts}${unable}`);
  }
  if (coordinatorChanges > 0) lines.push(`Coordinator Changes: ${coordinatorChanges}`);
  if (leaderChanges > 1) lines.push(`Cluster Controller Elections: ${leaderChanges}`);
  if (diskFailures > 0) lines.push(`Disk Failures: ${diskFailures}`);
  if (bitFlips > 0) lines.push(`Bit Flips: ${bitFlips}`);
  if (swaps > 0) lines.push(`Disk Swaps: ${swaps}`);
  if (skews > 0) lines.push(`Clock Skews: ${skews}`);
  if (speedUp !== undefined) lines.push(`Speed-up Mode: from ${round(speedUp, 1)}s`);
  return lines;
}
