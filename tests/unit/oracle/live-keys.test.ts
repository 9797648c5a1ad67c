// The reference model's range reads and write checks visit only the keys that can matter (live-keys.ts);
// they must answer exactly as a scan of every key with history would, at every retained position.
import { describe, expect, it } from 'vitest';
import type { Mutation } from '../../../src/cluster/mutation.js';
import { Random } from '../../../src/core/random.js';
import { LiveKeys } from '../../../src/oracle/live-keys.js';
import { ReferenceModel } from '../../../src/oracle/model.js';

/** Every write of every key, kept whole: the slow, obviously right answer. */
class BruteModel {
  private readonly writes = new Map<string, { seq: number; value: string | undefined }[]>();
  private readonly lastWrite = new Map<string, number>();
  private readonly clears: { seq: number; b: string; e: string }[] = [];

  clear(b: string, e: string, seq: number): void {
    this.clears.push({ seq, b, e });
    for (const k of this.keys())
      if (k >= b && k < e && this.latest(k) !== undefined) this.put(k, undefined, seq);
  }

  put(key: string, value: string | undefined, seq: number): void {
    const w = this.writes.get(key) ?? [];
    w.push({ seq, value });
    this.writes.set(key, w);
    this.lastWrite.set(key, seq);
  }

  latest(key: string): string | undefined {
    return this.writes.get(key)?.at(-1)?.value;
  }

  valueAt(key: string, seq: number): string | undefined {
    let v: string | undefined;
    for (const w of this.writes.get(key) ?? []) if (w.seq <= seq) v = w.value;
    return v;
  }

  keys(): string[] {
    return [...this.writes.keys()].sort();
  }

  range(b: string, e: string, seq: number, limit: number, reverse: boolean): [string, string][] {
    const rows: [string, string][] = [];
    const keys = this.keys().filter((k) => k >= b && k < e);
    if (reverse) keys.reverse();
    for (const k of keys) {
      const v = this.valueAt(k, seq);
      if (v === undefined) continue;
      rows.push([k, v]);
      if (limit > 0 && rows.length >= limit) break;
    }
    return rows;
  }

  /** A clear over [b, e) after `after` ('clear'), else the first key in it written after `after`. */
  writtenAfter(b: string, e: string, after: number): string | undefined {
    if (this.clears.some((c) => c.seq > after && c.b < e && b < c.e)) return 'clear';
    return this.keys().find((k) => k >= b && k < e && (this.lastWrite.get(k) ?? -1) > after);
  }
}

const KEYS = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`);

function randomRange(r: Random): [string, string] {
  const a = r.int(0, KEYS.length);
  const b = r.int(a + 1, KEYS.length + 1);
  return [KEYS[a]!, b === KEYS.length ? 'l' : KEYS[b]!];
}

describe('the reference model with its key index', () => {
  it('answers every range read as a scan of all keys would, after sets, clears and clears of absent keys', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = new Random(`live-keys-${seed}`);
      const model = new ReferenceModel();
      const brute = new BruteModel();
      let seq = 0;
      for (let step = 0; step < 300; step++) {
        seq += r.int(1, 4);
        const muts: Mutation[] = [];
        const n = r.int(1, 4);
        for (let i = 0; i < n; i++) {
          if (r.chance(0.6)) {
            const key = r.pick(KEYS);
            const value = `v${step}.${i}`;
            muts.push({ type: 'set', key, value });
          } else {
            const [b, e] = randomRange(r);
            muts.push({ type: 'clearRange', key: b, end: e });
          }
        }
        model.applyTransaction(seq, seq, 0, muts);
        for (const m of muts) {
          if (m.type === 'set') brute.put(m.key, m.value, seq);
          else if (m.type === 'clearRange') brute.clear(m.key, m.end, seq);
        }
        // Reads anywhere above the horizon, which moves up now and then.
        if (step % 50 === 49) model.prune(seq - 40);
        for (let q = 0; q < 3; q++) {
          const at = r.int(Math.max(0, model.horizon + 1), seq + 1);
          const [b, e] = randomRange(r);
          const limit = r.pick([0, 1, 2, 5]);
          const reverse = r.chance(0.5);
          expect(model.range(b, e, at, limit, reverse), `seed ${seed} step ${step}`).toEqual(
            brute.range(b, e, at, limit, reverse),
          );
          const after = r.int(Math.max(0, model.horizon + 1), seq + 1);
          const w = model.writtenAfter(b, e, after);
          const want = brute.writtenAfter(b, e, after);
          // A clear over the range after `after` is reported first (at its begin); otherwise the first key.
          if (want === 'clear') expect(w, `seed ${seed} step ${step}`).toBeDefined();
          else expect(w?.key, `seed ${seed} step ${step}`).toBe(want);
        }
      }
    }
  });
});

describe('LiveKeys', () => {
  const seen = (live: LiveKeys, since: number, reverse = false) => {
    const out: string[] = [];
    live.scan('', '\xff', since, reverse, (k) => {
      out.push(k);
      return false;
    });
    return out;
  };

  it('visits each key once, in order or reverse, the listed keys and those cleared after the position', () => {
    const live = new LiveKeys();
    for (const k of ['a', 'b', 'c', 'd', 'e']) live.set(k);
    expect(live.clear('b', 'd', 10)).toEqual(['b', 'c']);
    live.unset('e', 12);
    live.set('c'); // written again after its clear: present, and still in its grave
    // A small clear leaves its keys listed until the sweep.
    expect(seen(live, 12)).toEqual(['a', 'b', 'c', 'd', 'e']);
    live.sweep((k) => ['a', 'c', 'd'].includes(k));
    expect(seen(live, 12)).toEqual(['a', 'c', 'd']);
    expect(seen(live, 9)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen(live, 9, true)).toEqual(['e', 'd', 'c', 'b', 'a']);
    live.forget(12);
    expect(seen(live, 9)).toEqual(['a', 'c', 'd']);
  });

  it('takes a large clear off the list at once; reads before it still see its keys', () => {
    const live = new LiveKeys();
    const keys = Array.from({ length: 100 }, (_, i) => `k${String(i).padStart(3, '0')}`);
    for (const k of keys) live.set(k);
    expect(live.clear('k010', 'k090', 50)).toHaveLength(80);
    expect(seen(live, 50)).toHaveLength(20);
    expect(seen(live, 49)).toEqual(keys);
  });

  it('stops when the visitor says so', () => {
    const live = new LiveKeys();
    for (const k of ['a', 'b', 'c']) live.set(k);
    live.clear('a', 'b', 5);
    const out: string[] = [];
    live.scan('', '\xff', 0, false, (k) => {
      out.push(k);
      return out.length === 2;
    });
    expect(out).toEqual(['a', 'b']);
  });
});
