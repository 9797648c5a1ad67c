// The reference model of the database's key-value semantics: a multi-version store that applies
// committed mutations (sets, clear ranges, every atomic operation, versionstamped keys and values) in
// commit order, answers point and range reads as of any retained version, and remembers when each key
// and range was last written, for the serializability check. It is the one implementation of these
// semantics outside the cluster's storage. Atomic operations and versionstamps come from semantics.ts,
// written apart from the cluster's mutation.ts, so a defect there is not repeated here.
import type { BKey } from '../cluster/keys.js';
import type { Mutation } from '../cluster/mutation.js';
import { dropFront, upperBound } from '../core/arrays.js';
import { ClearIndex } from './clear-index.js';
import { LiveKeys } from './live-keys.js';
import { referenceAtomic, referenceVersionstamp } from './semantics.js';

/** Commit positions per version: a position is version * SEQ_PER_VERSION + batch index. */
export const SEQ_PER_VERSION = 65536;

/** The commit position of batch index `batchIndex` at `version`. */
export function seqOf(version: number, batchIndex: number): number {
  return version * SEQ_PER_VERSION + batchIndex;
}

/** The last commit position of `version`: what a read at that version sees. */
export function readSeqOf(version: number): number {
  return version * SEQ_PER_VERSION + (SEQ_PER_VERSION - 1);
}

/** One key's retained history: positions ascending, with the value from each (undefined: cleared). */
interface KeyHistory {
  readonly seqs: number[];
  readonly values: (BKey | undefined)[];
  /** Position of the last write that counts as a conflict (every write but a versionstamped key's). */
  lastWrite: number;
  /** Who made that write (the caller's transaction id). */
  lastWriter: number;
}

/** The multi-version reference store. Positions only grow: apply in commit order. */
export class ReferenceModel {
  private readonly history = new Map<BKey, KeyHistory>();
  /** Which keys a read or a write check must look at (see live-keys.ts). */
  private readonly live = new LiveKeys();
  private readonly clears = new ClearIndex();
  /** The last position applied. */
  lastSeq = -1;
  /** The transaction being applied (for lastWriter). */
  private writer = -1;
  /** Positions at or below this may have been pruned: reads there are not answerable. */
  horizon = -1;

  /** Applies one transaction's mutations, in issue order, at commit position `seq`. */
  applyTransaction(
    seq: number,
    version: number,
    batchIndex: number,
    mutations: readonly Mutation[],
    writer = -1,
  ): void {
    this.writer = writer;
    for (const m of mutations) this.apply(seq, version, batchIndex, m);
    if (seq > this.lastSeq) this.lastSeq = seq;
  }

  private apply(seq: number, version: number, batchIndex: number, m: Mutation): void {
    if (m.type === 'set') return this.put(m.key, m.value, seq, true);
    if (m.type === 'clearRange') return this.clearRange(m.key, m.end, seq);
    if (m.op === 'setVersionstampedKey') {
      // Its key is only known at commit: the client declares no write conflict for it.
      return this.put(referenceVersionstamp(m.key, version, batchIndex), m.value, seq, false);
    }
    if (m.op === 'setVersionstampedValue')
      return this.put(m.key, referenceVersionstamp(m.value, version, batchIndex), seq, true);
    this.put(m.key, referenceAtomic(m.op, this.latest(m.key), m.value), seq, true);
  }

  private put(key: BKey, value: BKey | undefined, seq: number, conflicts: boolean): void {
    let h = this.history.get(key);
    if (!h) {
      h = { seqs: [], values: [], lastWrite: -1, lastWriter: -1 };
      this.history.set(key, h);
    }
    if (value === undefined) this.live.unset(key, seq);
    else this.live.set(key);
    this.record(h, value, seq, conflicts);
  }

  private record(h: KeyHistory, value: BKey | undefined, seq: number, conflicts: boolean): void {
    const n = h.seqs.length;
    if (n > 0 && h.seqs[n - 1] === seq) h.values[n - 1] = value;
    else {
      h.seqs.push(seq);
      h.values.push(value);
    }
    if (conflicts) {
      h.lastWrite = seq;
      h.lastWriter = this.writer;
    }
  }

  private clearRange(begin: BKey, end: BKey, seq: number): void {
    if (begin >= end) return;
    this.clears.add(seq, this.writer, begin, end);
    // The keys holding a value: the others keep their history as it is.
    for (const k of this.live.clear(begin, end, seq)) {
      const h = this.history.get(k)!;
      if (h.values[h.values.length - 1] !== undefined) this.record(h, undefined, seq, true);
    }
  }

  /** The latest value of `key` (undefined when absent). */
  latest(key: BKey): BKey | undefined {
    const h = this.history.get(key);
    return h ? h.values[h.values.length - 1] : undefined;
  }

  /** The value of `key` as of position `seq` (undefined when absent). */
  get(key: BKey, seq: number): BKey | undefined {
    const h = this.history.get(key);
    return h ? valueAt(h, seq) : undefined;
  }

  /** Rows of [begin, end) as of `seq`, in key order (reversed when `reverse`), at most `limit` (0: all). */
  range(begin: BKey, end: BKey, seq: number, limit = 0, reverse = false): [BKey, BKey][] {
    const out: [BKey, BKey][] = [];
    this.live.scan(begin, end, seq, reverse, (k) => {
      const h = this.history.get(k);
      const v = h === undefined ? undefined : valueAt(h, seq);
      if (v === undefined) return false;
      out.push([k, v]);
      return limit > 0 && out.length >= limit;
    });
    return out;
  }

  /**
   * Whether `key` held something other than `value` at a position in (after, upTo]; undefined when
   * that history is no longer retained.
   */
  differedBetween(key: BKey, value: BKey | undefined, after: number, upTo: number): boolean | undefined {
    if (after < this.horizon) return undefined;
    const h = this.history.get(key);
    if (!h) return false;
    for (let i = h.seqs.length - 1; i >= 0; i--) {
      const s = h.seqs[i]!;
      if (s <= after) break;
      if (s <= upTo && h.values[i] !== value) return true;
    }
    return false;
  }

  /** A key in [begin, end) written (with a conflict) after position `after`, and who wrote it, if any. */
  writtenAfter(
    begin: BKey,
    end: BKey,
    after: number,
  ): { key: BKey; writer: number; seq: number } | undefined {
    if (begin >= end) return undefined;
    const c = this.clears.newestOver(begin, end, after);
    if (c) return { key: c.begin > begin ? c.begin : begin, writer: c.writer, seq: c.seq };
    let found: { key: BKey; writer: number; seq: number } | undefined;
    // A key written after `after` holds a value now, or had an absent write after `after`.
    this.live.scan(begin, end, after, false, (k) => {
      const h = this.history.get(k);
      if (h === undefined || h.lastWrite <= after) return false;
      found = { key: k, writer: h.lastWriter, seq: h.lastWrite };
      return true;
    });
    return found;
  }

  /** Drops history no read at a position above `horizon` needs. */
  prune(horizon: number): void {
    if (horizon <= this.horizon) return;
    this.horizon = horizon;
    this.clears.prune(horizon);
    this.live.forget(horizon);
    this.live.sweep((k) => this.latest(k) !== undefined);
    for (const [k, h] of this.history) {
      let keep = 0;
      while (keep + 1 < h.seqs.length && h.seqs[keep + 1]! <= horizon) keep++;
      if (keep > 0) {
        dropFront(h.seqs, keep);
        dropFront(h.values, keep);
      }
      if (
        h.seqs.length === 1 &&
        h.values[0] === undefined &&
        h.seqs[0]! <= horizon &&
        h.lastWrite <= horizon
      ) {
        this.history.delete(k);
      }
    }
  }

  /** Keys with retained history (for memory measurements). */
  get size(): number {
    return this.history.size;
  }
}

/** The value of a history as of position `seq`: the last entry at or before it. */
function valueAt(h: KeyHistory, seq: number): BKey | undefined {
  const after = upperBound(h.seqs, seq);
  return after === 0 ? undefined : h.values[after - 1];
}
