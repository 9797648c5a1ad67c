// Which keys of the reference model can hold a value at a position, without visiting every key with
// retained history. After a large clear (a test's clearAfterTest, say) the model keeps the cleared keys'
// history until no read can need it, several simulated seconds; reads that scanned every one of them
// then cost a run minutes of wall time (swarm seed 25444: 26,000 cleared keys, 60,000 range reads with a
// limit of 1 or 99). So the model keeps, besides each key's history:
// - the keys whose newest value is present, sorted;
// - graves: the keys an absent write (a clear, or an atomic operation that left nothing) touched, in
//   batches, each batch marked with the newest position among its writes.
// A key that held a value at position p and holds none now had an absent write after p, so it lies in a
// batch marked after p. Reads at p therefore look at the present keys and the batches marked after p:
// reads at recent positions skip the cleared keys entirely. The candidates are a superset; the caller
// still checks each key's value at p. Kept apart from the cluster's storage, as the whole model is.
import { type BKey, lowerBound } from '../cluster/keys.js';

/** Keys absent-written at positions up to `at` (sorted, no duplicates). */
interface Graves {
  at: number;
  keys: BKey[];
}

/** A batch takes single absent writes until it holds this many keys; a larger clear makes its own. */
const SMALL_BATCH = 64;

/** A sorted run of keys being merged: `keys[i]` is next, and the run ends at `end` (exclusive). */
interface Run {
  readonly keys: readonly BKey[];
  i: number;
  readonly end: number;
}

export class LiveKeys {
  /** Keys whose newest value is present, sorted. */
  private present: BKey[] = [];
  private graves: Graves[] = [];

  /** `key`'s newest value is present (it may have been already). */
  set(key: BKey): void {
    const i = lowerBound(this.present, key);
    if (this.present[i] !== key) this.present.splice(i, 0, key);
  }

  /** `key` was written absent at position `at` (it may have been absent already). */
  unset(key: BKey, at: number): void {
    const i = lowerBound(this.present, key);
    if (this.present[i] === key) this.present.splice(i, 1);
    this.bury([key], at);
  }

  /** The present keys in [begin, end), taken out and buried at `at`: a clear. In key order. */
  clear(begin: BKey, end: BKey, at: number): BKey[] {
    const i = lowerBound(this.present, begin);
    const j = lowerBound(this.present, end);
    if (i >= j) return [];
    const gone = this.present.splice(i, j - i);
    this.bury(gone, at);
    return gone;
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
    const runs: Run[] = [this.run(this.present, begin, end)];
    for (const g of this.graves) if (g.at > since) runs.push(this.run(g.keys, begin, end));
    if (runs.length === 1) {
      const r = runs[0]!;
      if (!reverse) {
        for (let i = r.i; i < r.end; i++) if (visit(r.keys[i]!)) return;
      } else {
        for (let i = r.end - 1; i >= r.i; i--) if (visit(r.keys[i]!)) return;
      }
      return;
    }
    mergeRuns(runs, reverse, visit);
  }

  private run(keys: readonly BKey[], begin: BKey, end: BKey): Run {
    return { keys, i: lowerBound(keys, begin), end: lowerBound(keys, end) };
  }

  private bury(keys: BKey[], at: number): void {
    const last = this.graves[this.graves.length - 1];
    if (last !== undefined && keys.length === 1 && last.keys.length < SMALL_BATCH) {
      const k = keys[0]!;
      const i = lowerBound(last.keys, k);
      if (last.keys[i] !== k) last.keys.splice(i, 0, k);
      if (at > last.at) last.at = at;
      return;
    }
    this.graves.push({ at, keys });
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
