// Which keys of the reference model can hold a value at a position, without visiting every key with
// retained history. After a large clear (a test's clearAfterTest, say) the model keeps the cleared keys'
// history until no read can need it, several simulated seconds; reads that scanned every one of them
// then cost a run minutes of wall time (swarm seed 25444: 26,000 cleared keys, 60,000 range reads with a
// limit of 1 or 99). So the model keeps, besides each key's history:
// - the listed keys, sorted: every key whose newest value is present, and keys cleared a few at a time
//   since the last sweep (taking one key out of a sorted array and putting it back when it is written
//   again, as Cycle does with every swap, costs more than stepping over it until the sweep);
// - graves: the keys an absent write (a clear, or an atomic operation that left nothing) touched, in
//   batches, each batch marked with the newest position among its writes.
// A key that held a value at position p and holds none now had an absent write after p, so it lies in a
// batch marked after p. Reads at p therefore look at the listed keys and the batches marked after p:
// reads at recent positions skip a large clear's keys entirely. The candidates are a superset; the caller
// still checks each key's value at p. Kept apart from the cluster's storage, as the whole model is.
import { type BKey, lowerBound } from '../cluster/keys.js';

/** Keys absent-written at positions up to `at` (sorted, no duplicates). */
interface Graves {
  at: number;
  keys: BKey[];
}

/** A batch takes single absent writes until it holds this many keys; a larger clear makes its own. */
const SMALL_BATCH = 64;

/** A clear of at most this many listed keys leaves them listed until the next sweep. */
const LAZY_CLEAR = 16;

/** A sorted run of keys being merged: `keys[i]` is next, and the run ends at `end` (exclusive). */
interface Run {
  readonly keys: readonly BKey[];
  i: number;
  readonly end: number;
}

export class LiveKeys {
  /** The listed keys, sorted: every key with a present newest value, and some without (see above). */
  private listed: BKey[] = [];
  /** The same keys, for a membership test without a search. */
  private readonly isListed = new Set<BKey>();
  /** In order of their marks: positions only grow, so a new batch is marked at or after the last. */
  private graves: Graves[] = [];

  /** `key`'s newest value is present (it may have been already). */
  set(key: BKey): void {
    if (this.isListed.has(key)) return;
    this.listed.splice(lowerBound(this.listed, key), 0, key);
    this.isListed.add(key);
  }

  /**
   * `key` was written absent at position `at`: it joins the newest batch while that is small. It stays
   * listed until the next sweep.
   */
  unset(key: BKey, at: number): void {
    const last = this.graves[this.graves.length - 1];
    if (last === undefined || last.keys.length >= SMALL_BATCH) {
      this.graves.push({ at, keys: [key] });
      return;
    }
    const i = lowerBound(last.keys, key);
    if (last.keys[i] !== key) last.keys.splice(i, 0, key);
    if (at > last.at) last.at = at;
  }

  /**
   * A clear of [begin, end) at `at`: buries the listed keys in it and returns them, in key order (some
   * may have been absent already). A large clear takes them off the list at once.
   */
  clear(begin: BKey, end: BKey, at: number): BKey[] {
    const i = lowerBound(this.listed, begin);
    const j = lowerBound(this.listed, end);
    if (i >= j) return [];
    if (j - i <= LAZY_CLEAR) {
      const some = this.listed.slice(i, j);
      for (const k of some) this.unset(k, at);
      return some;
    }
    const gone = this.listed.splice(i, j - i);
    for (const k of gone) this.isListed.delete(k);
    this.graves.push({ at, keys: gone });
    return gone;
  }

  /** Takes off the list the keys `present` says hold no value now. */
  sweep(present: (key: BKey) => boolean): void {
    const kept: BKey[] = [];
    for (const k of this.listed) {
      if (present(k)) kept.push(k);
      else this.isListed.delete(k);
    }
    this.listed = kept;
  }

  /** Forgets the batches whose every write is at or below `horizon`: no read there is answered. */
  forget(horizon: number): void {
    if (this.graves.length > 0 && this.graves[0]!.at <= horizon)
      this.graves = this.graves.filter((g) => g.at > horizon);
  }

  /**
   * Calls `visit` with every key in [begin, end) that may hold a value at a position above `since`
   * (present now, or absent-written after `since`), in key order or reverse, each once, until it
   * returns true.
   */
  scan(begin: BKey, end: BKey, since: number, reverse: boolean, visit: (key: BKey) => boolean): void {
    if (begin >= end) return;
    // Batches are in order of their marks: those marked after `since` are at the end.
    const graves = this.graves;
    let first = graves.length;
    while (first > 0 && graves[first - 1]!.at > since) first--;
    if (first === graves.length) {
      // The usual case, a read at a recent position: the listed keys alone.
      const keys = this.listed;
      const from = lowerBound(keys, begin);
      const to = lowerBound(keys, end);
      if (!reverse) {
        for (let i = from; i < to; i++) if (visit(keys[i]!)) return;
      } else {
        for (let i = to - 1; i >= from; i--) if (visit(keys[i]!)) return;
      }
      return;
    }
    const runs: Run[] = [this.run(this.listed, begin, end)];
    for (let g = first; g < graves.length; g++) runs.push(this.run(graves[g]!.keys, begin, end));
    mergeRuns(runs, reverse, visit);
  }

  private run(keys: readonly BKey[], begin: BKey, end: BKey): Run {
    return { keys, i: lowerBound(keys, begin), end: lowerBound(keys, end) };
  }
}

/** Visits the union of sorted runs in order (or reverse), each key once, until `visit` returns true. */
function mergeRuns(runs: Run[], reverse: boolean, visit: (key: BKey) => boolean): void {
  // Reverse: walk each run from its end down to its start.
  const pos = runs.map((r) => (reverse ? r.end - 1 : r.i));
  for (;;) {
    let best: BKey | undefined;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      const p = pos[r]!;
      if (reverse ? p < run.i : p >= run.end) continue;
      const k = run.keys[p]!;
      if (best === undefined || (reverse ? k > best : k < best)) best = k;
    }
    if (best === undefined) return;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      const p = pos[r]!;
      if ((reverse ? p >= run.i : p < run.end) && run.keys[p] === best) pos[r] = reverse ? p - 1 : p + 1;
    }
    if (visit(best)) return;
  }
}
