// A storage server's in-memory multi-version key-value store: each key keeps its recent history, so
// reads at any version inside the MVCC window see exactly that version's data.
import { dropFront, upperBound } from '../core/arrays.js';
import { type BKey, lowerBound } from './keys.js';

/**
 * The recent history of one key: its versions in increasing order and the value written at each (`null`
 * means cleared), as two arrays rather than an array of pairs. A busy key holds hundreds of entries for the
 * MVCC window, long enough for the garbage collector to copy and promote them; pairs were an object each.
 */
class History {
  readonly versions: number[] = [];
  readonly values: (BKey | null)[] = [];

  get length(): number {
    return this.versions.length;
  }

  /** The index of the last entry at or below `version`, or -1 (binary search: busy keys are long). */
  lastAtOrBelow(version: number): number {
    return upperBound(this.versions, version) - 1;
  }

  /** The value at `version`, or undefined. Reads are mostly at recent versions: scans from the newest. */
  valueAt(version: number): BKey | undefined {
    const vs = this.versions;
    for (let i = vs.length - 1; i >= 0; i--) {
      if (vs[i]! <= version) return this.values[i] ?? undefined;
    }
    return undefined;
  }
}

/** Multi-version store over binary-string keys. */
export class VersionedStore {
  /** Keys with any history, sorted. */
  private keys: BKey[] = [];
  /**
   * The history of `keys[i]` at index i. A range read walks these rather than looking each key up: after a
   * large clear, the cleared keys stay until compaction passes the clear, and every read of the range
   * steps over each of them (a Map lookup per key made such reads cost milliseconds).
   */
  private hists: History[] = [];
  private readonly hist = new Map<BKey, History>();
  /**
   * What compaction must visit, as (version, key) pairs in version order: each entry that made a key's
   * history compactable (a second entry, or a clear). Once the window's edge passes a pair's version,
   * the entries before it are garbage, so compaction visits only the pairs the edge passed since the
   * last time, not every busy key (it runs each durability interval, a hundred times a run).
   */
  private readonly due = new DueQueue();

  /** Number of keys with history (including cleared ones not yet compacted). */
  get size(): number {
    return this.keys.length;
  }

  /** Records `value` (null = cleared) for `key` at `version` (versions must not decrease per key). */
  put(key: BKey, version: number, value: BKey | null): void {
    let h = this.hist.get(key);
    if (!h) {
      if (value === null) return; // clearing a key with no history changes nothing
      h = new History();
      this.hist.set(key, h);
      const i = lowerBound(this.keys, key);
      this.keys.splice(i, 0, key);
      this.hists.splice(i, 0, h);
    }
    const n = h.versions.length;
    if (n > 0 && h.versions[n - 1] === version) h.values[n - 1] = value;
    else {
      h.versions.push(version);
      h.values.push(value);
    }
    if (h.versions.length > 1 || value === null) this.due.add(version, key);
  }

  /** The value of `key` at `version`, or undefined. */
  get(key: BKey, version: number): BKey | undefined {
    const h = this.hist.get(key);
    return h === undefined ? undefined : h.valueAt(version);
  }

  /** The latest value of `key`. */
  latest(key: BKey): BKey | undefined {
    const h = this.hist.get(key);
    return h ? (h.values[h.values.length - 1] ?? undefined) : undefined;
  }

  /** Keys with history in [begin, end), in order. */
  keysIn(begin: BKey, end: BKey): BKey[] {
    const i = lowerBound(this.keys, begin);
    const j = lowerBound(this.keys, end);
    return this.keys.slice(i, j);
  }

  /** Key-value pairs in [begin, end) at `version`, up to `limit` (0 = all), forward or reverse. */
  range(begin: BKey, end: BKey, version: number, limit: number, reverse: boolean): [BKey, BKey][] {
    const out: [BKey, BKey][] = [];
    const i = lowerBound(this.keys, begin);
    const j = lowerBound(this.keys, end);
    const hists = this.hists;
    if (!reverse) {
      for (let k = i; k < j; k++) {
        const v = hists[k]!.valueAt(version);
        if (v !== undefined) {
          out.push([this.keys[k]!, v]);
          if (limit > 0 && out.length >= limit) break;
        }
      }
    } else {
      for (let k = j - 1; k >= i; k--) {
        const v = hists[k]!.valueAt(version);
        if (v !== undefined) {
          out.push([this.keys[k]!, v]);
          if (limit > 0 && out.length >= limit) break;
        }
      }
    }
    return out;
  }

  /** Forgets every history entry newer than `version` (a rollback). Returns how many entries were dropped. */
  rollback(version: number): number {
    let dropped = 0;
    const emptied: BKey[] = [];
    const stillDue: [BKey, number][] = [];
    for (const [key, h] of this.hist) {
      const before = h.length;
      const keep = h.lastAtOrBelow(version) + 1;
      if (keep < before) {
        h.versions.length = keep;
        h.values.length = keep;
        dropped += before - keep;
      }
      if (keep === 0) emptied.push(key);
      else if (keep < before && (keep > 1 || h.values[0] === null))
        stillDue.push([key, h.versions[keep - 1]!]);
    }
    // The pairs of the dropped entries go; a key they kept due gets a pair for what is left of it.
    this.due.dropAbove(version);
    for (const [key, last] of stillDue) this.due.add(last, key);
    if (emptied.length > 0) this.remove(emptied);
    return dropped;
  }

  /** Collapses history older than `version`: keeps the last entry at or below it. Drops dead keys. */
  compact(version: number): void {
    const dead: BKey[] = [];
    for (let key = this.due.next(version); key !== undefined; key = this.due.next(version)) {
      const h = this.hist.get(key);
      if (h === undefined) continue; // removed since (a pair left over is harmless)
      const keepFrom = Math.max(0, h.lastAtOrBelow(version));
      if (keepFrom > 0) {
        dropFront(h.versions, keepFrom);
        dropFront(h.values, keepFrom);
      }
      if (h.length === 1 && h.values[0] === null && h.versions[0]! <= version) dead.push(key);
    }
    if (dead.length > 0) this.remove(dead);
  }

  /** How many history entries the store holds over all keys (what compaction keeps in check). */
  get entries(): number {
    let n = 0;
    for (const h of this.hist.values()) n += h.length;
    return n;
  }

  /** Removes all history of keys in [begin, end) (a shard that moved away, or a reset before a fetch). */
  dropRange(begin: BKey, end: BKey): void {
    this.remove(this.keysIn(begin, end));
  }

  private remove(keys: BKey[]): void {
    const gone = new Set(keys);
    for (const k of keys) this.hist.delete(k);
    const kept: BKey[] = [];
    const hists: History[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      if (gone.has(k)) continue;
      kept.push(k);
      hists.push(this.hists[i]!);
    }
    this.keys = kept;
    this.hists = hists;
  }
}

/**
 * (version, key) pairs kept in version order, taken from the front. Pairs almost always arrive in order
 * (a storage server applies versions in order); the rare one that does not is put in its place.
 */
class DueQueue {
  private versions: number[] = [];
  private keys: BKey[] = [];
  private head = 0;

  add(version: number, key: BKey): void {
    const n = this.versions.length;
    if (n === this.head || this.versions[n - 1]! <= version) {
      this.versions.push(version);
      this.keys.push(key);
      return;
    }
    let i = n;
    while (i > this.head && this.versions[i - 1]! > version) i--;
    this.versions.splice(i, 0, version);
    this.keys.splice(i, 0, key);
  }

  /** The key of the first pair at or below `version`, taken off the queue, or undefined. */
  next(version: number): BKey | undefined {
    if (this.head === this.versions.length || this.versions[this.head]! > version) {
      this.shrink();
      return undefined;
    }
    return this.keys[this.head++];
  }

  /** Drops the pairs above `version` (their entries were rolled back). */
  dropAbove(version: number): void {
    let n = this.versions.length;
    while (n > this.head && this.versions[n - 1]! > version) n--;
    this.versions.length = n;
    this.keys.length = n;
  }

  /** Lets go of the pairs already taken once they are half the arrays. */
  private shrink(): void {
    if (this.head < 1024 || 2 * this.head < this.versions.length) return;
    this.versions = this.versions.slice(this.head);
    this.keys = this.keys.slice(this.head);
    this.head = 0;
  }
}
