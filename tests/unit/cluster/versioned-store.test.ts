// A storage server's multi-version store: compaction and rollback never change a read inside the MVCC
// window, and compaction forgets keys whose history ends in a clear older than the window.
import { describe, expect, it } from 'vitest';
import { VersionedStore } from '../../../src/cluster/versioned-store.js';
import { Random } from '../../../src/core/random.js';

/** Every put, kept forever: the value of a key at a version is its last put at or below it. */
class Model {
  private readonly puts: { key: string; version: number; value: string | null }[] = [];
  put(key: string, version: number, value: string | null): void {
    this.puts.push({ key, version, value });
  }
  get(key: string, version: number): string | undefined {
    let best: { version: number; value: string | null } | undefined;
    for (const p of this.puts)
      if (p.key === key && p.version <= version && (!best || p.version >= best.version)) best = p;
    return best?.value ?? undefined;
  }
  dropRange(b: string, e: string): void {
    for (let i = this.puts.length - 1; i >= 0; i--)
      if (this.puts[i]!.key >= b && this.puts[i]!.key < e) this.puts.splice(i, 1);
  }
  rollback(version: number): void {
    for (let i = this.puts.length - 1; i >= 0; i--)
      if (this.puts[i]!.version > version) this.puts.splice(i, 1);
  }
}

describe('VersionedStore', () => {
  it('answers every read inside the window as a full history would, through compactions and rollbacks', () => {
    const r = new Random(5);
    const store = new VersionedStore();
    const model = new Model();
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    let version = 0;
    let oldest = 0;
    for (let step = 0; step < 3000; step++) {
      version += r.int(1, 4);
      // Several writes at one version, some to the same key (the last one wins).
      for (let n = r.int(0, 6); n > 0; n--) {
        const key = keys[r.int(0, keys.length)]!;
        const value = r.chance(0.25) ? null : `v${version}`;
        store.put(key, version, value);
        model.put(key, version, value);
      }
      if (r.chance(0.2)) {
        oldest = Math.max(oldest, version - r.int(0, 30));
        store.compact(oldest);
      }
      if (r.chance(0.02)) {
        version = Math.max(oldest, version - r.int(0, 10));
        store.rollback(version);
        model.rollback(version);
      }
      if (r.chance(0.01)) {
        // A shard moved away: its keys' history goes.
        const [b, e] = [keys[r.int(0, 6)]!, keys[r.int(6, keys.length)]!];
        store.dropRange(b, e);
        model.dropRange(b, e);
      }
      const key = keys[r.int(0, keys.length)]!;
      const at = r.int(oldest, version + 1);
      expect(store.get(key, at)).toBe(model.get(key, at));
      // Range reads too: they walk the store's keys with their histories side by side.
      const [b, e] = [keys[r.int(0, 6)]!, keys[r.int(6, keys.length)]!];
      const limit = r.int(0, 4);
      const reverse = r.chance(0.5);
      const want = [...keys]
        .sort()
        .filter((k) => k >= b && k < e && model.get(k, at) !== undefined)
        .map((k): [string, string] => [k, model.get(k, at)!]);
      if (reverse) want.reverse();
      expect(store.range(b, e, at, limit, reverse)).toEqual(limit > 0 ? want.slice(0, limit) : want);
    }
    // Keys whose last write is a clear below the window are forgotten; the others stay.
    version += 1;
    store.compact(version);
    const live = keys.filter((k) => model.get(k, version) !== undefined);
    expect(store.size).toBe(live.length);
    // Every key is down to its one entry: compaction missed none, rollbacks included.
    expect(store.entries).toBe(live.length);
    expect(store.keysIn('', '\xff')).toEqual([...live].sort());
  });

  it('forgets a new key set and cleared at one version once the window passes it', () => {
    const store = new VersionedStore();
    store.put('keep', 5, 'a');
    store.put('gone', 5, 'a');
    store.put('gone', 5, null);
    store.compact(4);
    expect(store.keysIn('', '\xff')).toEqual(['gone', 'keep']);
    store.compact(6);
    expect(store.keysIn('', '\xff')).toEqual(['keep']);
    expect(store.get('keep', 6)).toBe('a');
  });

  it('compacts a key written at older versions after another key was written at newer ones', () => {
    const store = new VersionedStore();
    store.put('a', 10, 'x');
    store.put('a', 20, 'y');
    store.put('b', 5, 'x');
    store.put('b', 8, 'y');
    store.compact(9);
    expect(store.entries).toBe(3); // b keeps 8; a keeps 10 and 20
    expect(store.get('b', 9)).toBe('y');
    store.compact(20);
    expect(store.entries).toBe(2);
    expect(store.get('a', 20)).toBe('y');
  });

  it('forgets a key whose clear is left last by a rollback, once the window passes it', () => {
    const store = new VersionedStore();
    store.put('k', 1, 'a');
    store.put('k', 5, null);
    store.put('k', 9, 'b');
    store.compact(6); // keeps the clear at 5 and the write at 9
    expect(store.entries).toBe(2);
    store.rollback(7); // the write at 9 goes; the clear is all that is left
    store.compact(8);
    expect(store.size).toBe(0);
  });
});
