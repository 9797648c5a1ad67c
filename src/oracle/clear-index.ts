// The clears the reference model keeps, indexed for the question the serializability check asks of every
// read range of every committed transaction: the newest clear after a position that overlaps the range.
// Scanning every clear since the read version made that check a few percent of a run (Cycle clears a
// tiny range in each transaction). A point read [k, k\x00) can only overlap a narrow clear beginning at k
// or at a prefix of k that a zero byte follows, so those are found by key; the other clears are scanned.
import { type BKey, isSingleKey } from '../cluster/keys.js';

/** A clear range applied at a commit position. */
export interface ClearRecord {
  readonly seq: number;
  readonly writer: number;
  readonly begin: BKey;
  readonly end: BKey;
  /** Order of application: later clears have larger numbers (and never a smaller `seq`). */
  readonly order: number;
}

export class ClearIndex {
  /** Every clear kept, in order of application. */
  private all: ClearRecord[] = [];
  /** Clears that are not narrow, in order of application. */
  private wide: ClearRecord[] = [];
  /** Narrow clears (covering only their begin and keys that extend it with a zero byte), by begin. */
  private narrow = new Map<BKey, ClearRecord[]>();
  private nextOrder = 0;

  add(seq: number, writer: number, begin: BKey, end: BKey): void {
    const c: ClearRecord = { seq, writer, begin, end, order: this.nextOrder++ };
    this.all.push(c);
    this.index(c);
  }

  /** Forgets the clears at or below `horizon`. */
  prune(horizon: number): void {
    this.all = this.all.filter((c) => c.seq > horizon);
    this.wide = [];
    this.narrow.clear();
    for (const c of this.all) this.index(c);
  }

  /** The last clear applied with `seq` above `after` that overlaps [begin, end), if any. */
  newestOver(begin: BKey, end: BKey, after: number): ClearRecord | undefined {
    if (!isSingleKey(begin, end)) return newestIn(this.all, begin, end, after);
    let best = newestIn(this.wide, begin, end, after);
    best = later(best, newestIn(this.narrow.get(begin), begin, end, after));
    for (let i = 0; i < begin.length; i++) {
      if (begin.charCodeAt(i) === 0)
        best = later(best, newestIn(this.narrow.get(begin.slice(0, i)), begin, end, after));
    }
    return best;
  }

  private index(c: ClearRecord): void {
    if (c.end > `${c.begin}\x01`) {
      this.wide.push(c);
      return;
    }
    const list = this.narrow.get(c.begin);
    if (list) list.push(c);
    else this.narrow.set(c.begin, [c]);
  }
}

/** The last clear of `list` (in order of application) with `seq` above `after` that overlaps [begin, end). */
function newestIn(
  list: readonly ClearRecord[] | undefined,
  begin: BKey,
  end: BKey,
  after: number,
): ClearRecord | undefined {
  if (list === undefined) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i]!;
    if (c.seq <= after) return undefined;
    if (c.begin < end && begin < c.end) return c;
  }
  return undefined;
}

function later(a: ClearRecord | undefined, b: ClearRecord | undefined): ClearRecord | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.order > a.order ? b : a;
}
