// The picture of a run along simulated time, folded from trace events for the HTML view: one lane per
// machine with its fault windows (clogs, partitions, down after a kill), kills and reboots by kill type,
// disk faults, role windows and failures; marks across lanes for recoveries, rollbacks and coordinator
// changes; transactions per second beneath. Bounded: each lane keeps at most LANE_ITEM_CAP items.
import { toSeconds } from '../core/time.js';
import { type DetailValue, NO_MACHINE, SevError, type TraceEvent, type TraceSink } from '../trace/event.js';
import { KILL_TYPES } from '../trace/kill-types.js';
import { detailString } from '../trace/writer.js';

/** Most items one lane keeps while folding (more are counted as dropped; the file says so). */
export const LANE_ITEM_CAP = 5000;
/** Most throughput samples kept. */
export const THROUGHPUT_CAP = 100_000;
/** Most cross-lane marks kept. */
export const MARK_CAP = 2000;

/** What an item on a lane is. */
export type ItemKind = 'clog' | 'partition' | 'down' | 'kill' | 'reboot' | 'disk' | 'failure' | 'role';

/** Something on one machine's lane: a window (`end` set) or a moment. */
export interface LaneItem {
  readonly kind: ItemKind;
  readonly start: number;
  end?: number;
  /** Short text: the kill type, the role, the clog's queue. */
  readonly label: string;
  /** The event's type, time and details, one per line (shown on hover and click). */
  readonly tip: string;
  /** Sub-row for roles (0 master and controller, 1 logs, 2 proxies and resolvers, 3 storage). */
  readonly row?: number;
  /** Items folded into this one by binning (1 for a single event). */
  count?: number;
}

/** One machine (an IP) and what happened to it. */
export interface Lane {
  readonly machine: string;
  readonly processes: Set<string>;
  readonly items: LaneItem[];
  dropped: number;
}

/** A moment that concerns the whole cluster, drawn across every lane. */
export interface Mark {
  readonly kind: 'recovery' | 'recovered' | 'rollback' | 'coordinators';
  readonly time: number;
  readonly label: string;
  readonly tip: string;
}

/** One throughput sample: what the clients did in the second before `time`. */
export interface ThroughputSample {
  readonly time: number;
  readonly commits: number;
  readonly retries: number;
}

/** Everything the HTML view draws. */
export interface Picture {
  readonly lanes: readonly Lane[];
  readonly marks: readonly Mark[];
  readonly marksDropped: number;
  readonly throughput: readonly ThroughputSample[];
  /** Simulated seconds of the last event. */
  readonly endTime: number;
}

const REBOOTS = new Set([
  'RebootAndDelete',
  'RebootProcessAndDelete',
  'RebootProcessAndSwitch',
  'Reboot',
  'RebootProcess',
]);

/** Sub-row of a role, by FoundationDB's role names. */
const ROLE_ROWS: Readonly<Record<string, number>> = {
  MasterServer: 0,
  ClusterController: 0,
  DataDistributor: 0,
  Ratekeeper: 0,
  TLog: 1,
  CommitProxyServer: 2,
  GrvProxyServer: 2,
  Resolver: 2,
  StorageServer: 3,
};

function str(d: Readonly<Record<string, DetailValue>>, key: string): string {
  const v = d[key];
  return v === undefined ? '' : detailString(v);
}

function ipOf(address: string): string {
  const colon = address.lastIndexOf(':');
  return colon > 0 ? address.slice(0, colon) : address;
}

function killName(v: string): string {
  const n = Number(v);
  return v !== '' && Number.isInteger(n) && n >= 0 && n < KILL_TYPES.length ? KILL_TYPES[n]! : v || '?';
}

/** The hover text of an event: type, time, machine, then every detail on its own line. */
export function tipOf(e: TraceEvent): string {
  const lines = [`${e.type} at ${toSeconds(e.time).toFixed(3)}s on ${e.machine} (Severity ${e.severity})`];
  for (const k of Object.keys(e.details)) lines.push(`${k}: ${detailString(e.details[k]!)}`);
  return lines.join('\n');
}

/** Folds trace events into a {@link Picture}; feed it with `emit`, then call `picture()`. */
export class PictureFold implements TraceSink {
  private readonly lanes = new Map<string, Lane>();
  private readonly marks: Mark[] = [];
  private readonly samples: ThroughputSample[] = [];
  private readonly openRoles = new Map<string, { item: LaneItem; address: string }>();
  private readonly down = new Map<string, LaneItem>();
  private marksDropped = 0;
  private lastTime = 0;
  private booted = false;

  emit(e: TraceEvent): void {
    const t = toSeconds(e.time);
    if (t > this.lastTime) this.lastTime = t;
    if (e.machine !== NO_MACHINE && e.machine !== '') this.lane(ipOf(e.machine)).processes.add(e.machine);
    if (e.severity >= SevError)
      this.add(this.laneOfEvent(e), { kind: 'failure', start: t, label: e.type, tip: tipOf(e) });
    this.chaos(e, t);
  }

  private lane(machine: string): Lane {
    let l = this.lanes.get(machine);
    if (!l) {
      l = { machine, processes: new Set(), items: [], dropped: 0 };
      this.lanes.set(machine, l);
    }
    return l;
  }

  /** The lane of an event: its machine, or for events logged outside any process, the address it names. */
  private laneOfEvent(e: TraceEvent): Lane {
    if (e.machine !== NO_MACHINE && e.machine !== '') return this.lane(ipOf(e.machine));
    const named = str(e.details, 'Address') || str(e.details, 'IP') || str(e.details, 'From');
    return this.lane(named ? ipOf(named) : 'outside any machine');
  }

  private add(lane: Lane, item: LaneItem): LaneItem {
    if (lane.items.length >= LANE_ITEM_CAP) lane.dropped++;
    else lane.items.push(item);
    return item;
  }

  private mark(m: Mark): void {
    if (this.marks.length >= MARK_CAP) this.marksDropped++;
    else this.marks.push(m);
  }

  private chaos(e: TraceEvent, t: number): void {
    const d = e.details;
    const num = (k: string) => {
      const n = Number(str(d, k));
      return Number.isFinite(n) ? n : 0;
    };
    switch (e.type) {
      case 'ClogInterface':
        this.add(this.lane(str(d, 'IP')), {
          kind: 'clog',
          start: t,
          end: t + num('Delay'),
          label: `clog ${str(d, 'Queue')}`,
          tip: tipOf(e),
        });
        return;
      case 'CloggingPair':
        this.add(this.lane(ipOf(str(d, 'From'))), {
          kind: 'clog',
          start: t,
          end: t + num('Seconds'),
          label: `clog to ${str(d, 'To')}`,
          tip: tipOf(e),
        });
        return;
      case 'PartitionNetwork':
        for (const ip of str(d, 'SideA').split(',').filter(Boolean)) {
          this.add(this.lane(ipOf(ip)), {
            kind: 'partition',
            start: t,
            end: t + num('Seconds'),
            label: 'partitioned',
            tip: tipOf(e),
          });
        }
        return;
      case 'KillMachineProcess':
      case 'RebootingProcess':
      case 'FailMachine':
      case 'FaultMachine': {
        const m = /address: (\S+)/.exec(str(d, 'Process'));
        const address = str(d, 'Address') || m?.[1] || e.machine;
        const kt =
          e.type === 'FailMachine'
            ? 'KillInstantly'
            : e.type === 'FaultMachine'
              ? 'InjectFaults'
              : killName(str(d, 'KillType'));
        this.processDown(address, t, e, kt);
        return;
      }
      case 'WorkerStart': {
        const open = this.down.get(e.machine);
        if (open) {
          open.end = t;
          this.down.delete(e.machine);
        }
        return;
      }
      case 'Role':
        this.role(e, t);
        return;
      case 'SetDiskFailure':
      case 'CorruptedBlock':
      case 'SimulatedMachineFolderSwap':
        this.add(this.laneOfEvent(e), { kind: 'disk', start: t, label: e.type, tip: tipOf(e) });
        return;
      case 'MasterRecoveryState': {
        const status = str(d, 'Status');
        if (!this.booted) {
          if (status === 'fully_recovered') this.booted = true;
          return;
        }
        if (status === 'reading_coordinated_state')
          this.mark({ kind: 'recovery', time: t, label: 'recovery', tip: tipOf(e) });
        else if (status === 'fully_recovered')
          this.mark({ kind: 'recovered', time: t, label: `epoch ${str(d, 'Epoch')}`, tip: tipOf(e) });
        return;
      }
      case 'TLogRollback':
      case 'StorageServerRollback':
      case 'AttemptingToTriggerRollback':
        this.mark({ kind: 'rollback', time: t, label: 'rollback', tip: tipOf(e) });
        return;
      case 'CoordinatorsChangeBeforeCommit':
      case 'ChangeConfig':
        this.mark({
          kind: 'coordinators',
          time: t,
          label: e.type === 'ChangeConfig' ? 'config' : 'coordinators',
          tip: tipOf(e),
        });
        return;
      case 'ClientThroughput':
        if (this.samples.length < THROUGHPUT_CAP)
          this.samples.push({ time: t, commits: num('Commits'), retries: num('Retries') });
        return;
    }
  }

  /** A kill or reboot: a moment on the lane, a down window until the worker starts again, its roles ended. */
  private processDown(address: string, t: number, e: TraceEvent, kt: string): void {
    const lane = this.lane(ipOf(address));
    lane.processes.add(address);
    const reboot = REBOOTS.has(kt);
    // A machine kill traces KillMachineProcess and then FailMachine for the same process: draw it once.
    const last = lane.items.at(-1);
    if (
      last &&
      last.start === t &&
      (last.kind === 'kill' || last.kind === 'reboot') &&
      last.tip.includes(address)
    )
      return;
    this.add(lane, { kind: reboot ? 'reboot' : 'kill', start: t, label: kt, tip: tipOf(e) });
    if (!this.down.has(address)) {
      this.down.set(
        address,
        this.add(lane, { kind: 'down', start: t, label: reboot ? 'rebooting' : 'down', tip: tipOf(e) }),
      );
    }
    for (const [id, role] of this.openRoles) {
      if (role.address === address) {
        role.item.end = t;
        this.openRoles.delete(id);
      }
    }
  }

  private role(e: TraceEvent, t: number): void {
    const as = str(e.details, 'As');
    const id = `${e.machine}|${str(e.details, 'RoleID') || e.id}|${as}`;
    if (str(e.details, 'Transition') === 'End') {
      const open = this.openRoles.get(id);
      if (open) open.item.end = t;
      this.openRoles.delete(id);
      return;
    }
    if (this.openRoles.has(id)) return;
    const item = this.add(this.lane(ipOf(e.machine)), {
      kind: 'role',
      start: t,
      label: as,
      tip: tipOf(e),
      row: ROLE_ROWS[as] ?? 3,
    });
    this.openRoles.set(id, { item, address: e.machine });
  }

  /** The picture so far; open windows end at the last event's time. */
  picture(): Picture {
    const end = this.lastTime;
    const lanes = [...this.lanes.values()].sort((a, b) => compareAddresses(a.machine, b.machine));
    for (const l of lanes)
      for (const i of l.items)
        if ((i.kind === 'down' || i.kind === 'role') && i.end === undefined) i.end = end;
    return {
      lanes,
      marks: this.marks,
      marksDropped: this.marksDropped,
      throughput: this.samples,
      endTime: end,
    };
  }
}

/** Orders IPv4-looking addresses numerically, anything else after them by text. */
function compareAddresses(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  const ipa = pa.length === 4 && pa.every(Number.isFinite);
  const ipb = pb.length === 4 && pb.every(Number.isFinite);
  if (ipa && ipb) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  if (ipa !== ipb) return ipa ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
