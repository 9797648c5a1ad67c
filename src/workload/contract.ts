// The workload contract: what a workload declares and what it is given. This is the public API that
// built-in workloads and users' plugins are both written against.

import type { Database } from '../cluster/client-api.js';
import type { Random } from '../core/random.js';
import type { Details, Severity } from '../trace/event.js';
import type { ChaosSurface } from './chaos-surface.js';
import type { OptionSchema, OptionValues } from './options.js';

/** Application workloads drive transactions and check invariants; chaos workloads inject faults. */
export type WorkloadKind = 'application' | 'chaos';

/** One metric a workload reports; folded across clients (summed, or averaged when `averaged`). */
export interface Metric {
  readonly name: string;
  readonly value: number;
  /** Average across clients instead of summing (FoundationDB's `averaged` flag). */
  readonly averaged?: boolean;
  /** How to show it: a printf-like hint such as `%.2f` or a unit suffix. */
  readonly format?: string;
}

/** What every phase of a workload instance can use. One context per (workload, tester client). */
export interface WorkloadContext<O> {
  /** The database client of this tester. */
  readonly db: Database;
  /** This tester's index, 0-based. */
  readonly clientId: number;
  /** How many testers run this workload. */
  readonly clientCount: number;
  /** The same random number on every client of one test (FoundationDB's sharedRandomNumber). */
  readonly sharedRandomNumber: number;
  /** This workload instance's own PRNG stream. */
  readonly random: Random;
  /** Typed option values, validated against the schema before the run starts. */
  readonly options: O;
  /** The test's title. */
  readonly testTitle: string;
  /** Simulated time in seconds. */
  now(): number;
  /**
   * Sleeps for `seconds` of simulated time (whole microseconds: a positive delay lasts at least one, so
   * sleeping until a deadline always reaches it; 0 only yields).
   */
  delay(seconds: number): Promise<void>;
  /** Emits a trace event from this tester (Severity 10 unless given). */
  trace(type: string, details?: Details, severity?: Severity): void;
  /** Reports a failed invariant: a Severity-40 event (TestFailure unless `type` names another). */
  fail(reason: string, details?: Details, type?: string): void;
  /** Records that `cond` held at least once somewhere in the run (reported when it never does). */
  sometimes(name: string, cond: boolean): void;
  /** Records a condition that must hold every time it is evaluated (a Severity-40 failure when it does not). */
  always(name: string, cond: boolean, details?: Details): void;
  /** The fault surface: present for chaos workloads (and for application workloads that need it). */
  readonly chaos: ChaosSurface;
  /** Messages to and from the other clients of this workload instance, outside the database. */
  readonly sideband: Sideband;
}

/** A message between clients of one workload: flat fields, as a trace event's details are. */
export type SidebandMessage = Readonly<Record<string, string | number | boolean>>;

/**
 * A channel between the clients of one workload instance that bypasses the database, as FoundationDB's
 * Sideband workload has: messages travel over the simulated network between tester processes (with its
 * latency and clogs), in order between any two clients. A workload uses it to tell another client what
 * it committed, so that client can check the database already shows it (causal consistency).
 */
export interface Sideband {
  /** Sends `message` to client `toClient` of this workload. */
  send(toClient: number, message: SidebandMessage): void;
  /** The next message sent to this client, in arrival order (waits for one). */
  receive(): Promise<SidebandMessage>;
}

/** The phases of one workload instance on one client; all optional. */
export interface WorkloadInstance {
  setup?(): Promise<void>;
  start?(): Promise<void>;
  /** Returns false (or calls ctx.fail) when the check fails. */
  check?(): Promise<boolean | undefined | void>;
  metrics?(): Metric[] | Promise<Metric[]>;
}

/** A workload definition, as `defineWorkload` accepts and plugins export by default. */
export interface WorkloadDefinition<S extends OptionSchema = OptionSchema> {
  /** The spec's `testName`. */
  readonly name: string;
  /** One line saying what it does and what it checks. */
  readonly description: string;
  readonly kind: WorkloadKind;
  /** Every option once, with type, default, bounds, unit and doc. */
  readonly options: S;
  /**
   * Chaos only: when this workload is in a test, automatic failure injection is vetoed (FoundationDB's
   * ChangeConfig does this).
   */
  readonly vetoesFailureInjection?: boolean;
  /**
   * Application only: what company its checks assume, for generated (swarm) specs. `any` (the default):
   * any workloads and chaos. `alone`: the only application workload of its test (it expects to be the
   * only writer of the database). `calm`: no chaos workloads, no automatic failure injection and no
   * random connection failures in its test (its checks bound latencies).
   */
  readonly stacking?: 'any' | 'alone' | 'calm';
  /**
   * Application only: the family of keys it writes with its default options, when other workloads write
   * the same family (`test-keys`: FoundationDB's numeric test keys, doubleToTestKey and intToTestKey).
   * Two workloads of one family overlap and misread each other's data, so generated (swarm) specs never
   * put them in one test. Absent: the workload owns its own prefix.
   */
  readonly keySpace?: string;
  /**
   * Rejects a combination of option values the workload cannot run meaningfully (each value within its
   * bounds, together nonsense): returns the option to blame, what is wrong and how to fix it. The spec
   * loader reports it as bad input at that option's line; generated (swarm) specs never hold one.
   */
  check?(options: OptionValues<S>): OptionProblem | undefined;
  /** Creates the per-client instance; closures hold its state between phases. */
  create(ctx: WorkloadContext<OptionValues<S>>): WorkloadInstance;
}

/** What a workload's `check` found wrong with its options. */
export interface OptionProblem {
  /** The option to blame (its line is reported). */
  readonly option: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}

/** Declares a workload. Identity function that gives option values their types. */
export function defineWorkload<S extends OptionSchema>(def: WorkloadDefinition<S>): WorkloadDefinition<S> {
  return def;
}
