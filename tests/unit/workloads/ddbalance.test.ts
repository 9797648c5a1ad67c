// DDBalance and BackgroundSelector against the reference model: the movers shift every object from bin to
// bin and none is lost or doubled; a database that drops writes is caught (LostKeys); the selector walk
// beside them agrees with itself; a database whose getKey is off by one is caught (BackgroundSelectorError).
import { describe, expect, it } from 'vitest';
import type { KeySelector, Transaction } from '../../../src/index.js';
import backgroundSelector from '../../../workloads/background-selector.js';
import ddbalance from '../../../workloads/ddbalance.js';
import { ModelDatabase } from '../../support/model-db.js';
import { runWorkloadForTest } from '../../support/workload-harness.js';

/** BackgroundSelector's options in these tests: a narrow window, stepping often. */
const walk = { testDuration: 6, transactionsPerSecond: 40, maxDiff: 30 } as const;

/** Small enough for a unit test: 2 movers of 5 workers each, 20 objects per worker and client. */
const small = {
  testDuration: 6,
  transactionsPerSecond: 400,
  binCount: 20,
  writesPerTransaction: 5,
  keySpaceDriftFactor: 3,
  moversPerClient: 2,
  actorsPerClient: 10,
  nodes: 400,
  discardEdgeMeasurements: false,
} as const;

/** A database that silently drops every 97th write: the clear of a move commits, its write is lost. */
class DropsWritesDatabase extends ModelDatabase {
  private writes = 0;
  override createTransaction(): Transaction {
    const tr = super.createTransaction();
    const set = tr.set.bind(tr);
    tr.set = (k, v) => {
      if (++this.writes % 97 !== 0) set(k, v);
    };
    return tr;
  }
}

/** A database whose getKey lands one key further for selectors with a positive offset. */
class OffByOneGetKeyDatabase extends ModelDatabase {
  override createTransaction(): Transaction {
    const tr = super.createTransaction();
    const getKey = tr.getKey.bind(tr);
    tr.getKey = (sel: KeySelector, opts) =>
      getKey(sel.offset > 1 ? { ...sel, offset: sel.offset + 1 } : sel, opts);
    return tr;
  }
}

/** The objects in the database: `object/mover/client` -> the bins holding it, and its values. */
function objects(db: ModelDatabase): Map<string, { bins: number[]; values: string[] }> {
  const out = new Map<string, { bins: number[]; values: string[] }>();
  const text = new TextDecoder();
  for (const { key, value } of db.rawDump()) {
    const k = text.decode(key);
    const id = `${k.slice(8, 16)}/${k.slice(16, 24)}/${k.slice(24, 32)}`;
    const entry = out.get(id) ?? { bins: [], values: [] };
    entry.bins.push(Number.parseInt(k.slice(0, 8), 16));
    entry.values.push(text.decode(value));
    out.set(id, entry);
  }
  return out;
}

describe('DDBalance workload', () => {
  it.each([1, 2, 3])('moves every object between bins and loses none (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({ workload: ddbalance, options: small, clientCount: 2, seed });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Bin_Shifts')).toBeGreaterThan(2);
    expect(r.metrics.get('Operations')).toBeGreaterThan(1000);
    const all = objects(r.db);
    // Setup writes objects 0..(nodes / clients / movers); each sits in exactly one bin, with its value.
    expect(all.size).toBeGreaterThanOrEqual(400);
    for (const [id, o] of all) {
      expect(o.bins, id).toHaveLength(1);
      const n = Number.parseInt(id.slice(0, 8), 16);
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, n);
      expect(o.values[0]).toBe(view.getBigUint64(0).toString(16).padStart(16, '0'));
    }
    // The objects a mover's workers cover (5 workers x 20) move together: after the run they share one
    // bin, or two when testDuration cut a shift short. Setup writes a few more, which never move.
    const binsOf = new Map<string, Set<number>>();
    for (const [id, o] of all) {
      if (Number.parseInt(id.slice(0, 8), 16) >= 100) continue;
      const mover = id.slice(9);
      binsOf.set(mover, (binsOf.get(mover) ?? new Set()).add(o.bins[0]!));
    }
    expect(binsOf.size).toBe(4);
    for (const bins of binsOf.values()) expect(bins.size).toBeLessThanOrEqual(2);
  });

  it('reports LostKeys on a database that drops writes', async () => {
    const r = await runWorkloadForTest({
      workload: ddbalance,
      options: small,
      clientCount: 2,
      seed: 4,
      db: (env) => new DropsWritesDatabase(env),
    });
    expect(r.passed).toBe(false);
    const lost = r.failures.filter((f) => f.type === 'LostKeys');
    expect(lost.length).toBeGreaterThan(0);
    expect(Number(lost[0]!.details.MaxMoved)).toBeLessThan(Number(lost[0]!.details.ShouldHaveMoved));
  });
});

describe('BackgroundSelector workload', () => {
  it.each([1, 2, 3])('walks the key space beside DDBalance, agreeing with itself (seed %i)', async (seed) => {
    const r = await runWorkloadForTest({
      workloads: [
        { workload: ddbalance, options: small },
        { workload: backgroundSelector, options: walk },
      ],
      clientCount: 2,
      seed,
    });
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.metrics.get('BackgroundSelector.Checks')).toBeGreaterThan(50);
  });

  it('reports BackgroundSelectorError on a database whose getKey is off by one', async () => {
    const r = await runWorkloadForTest({
      workloads: [
        { workload: ddbalance, options: small },
        { workload: backgroundSelector, options: walk },
      ],
      clientCount: 2,
      seed: 5,
      db: (env) => new OffByOneGetKeyDatabase(env),
    });
    expect(r.passed).toBe(false);
    expect(r.failures.map((f) => f.type)).toContain('BackgroundSelectorError');
  });

  it('on an empty database starts over without reading a window, and fails nothing', async () => {
    const r = await runWorkloadForTest({
      workload: backgroundSelector,
      options: { testDuration: 3, transactionsPerSecond: 20 },
    });
    expect(r.passed).toBe(true);
    expect(r.metrics.get('Operations')).toBeGreaterThan(20);
    expect(r.metrics.get('Checks')).toBe(0);
  });
});
