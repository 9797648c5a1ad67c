// A storage server's in-memory multi-version key-value store: each key keeps its recent history, so
// reads at any version inside the MVCC window see exactly that version's data.
import { type BKey, lowerBound } from './keys.js';

/** One historical value of a key; `null` means cleared. */
type Entry = readonly [version: number, value: BKey | null];

/** Multi-version store over binary-string keys. */
export class VersionedStore {
  /** Keys with any history, sorted. */
  private keys: BKey[] = [];
  private readonly hist = new Map<BKey, Entry[]>();
  /**
   * Every key that compaction could change: more than one entry, or only a clear. Compaction visits
   * these instead of every key (it runs each durability interval; most keys are not written in between).
   */
  private readonly compactable = new Set<BKey>();

  /** Number of keys with history (including cleared ones not yet compacted). */
  get size(): number {
    return this.keys.length;
  }

  /** Records `value` (null = cleared) for `key` at `version` (versions must not decrease per key). */
  put(key: BKey, version: number, value: BKey | null): void {
    let h = this.hist.get(key);
    if (!h) {
      if (value === null) return; // clearing a key with no history changes nothing
      h = [];
      this.hist.set(key, h);
      const i = lowerBound(this.keys, key);
      this.keys.splice(i, 0, key);
    }
    const last = h[h.length - 1];
    if (last && last[0] === version) h[h.length - 1] = [version, value];
    else h.push([version, value]);
    if (h.length > 1 || value === null) this.compactable.add(key);
  }

  /** The value of `key` at `version`, or undefined. */
  get(key: BKey, version: number): BKey | undefined {
    const h = this.hist.get(key);
    if (!h) return undefined;
    for (let i = h.length - 1; i >= 0; i--) {
      const e = h[i]!;
      if (e[0] <= version) return e[1] ?? undefined;
    }
    return undefined;
  }

  /** The latest value of `key`. */
  latest(key: BKey): BKey | undefined {
    const h = this.hist.get(key);
    return h ? (h[h.length - 1]![1] ?? undefined) : undefined;
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
    if (!reverse) {
      for (let k = i; k < j; k++) {
        const key = this.keys[k]!;
        const v = this.get(key, version);
        if (v !== undefined) {
          out.push([key, v]);
          if (limit > 0 && out.length >= limit) break;
        }
      }
    } else {
      for (let k = j - 1; k >= i; k--) {
        const key = this.keys[k]!;
        const v = this.get(key, version);
        if (v !== undefined) {
          out.push([key, v]);
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
    for (const [key, h] of this.hist) {
      while (h.length > 0 && h[h.length - 1]![0] > version) {
        h.pop();
        dropped++;
      }
      if (h.length === 0) emptied.push(key);
    }
    if (emptied.length > 0) this.remove(emptied);
    return dropped;
  }

  /** Collapses history older than `version`: keeps the last entry at or below it. Drops dead keys. */
  compact(version: number): void {
    const dead: BKey[] = [];
    for (const key of this.compactable) {
      const h = this.hist.get(key);
      if (h === undefined) {
        this.compactable.delete(key);
        continue;
      }
      // The last entry at or below `version`, by binary search (a key's entries are in version order):
      // a busy key has many entries on both sides of the window's edge.
      let lo = 0;
      let hi = h.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (h[mid]![0] <= version) lo = mid + 1;
        else hi = mid;
      }
      const keepFrom = lo > 0 ? lo - 1 : 0;
      if (keepFrom > 0) h.splice(0, keepFrom);
      if (h.length === 1 && h[0]![1] === null && h[0]![0] <= version) dead.push(key);
      else if (h.length === 1 && h[0]![1] !== null) this.compactable.delete(key);
    }
    if (dead.length > 0) this.remove(dead);
  }

  /** Removes all history of keys in [begin, end) (a shard that moved away, or a reset before a fetch). */
  dropRange(begin: BKey, end: BKey): void {
    this.remove(this.keysIn(begin, end));
  }

  private remove(keys: BKey[]): void {
    const gone = new Set(keys);
    for (const k of keys) {
      this.hist.delete(k);
      this.compactable.delete(k);
    }
    this.keys = this.keys.filter((k) => !gone.has(k));
  }
}
