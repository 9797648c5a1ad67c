// The oracle: records every transaction attempt the clients make (through the cluster's history hooks),
// learns from the simulated world which versions committed, replays the committed transactions in
// commit order into the reference model, and checks the database against it as versions become final:
// reads, serializability, external consistency, versionstamps, durability, and the replicas' final state.
import type { AttemptOutcome, BatchEntry, HistoryRecorder, ReadVersionSource } from '../cluster/history.js';
import type { BKey } from '../cluster/keys.js';
import type { Mutation } from '../cluster/mutation.js';
import type { EpochStart } from '../cluster/protocol.js';
import { ReferenceModel, readSeqOf, SEQ_PER_VERSION, seqOf } from './model.js';
import { ReadQueue, type RecordedRead } from './read-queue.js';
import { CommitTruth, type DecidedBatch } from './truth.js';
import { describeRows, type OracleProperty, type OracleViolation, printable } from './violation.js';

/** A commit attempt the oracle follows until its fate and what it was told are both known. */
interface CommitRecord {
  readonly attempt: number;
  readonly readVersion: number;
  readonly mutations: readonly Mutation[];
  readonly readRanges: readonly (readonly [BKey, BKey])[];
  readonly sentAt: number;
  outcome?: AttemptOutcome;
  pushed: boolean;
  truth?:
    | { readonly committed: true; readonly version: number; readonly batchIndex: number }
    | {
        readonly committed: false;
        readonly version: number;
      };
}

/** A watch that fired, checked once its committed version is final. */
interface FiredWatch {
  readonly attempt: number;
  readonly key: BKey;
  readonly value: BKey | undefined;
  readonly since: number;
  readonly committed: number;
  readonly time: number;
}

/** Counters for the summary event and the benchmark. */
export interface OracleStats {
  attempts: number;
  reads: number;
  readsChecked: number;
  readsUnchecked: number;
  commitsApplied: number;
  rolledBack: number;
  unknownResolved: number;
  replicasChecked: number;
  watchesChecked: number;
  violations: number;
}

/** What the oracle needs from its run. */
export interface OracleOptions {
  /** Simulated time, µs. */
  readonly now: () => number;
  /** Told of each violation, in the order found. */
  readonly report: (v: OracleViolation) => void;
  /** Versions of history kept below the final frontier (at least the read-version lifetime). */
  readonly retainVersions: number;
}

/** Unknown-result commits never pushed are forgotten after this long, µs (their proxy is gone). */
const FORGET_UNPUSHED_AFTER = 300_000_000;

/** The oracle of one run. */
export class Oracle implements HistoryRecorder {
  readonly model = new ReferenceModel();
  readonly stats: OracleStats = {
    attempts: 0,
    reads: 0,
    readsChecked: 0,
    readsUnchecked: 0,
    commitsApplied: 0,
    rolledBack: 0,
    unknownResolved: 0,
    replicasChecked: 0,
    watchesChecked: 0,
    violations: 0,
  };
  private readonly truth = new CommitTruth();
  private readonly reads = new ReadQueue();
  private readonly commits = new Map<number, CommitRecord>();
  /** Attempts waiting for a read version: the highest commit acknowledged when they asked. */
  /** Fired watches waiting for their committed version to become final. */
  private watches: FiredWatch[] = [];
  private readonly grvWaits = new Map<number, { atLeast: number; ackedAttempt: number }>();
  private maxAcked = { version: -1, attempt: -1 };
  private nextAttempt = 1;
  /** Versions at or below this are final and replayed into the model. */
  frontier = -1;
  private prunedAt = -1;

  constructor(private readonly opts: OracleOptions) {}

  // ---- recording (HistoryRecorder) -------------------------------------------------------------

  attemptStarted(_client: string, _now: number): number {
    this.stats.attempts++;
    return this.nextAttempt++;
  }

  readVersionRequested(attempt: number, _now: number): void {
    this.grvWaits.set(attempt, { atLeast: this.maxAcked.version, ackedAttempt: this.maxAcked.attempt });
  }

  readVersionKnown(attempt: number, version: number, source: ReadVersionSource): void {
    const wait = this.grvWaits.get(attempt);
    this.grvWaits.delete(attempt);
    // An explicit read version is the user's choice, and an ancient one is BUGGIFY's: neither promises
    // anything about commits acknowledged before.
    if (source !== 'grv' || !wait || version >= wait.atLeast) return;
    this.violation('external-consistency', {
      message: `a transaction that began after a commit at version ${wait.atLeast} was acknowledged got the older read version ${version}`,
      attempts: [attempt, wait.ackedAttempt],
      version,
      expected: `read version >= ${wait.atLeast}`,
      observed: `read version ${version}`,
    });
  }

  pointRead(attempt: number, version: number, key: BKey, value: BKey | undefined): void {
    this.recordRead({ kind: 'point', attempt, version, key, value, time: this.opts.now() });
  }

  rangeRead(
    attempt: number,
    version: number,
    range: { begin: BKey; end: BKey; limit: number; reverse: boolean },
    rows: readonly [BKey, BKey][],
    more: boolean,
  ): void {
    this.recordRead({ kind: 'range', attempt, version, ...range, rows, more, time: this.opts.now() });
  }

  commitSent(
    attempt: number,
    readVersion: number,
    mutations: readonly Mutation[],
    readRanges: readonly [BKey, BKey][],
  ): void {
    this.commits.set(attempt, {
      attempt,
      readVersion,
      mutations,
      readRanges,
      sentAt: this.opts.now(),
      pushed: false,
    });
  }

  commitOutcome(attempt: number, outcome: AttemptOutcome, _now: number): void {
    if (outcome.kind === 'committed' && outcome.version > this.maxAcked.version)
      this.maxAcked = { version: outcome.version, attempt };
    const c = this.commits.get(attempt);
    if (!c) return;
    c.outcome = outcome;
    if (outcome.kind === 'committed' && !c.pushed) {
      this.violation('commit-outcome', {
        message: `a commit was acknowledged at version ${outcome.version} but no commit proxy pushed it to the logs`,
        attempts: [attempt],
        version: outcome.version,
        expected: 'pushed to every log before the acknowledgement',
        observed: 'never pushed',
      });
      this.commits.delete(attempt);
      return;
    }
    if (c.truth) this.settle(c);
    else if (outcome.kind !== 'committed' && outcome.kind !== 'commit_unknown_result' && !c.pushed)
      this.commits.delete(attempt);
  }

  watchFired(attempt: number, key: BKey, value: BKey | undefined, since: number, committed: number): void {
    const w = { attempt, key, value, since, committed, time: this.opts.now() };
    if (committed <= this.frontier) this.checkWatch(w);
    else this.watches.push(w);
  }

  batchPushed(epoch: number, version: number, entries: readonly BatchEntry[]): void {
    for (const e of entries) {
      const c = this.commits.get(e.attempt);
      if (c) c.pushed = true;
    }
    this.truth.batchPushed({ epoch, version, entries });
    this.advance();
  }

  batchDurable(epoch: number, version: number): void {
    this.truth.batchDurable(epoch, version);
    this.advance();
  }

  epochsKnown(starts: readonly EpochStart[]): void {
    for (const lost of this.truth.epochsKnown(starts)) {
      this.violation('durability', {
        message: `every log of epoch ${lost.epoch} made version ${lost.durable} durable, but the recovery after it rolled the epoch back to ${lost.recoveryVersion}`,
        attempts: [],
        version: lost.durable,
        expected: `recovery version >= ${lost.durable}`,
        observed: `recovery version ${lost.recoveryVersion}`,
      });
    }
    this.advance();
  }

  private recordRead(r: RecordedRead): void {
    this.stats.reads++;
    if (r.version <= this.frontier) this.checkRead(r);
    else this.reads.push(r);
  }

  // ---- replay and checks ------------------------------------------------------------------------

  /** Replays every batch whose fate is now known, then checks the reads that became checkable. */
  private advance(): void {
    for (let d = this.truth.next(); d; d = this.truth.next()) this.replay(d);
    const f = this.truth.frontier();
    if (f <= this.frontier) return;
    this.frontier = f;
    for (let r = this.reads.popAtMost(f); r; r = this.reads.popAtMost(f)) this.checkRead(r);
    if (this.watches.length > 0) {
      const ready = this.watches.filter((w) => w.committed <= f);
      this.watches = this.watches.filter((w) => w.committed > f);
      for (const w of ready) this.checkWatch(w);
    }
    if (f - this.prunedAt > this.opts.retainVersions / 2) this.prune();
  }

  private replay(d: DecidedBatch): void {
    const { version, entries } = d.batch;
    const sorted = [...entries].sort((a, b) => a.batchIndex - b.batchIndex);
    if (d.lostDurable) {
      this.violation('durability', {
        message: `version ${version} was durable on every log (up to ${d.lostDurable.durable}) but recovery rolled the epoch back to ${d.lostDurable.recoveryVersion}`,
        attempts: sorted.map((e) => e.attempt),
        version,
        expected: `recovery version >= ${d.lostDurable.durable}`,
        observed: `recovery version ${d.lostDurable.recoveryVersion}`,
      });
    }
    for (const e of sorted) {
      const c = this.commits.get(e.attempt);
      if (!d.committed) {
        this.stats.rolledBack++;
        if (c) {
          c.truth = { committed: false, version };
          this.settle(c);
        }
        continue;
      }
      this.applyCommitted(version, e, c);
    }
  }

  private applyCommitted(version: number, e: BatchEntry, c: CommitRecord | undefined): void {
    const seq = seqOf(version, e.batchIndex);
    if (seq <= this.model.lastSeq) {
      this.violation('versionstamp', {
        message: `commit position (${version}, ${e.batchIndex}) is not after the previous commit's`,
        attempts: [e.attempt],
        version,
        expected: `a position after ${Math.floor(this.model.lastSeq / 65536)}:${this.model.lastSeq % 65536}`,
        observed: `${version}:${e.batchIndex}`,
      });
    }
    if (!c) return;
    this.checkSerializable(c, version, seq);
    this.model.applyTransaction(seq, version, e.batchIndex, c.mutations, c.attempt);
    this.stats.commitsApplied++;
    c.truth = { committed: true, version, batchIndex: e.batchIndex };
    this.settle(c);
  }

  /** Nothing another committed transaction wrote between the read version and the commit was read. */
  private checkSerializable(c: CommitRecord, version: number, seq: number): void {
    if (c.readVersion < 0) return;
    const after = readSeqOf(c.readVersion);
    if (after <= this.model.horizon) return;
    for (const r of c.readRanges) {
      const b = r[0];
      const e = r[1];
      const w = this.model.writtenAfter(b, e, after);
      if (w === undefined) continue;
      const at = `${Math.floor(w.seq / SEQ_PER_VERSION)}:${w.seq % SEQ_PER_VERSION}`;
      this.violation('serializability', {
        message: `transaction ${c.attempt} read [${printable(b)}, ${printable(e)}) at version ${c.readVersion} and committed at ${version}, but transaction ${w.writer} wrote ${printable(w.key)} in between (at ${at})`,
        attempts: [c.attempt, w.writer],
        version,
        key: w.key,
        expected: `no write to the read set in (${c.readVersion}, ${version}:${seq % 65536})`,
        observed: `a write to ${printable(w.key)} at ${at}`,
      });
      return;
    }
  }

  /** Compares what the attempt was told with what happened, once both are known. */
  private settle(c: CommitRecord): void {
    const o = c.outcome;
    const t = c.truth;
    if (!t || !o) return;
    this.commits.delete(c.attempt);
    if (o.kind === 'commit_unknown_result') {
      this.stats.unknownResolved++;
      return;
    }
    if (o.kind === 'committed' && !t.committed) {
      this.violation('durability', {
        message: `a commit acknowledged at version ${o.version} was rolled back by a recovery`,
        attempts: [c.attempt],
        version: o.version,
        expected: 'the acknowledged commit survives',
        observed: 'rolled back',
      });
    } else if (
      o.kind === 'committed' &&
      t.committed &&
      (o.version !== t.version || o.batchIndex !== t.batchIndex)
    ) {
      this.violation('versionstamp', {
        message: `the client was told its commit is at (${o.version}, ${o.batchIndex}) but it committed at (${t.version}, ${t.batchIndex})`,
        attempts: [c.attempt],
        version: t.version,
        expected: `${t.version}:${t.batchIndex}`,
        observed: `${o.version}:${o.batchIndex}`,
      });
    } else if (o.kind !== 'committed' && t.committed) {
      this.violation('commit-outcome', {
        message: `the client was told ${o.kind} but its transaction committed at version ${t.version}`,
        attempts: [c.attempt],
        version: t.version,
        expected: 'committed',
        observed: o.kind,
      });
    }
  }

  /**
   * A watch fires only after a committed change to its key, after version `since` (its read version, or
   * just below its commit version for its own write); unknown (-1) is not checked.
   */
  private checkWatch(w: FiredWatch): void {
    if (w.since < 0) return;
    const after = readSeqOf(w.since);
    const changed = this.model.differedBetween(w.key, w.value, after, readSeqOf(w.committed));
    if (changed !== undefined) this.stats.watchesChecked++;
    if (changed !== false) return;
    this.violation('watch', {
      message: `a watch on ${printable(w.key)} fired, but no commit up to version ${w.committed} changed it from the value it watched`,
      attempts: [w.attempt],
      version: w.committed,
      key: w.key,
      expected: `a committed change in (${w.since}, ${w.committed}]`,
      observed: `unchanged: ${w.value === undefined ? 'absent' : printable(w.value)}`,
      time: w.time,
    });
  }

  private checkRead(r: RecordedRead): void {
    const seq = readSeqOf(r.version);
    if (seq <= this.model.horizon) {
      this.stats.readsUnchecked++;
      return;
    }
    this.stats.readsChecked++;
    if (r.kind === 'point') {
      const want = this.model.get(r.key, seq);
      if (want === r.value) return;
      this.violation('read', {
        message: `a read of ${printable(r.key)} at version ${r.version} returned a value the committed history never held there`,
        attempts: [r.attempt],
        version: r.version,
        key: r.key,
        expected: want === undefined ? 'absent' : printable(want),
        observed: r.value === undefined ? 'absent' : printable(r.value),
        time: r.time,
      });
      return;
    }
    const want = this.model.range(r.begin, r.end, seq, r.limit > 0 ? r.limit + 1 : 0, r.reverse);
    const more = r.limit > 0 && want.length > r.limit;
    if (more) want.length = r.limit;
    const diff = describeRows(want, r.rows);
    if (diff === undefined && more === r.more) return;
    this.violation('read', {
      message: `a range read of [${printable(r.begin)}, ${printable(r.end)}) (limit ${r.limit}${r.reverse ? ', reverse' : ''}) at version ${r.version} differs from the committed history${diff ? `: ${diff.what}` : ' in whether more rows follow'}`,
      attempts: [r.attempt],
      version: r.version,
      ...(diff ? { key: diff.key } : {}),
      expected: diff ? diff.expected : `more=${more}`,
      observed: diff ? diff.observed : `more=${r.more}`,
      time: r.time,
    });
  }

  /**
   * Compares one replica's copy of [begin, end) at `version` with the model: every acknowledged commit
   * present, nothing else. Returns false when the version is not final yet (nothing compared).
   */
  checkReplica(
    begin: BKey,
    end: BKey,
    version: number,
    replica: string,
    rows: readonly [BKey, BKey][],
  ): boolean {
    this.advance();
    const seq = readSeqOf(version);
    if (version > this.frontier || seq <= this.model.horizon) return false;
    this.stats.replicasChecked++;
    const userEnd = end > '\xff' ? '\xff' : end;
    const want = this.model.range(begin, userEnd, seq);
    const got = rows.filter(([k]) => k < '\xff');
    const diff = describeRows(want, got);
    if (diff) {
      this.violation('durability', {
        message: `storage server ${replica} holds [${printable(begin)}, ${printable(end)}) at version ${version} unlike the committed history: ${diff.what}`,
        attempts: [],
        version,
        key: diff.key,
        expected: diff.expected,
        observed: diff.observed,
      });
    }
    return true;
  }

  /** At the end of a test: acknowledged commits at final versions that never reached the logs' history. */
  finishTest(): void {
    this.advance();
    for (const c of [...this.commits.values()]) {
      const o = c.outcome;
      if (o?.kind === 'committed' && !c.truth && o.version <= this.frontier) {
        this.commits.delete(c.attempt);
        this.violation('durability', {
          message: `a commit acknowledged at version ${o.version} is not in the committed history`,
          attempts: [c.attempt],
          version: o.version,
          expected: 'committed',
          observed: 'missing',
        });
      }
    }
  }

  private prune(): void {
    this.prunedAt = this.frontier;
    const low = this.reads.lowestVersion();
    let horizon = this.frontier - this.opts.retainVersions;
    if (low !== undefined && low - 1 < horizon) horizon = low - 1;
    if (horizon > 0) this.model.prune(readSeqOf(horizon));
    const now = this.opts.now();
    for (const [id, c] of this.commits)
      if (!c.pushed && now - c.sentAt > FORGET_UNPUSHED_AFTER) this.commits.delete(id);
  }

  private violation(
    property: OracleProperty,
    v: Omit<OracleViolation, 'property' | 'time' | 'key'> & { key?: BKey; time?: number },
  ): void {
    this.stats.violations++;
    this.opts.report({
      property,
      message: v.message,
      attempts: v.attempts,
      version: v.version,
      key: v.key === undefined ? '' : printable(v.key),
      expected: v.expected,
      observed: v.observed,
      time: v.time ?? this.opts.now(),
    });
  }
}
