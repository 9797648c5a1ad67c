// Which versions committed, as fact from the simulated world rather than from what clients were told: a
// batch a commit proxy pushed at version V in epoch E committed once every log of E made V durable (logs
// apply versions in order, so every lower version of E is durable too), or once a later epoch's recovery
// chose a recovery version at or above V; it is rolled back when that recovery version is below V.
import type { BatchEntry } from '../cluster/history.js';
import type { EpochStart } from '../cluster/protocol.js';

/** A batch of committed transactions a proxy pushed. */
export interface PushedBatch {
  readonly epoch: number;
  readonly version: number;
  readonly entries: readonly BatchEntry[];
}

/** A batch whose fate is known. */
export interface DecidedBatch {
  readonly batch: PushedBatch;
  readonly committed: boolean;
  /** Set when the batch was durable on every log of its epoch and still rolled back (a lost commit). */
  readonly lostDurable?: { readonly durable: number; readonly recoveryVersion: number };
}

/** The ground truth of commits, decided in version order. */
export class CommitTruth {
  /** Pushed batches not decided yet, by version ascending. */
  private readonly pending: PushedBatch[] = [];
  /** Per epoch: the highest version every log made durable. */
  private readonly durable = new Map<number, number>();
  /** Per ended epoch: the recovery version of the epoch after it (the last version that survived). */
  private readonly ends = new Map<number, number>();
  /** Every version at or below this has been pushed (if it ever will be) and can be decided. */
  private known = -1;

  batchPushed(batch: PushedBatch): void {
    const p = this.pending;
    let i = p.length;
    while (i > 0 && p[i - 1]!.version > batch.version) i--;
    p.splice(i, 0, batch);
  }

  batchDurable(epoch: number, version: number): void {
    if (version > (this.durable.get(epoch) ?? -1)) this.durable.set(epoch, version);
    const end = this.ends.get(epoch);
    const upTo = end === undefined ? version : Math.min(version, end);
    if (upTo > this.known) this.known = upTo;
  }

  /**
   * Learns where epochs ended. Returns the epochs newly ended below a version every one of their logs
   * had made durable: commits the world had already made final, now lost.
   */
  epochsKnown(starts: readonly EpochStart[]): { epoch: number; durable: number; recoveryVersion: number }[] {
    const lost: { epoch: number; durable: number; recoveryVersion: number }[] = [];
    for (let i = 0; i + 1 < starts.length; i++) {
      const e = starts[i]!.epoch;
      const end = starts[i + 1]!.recoveryVersion;
      if (this.ends.has(e)) continue;
      this.ends.set(e, end);
      if (end > this.known) this.known = end;
      const durable = this.durable.get(e) ?? -1;
      if (durable > end) lost.push({ epoch: e, durable, recoveryVersion: end });
    }
    return lost;
  }

  /** The next batch in version order whose fate is known, removed; undefined when the first is open. */
  next(): DecidedBatch | undefined {
    const b = this.pending[0];
    if (!b) return undefined;
    const end = this.ends.get(b.epoch);
    const durable = this.durable.get(b.epoch) ?? -1;
    let decided: DecidedBatch;
    if (end !== undefined) {
      const committed = b.version <= end;
      decided =
        !committed && b.version <= durable
          ? { batch: b, committed, lostDurable: { durable, recoveryVersion: end } }
          : { batch: b, committed };
    } else if (b.version <= durable) decided = { batch: b, committed: true };
    else return undefined;
    this.pending.shift();
    return decided;
  }

  /** Every version at or below this is decided: reads at it can be checked against the model. */
  frontier(): number {
    const first = this.pending[0];
    return first ? Math.min(this.known, first.version - 1) : this.known;
  }
}
