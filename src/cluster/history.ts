// The hooks through which the cluster reports its history to an observer outside the database (the
// oracle): what each client transaction attempt read and wrote and what it was told, and what the
// simulated world knows as fact about which versions committed. The database never reads anything back
// through these hooks; with no observer attached (the oracle off) they cost one null check each.
import type { BKey } from './keys.js';
import type { Mutation } from './mutation.js';
import type { EpochStart } from './protocol.js';

/** How an attempt's read version was obtained. */
export type ReadVersionSource = 'grv' | 'explicit' | 'ancient';

/** What a commit attempt was told. */
export type AttemptOutcome =
  | { readonly kind: 'committed'; readonly version: number; readonly batchIndex: number }
  | { readonly kind: 'not_committed' | 'transaction_too_old' | 'database_locked' | 'commit_unknown_result' };

/** A committed transaction of a batch: the attempt id the client attached and its batch index. */
export interface BatchEntry {
  readonly attempt: number;
  readonly batchIndex: number;
}

/** The observer's interface. Times are simulated µs; versions are database versions. */
export interface HistoryRecorder {
  /** A new transaction attempt begins (on a client, at `now`); returns its id. */
  attemptStarted(client: string, now: number): number;
  /** The attempt asks for a read version at `now` (before the request leaves). */
  readVersionRequested(attempt: number, now: number): void;
  /** The attempt's read version. */
  readVersionKnown(attempt: number, version: number, source: ReadVersionSource): void;
  /** A storage replica answered a point read at `version`. */
  pointRead(attempt: number, version: number, key: BKey, value: BKey | undefined): void;
  /** A storage replica answered a range read at `version` (limit 0: no limit). */
  rangeRead(
    attempt: number,
    version: number,
    range: { begin: BKey; end: BKey; limit: number; reverse: boolean },
    rows: readonly [BKey, BKey][],
    more: boolean,
  ): void;
  /** The attempt sends its commit: its read version, mutations in issue order and read conflict ranges. */
  commitSent(
    attempt: number,
    readVersion: number,
    mutations: readonly Mutation[],
    readRanges: readonly [BKey, BKey][],
  ): void;
  /** What the attempt's commit was told, at `now`. */
  commitOutcome(attempt: number, outcome: AttemptOutcome, now: number): void;
  /**
   * A watch fired: the client saw `key` differ from `value` (undefined: absent), the key's value as of
   * version `since` (the read version it was read at; just below the commit version for the transaction's
   * own write; -1 when unknown), and the change is committed at or below `committed`.
   */
  watchFired(attempt: number, key: BKey, value: BKey | undefined, since: number, committed: number): void;
  /** A commit proxy of `epoch` is about to push `version`, with these committed transactions. */
  batchPushed(epoch: number, version: number, entries: readonly BatchEntry[]): void;
  /** Every log of `epoch` made `version` durable. */
  batchDurable(epoch: number, version: number): void;
  /** A coordinated state reached its quorum: the recovery version of every epoch so far. */
  epochsKnown(starts: readonly EpochStart[]): void;
}
