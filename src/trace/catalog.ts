// The catalogue of the trace events the report is built from: each declared once, with its category,
// default severity, one doc line and its details. The chaos set the run keeps, the timeline's exhaustive
// row builders and the docs check (tests/unit/trace/trace-format-doc.test.ts) all derive from it, so a
// renamed event or a new one without a row fails to compile or fails a test instead of dropping rows.
import { InternalError } from '../core/errors.js';
import type { Severity } from './event.js';

/** What an event is about. */
export type EventCategory =
  | 'network'
  | 'kill'
  | 'recovery'
  | 'coordinators'
  | 'disk'
  | 'clock'
  | 'run'
  | 'report';

/** One catalogued event. */
export interface EventSpec {
  readonly category: EventCategory;
  /** The severity it is normally logged at. */
  readonly severity: Severity;
  /** One line: what it means. */
  readonly doc: string;
  /** Its detail names, in the order written. */
  readonly details: readonly string[];
}

/** Chaos events: the Timeline of Chaos Events, the Chaos Summary and the HTML view's lanes read these. */
export const CHAOS_EVENTS = {
  ClogInterface: {
    category: 'network',
    severity: 10,
    doc: 'one machine clogged in one direction',
    details: ['IP', 'Delay', 'Queue'],
  },
  CloggingPair: {
    category: 'network',
    severity: 10,
    doc: 'traffic from one machine to another clogged',
    details: ['From', 'To', 'Seconds'],
  },
  PartitionNetwork: {
    category: 'network',
    severity: 10,
    doc: 'the Partition workload cut the cluster in two',
    details: ['SideA', 'SideB', 'Mode', 'Seconds'],
  },
  UncloggingPair: { category: 'network', severity: 10, doc: 'a pair clog lifted', details: ['From', 'To'] },
  ClogEnded: {
    category: 'network',
    severity: 10,
    doc: 'a clog ended early',
    details: ['Kind', 'IP', 'Queue', 'From', 'To', 'Remaining'],
  },
  DisconnectPair: {
    category: 'network',
    severity: 10,
    doc: 'two machines disconnected',
    details: ['From', 'To', 'Seconds'],
  },
  ReconnectPair: {
    category: 'network',
    severity: 10,
    doc: 'two machines reconnected',
    details: ['From', 'To'],
  },
  ConnectionFailure: {
    category: 'network',
    severity: 10,
    doc: 'a random connection failure',
    details: ['MyAddr', 'PeerAddr'],
  },
  EnableConnectionFailures_Tester: {
    category: 'network',
    severity: 10,
    doc: 'random connection failures on',
    details: [],
  },
  DisableConnectionFailures_Tester: {
    category: 'network',
    severity: 10,
    doc: 'random connection failures off',
    details: [],
  },
  Assassination: {
    category: 'kill',
    severity: 10,
    doc: 'a chaos workload kills or reboots a zone',
    details: ['TargetMachine', 'ZoneId', 'Reboot', 'KilledMachines', 'MachinesToKill', 'KillType'],
  },
  KillMachine: {
    category: 'kill',
    severity: 10,
    doc: 'the simulator kills a machine (its processes follow)',
    details: ['MachineId', 'Kt', 'KtOrig'],
  },
  KillMachineProcess: {
    category: 'kill',
    severity: 10,
    doc: 'one process of a killed machine',
    details: ['KillType', 'Process'],
  },
  KillDataCenter: {
    category: 'kill',
    severity: 10,
    doc: 'a datacenter killed',
    details: ['DCID', 'KillType'],
  },
  FailMachine: {
    category: 'kill',
    severity: 20,
    doc: 'a process killed instantly',
    details: ['Name', 'Address', 'ZoneId', 'Process'],
  },
  FaultMachine: {
    category: 'kill',
    severity: 20,
    doc: 'a process made to inject faults',
    details: ['Address', 'Process'],
  },
  'KillType::FailDiskMachine': {
    category: 'kill',
    severity: 20,
    doc: "a process's disk failed",
    details: ['Address'],
  },
  RebootingProcess: {
    category: 'kill',
    severity: 10,
    doc: 'a process rebooted',
    details: ['KillType', 'Address', 'ZoneId'],
  },
  SimulatedMachineShutdown: {
    category: 'kill',
    severity: 10,
    doc: 'a machine shut down for a reboot',
    details: ['KillType', 'RebootTime', 'Swap'],
  },
  SimulatedMachineFolderSwap: {
    category: 'disk',
    severity: 10,
    doc: "a machine came back with another one's disks",
    details: ['MachineIPs', 'OtherMachineIPs'],
  },
  AbortedKill: {
    category: 'kill',
    severity: 10,
    doc: 'a kill refused by the safety policy',
    details: ['KillType', 'MachineId', 'Address', 'DataCenter', 'Reason'],
  },
  KillChanged: {
    category: 'kill',
    severity: 10,
    doc: 'a kill downgraded to keep the data',
    details: ['KillType', 'NewKillType', 'MachineId', 'Reason'],
  },
  RebootChanged: {
    category: 'kill',
    severity: 10,
    doc: 'a reboot downgraded',
    details: ['OrigKillType', 'KillType', 'Address', 'Reason'],
  },
  DcKillChanged: {
    category: 'kill',
    severity: 10,
    doc: 'a datacenter kill downgraded',
    details: ['OrigKillType', 'KillType', 'DataCenter', 'Reason'],
  },
  MasterRecoveryState: {
    category: 'recovery',
    severity: 10,
    doc: 'a recovery step, reading_coordinated_state to fully_recovered',
    details: ['StatusCode', 'Status', 'Epoch'],
  },
  MasterRecoveryVersion: {
    category: 'recovery',
    severity: 10,
    doc: 'the version a recovery ends at',
    details: ['Epoch', 'RecoveryVersion'],
  },
  StorageServerRollback: {
    category: 'recovery',
    severity: 10,
    doc: 'a storage server discarded versions',
    details: ['StorageID', 'From', 'To'],
  },
  TLogRollback: {
    category: 'recovery',
    severity: 10,
    doc: 'a recovery discarded versions never acknowledged',
    details: ['Epoch', 'From', 'To', 'Versions'],
  },
  AttemptingToTriggerRollback: {
    category: 'recovery',
    severity: 10,
    doc: 'the Rollback workload tries to force one',
    details: ['CommitProxy', 'UncloggedTLog'],
  },
  UnableToTriggerRollback: {
    category: 'recovery',
    severity: 10,
    doc: 'the Rollback workload could not',
    details: ['Reason'],
  },
  TriggerRecovery: {
    category: 'recovery',
    severity: 10,
    doc: 'a recovery forced on purpose',
    details: ['Reason'],
  },
  CoordinatorsChangeBeforeCommit: {
    category: 'coordinators',
    severity: 5,
    doc: 'the coordinators are about to change',
    details: ['Auto', 'NewCoordinatorsKey'],
  },
  ChangeQuorumCheckerSetCoordinatorsKey: {
    category: 'coordinators',
    severity: 10,
    doc: 'the new coordinators written',
    details: ['CurrentCoordinators', 'NewCoordinators'],
  },
  LeaderChanged: {
    category: 'coordinators',
    severity: 10,
    doc: 'a new cluster controller leads',
    details: ['NewLeader'],
  },
  ChangeConfig: {
    category: 'coordinators',
    severity: 10,
    doc: 'the database configuration changed',
    details: ['From', 'To'],
  },
  SetDiskFailure: {
    category: 'disk',
    severity: 10,
    doc: 'a disk stalls and throttles',
    details: ['StallInterval', 'StallPeriod', 'ThrottlePeriod'],
  },
  CorruptedBlock: {
    category: 'disk',
    severity: 10,
    doc: 'a bit flipped in a block on disk',
    details: ['Filename', 'Block'],
  },
  SetClockSkew: {
    category: 'clock',
    severity: 10,
    doc: "a process's clock skewed",
    details: ['Address', 'Offset', 'DriftPpm'],
  },
  SpeedUpSimulation: {
    category: 'run',
    severity: 10,
    doc: 'speed-up mode: network faults and unforced kills stop',
    details: ['Reason'],
  },
} as const satisfies Readonly<Record<string, EventSpec>>;

/** The report's own facts and the throughput samples (run/result-trace.ts, run/throughput.ts write them). */
export const REPORT_EVENTS = {
  ClusterShape: {
    category: 'report',
    severity: 10,
    doc: "the cluster's shape",
    details: ['Replication', 'Machines', 'Processes', 'ConfigString'],
  },
  TestSummary: {
    category: 'report',
    severity: 10,
    doc: "one test's result",
    details: ['Test', 'Title', 'Passed', 'FailureInjection'],
  },
  WorkloadSummary: {
    category: 'report',
    severity: 10,
    doc: "one workload's result",
    details: ['Test', 'WorkloadIndex', 'Name', 'Kind'],
  },
  InvariantResult: {
    category: 'report',
    severity: 10,
    doc: 'one checked invariant',
    details: ['Check', 'Status', 'Reason', 'FailedAt', 'Count', 'Evidence'],
  },
  MetricResult: {
    category: 'report',
    severity: 10,
    doc: 'one folded metric',
    details: ['Name', 'Value', 'Formatted'],
  },
  RunNote: { category: 'report', severity: 10, doc: 'a note for the user', details: ['Message'] },
  DidNotFinish: {
    category: 'report',
    severity: 10,
    doc: 'why the run did not finish',
    details: ['Reason', 'Stuck', 'DuringTest'],
  },
  StuckTask: {
    category: 'report',
    severity: 10,
    doc: 'one task still waiting',
    details: ['Name', 'WaitingOn'],
  },
  RunSummary: { category: 'report', severity: 10, doc: "the run's title", details: ['Title'] },
  ClientThroughput: {
    category: 'report',
    severity: 10,
    doc: 'transactions in one simulated second',
    details: ['Commits', 'Retries', 'Conflicts'],
  },
} as const satisfies Readonly<Record<string, EventSpec>>;

/** The oracle's findings (run/oracle-run.ts writes them; docs/oracle.md explains them). */
export const ORACLE_EVENTS = {
  OracleViolation: {
    category: 'run',
    severity: 40,
    doc: 'the database broke a property the oracle checks against its reference replay',
    details: ['Property', 'Reason', 'Transactions', 'Version', 'Key', 'Expected', 'Observed', 'At'],
  },
  OracleSummary: {
    category: 'run',
    severity: 10,
    doc: 'what the oracle checked so far, at the end of each test',
    details: [
      'Attempts',
      'ReadsChecked',
      'ReadsUnchecked',
      'CommitsApplied',
      'RolledBack',
      'UnknownResolved',
      'ReplicasChecked',
      'WatchesChecked',
      'Violations',
      'FinalVersion',
    ],
  },
} as const satisfies Readonly<Record<string, EventSpec>>;

/** A chaos event's name. */
export type ChaosEventName = keyof typeof CHAOS_EVENTS;

/** Every catalogued event, by name. */
export const EVENT_CATALOG: Readonly<Record<string, EventSpec>> = {
  ...CHAOS_EVENTS,
  ...REPORT_EVENTS,
  ...ORACLE_EVENTS,
};

/** True when `type` is a catalogued chaos event. */
export function isChaosEvent(type: string): type is ChaosEventName {
  return Object.hasOwn(CHAOS_EVENTS, type);
}

/** For the default branch of an exhaustive switch: compile error when a case is missing. */
export function assertNever(x: never): never {
  throw new InternalError(`unhandled catalogue event ${String(x)}`);
}
