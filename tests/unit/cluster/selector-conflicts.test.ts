// The read conflicts of a key-selector range read, checked against a model of the database: they must
// catch every set of writes that changes the read's result (else a missed conflict, an isolation bug),
// and must be no wider than FoundationDB's read-your-writes conflict range for the same read (else false
// conflicts that FoundationDB's ConflictRange workload reports). Any change of up to five keys, all
// inserts or all clears (as that workload makes) or mixed, forward and reverse, with and without limits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ResolvedSelector, selectorRangeConflicts } from '../../../src/cluster/client.js';

const MAX = '\xff';
const KEYS = 24;
const keyAt = (i: number): string => `k${String(i).padStart(2, '0')}`;
const after = (k: string): string => `${k}\x00`;

interface Selector {
  readonly key: string;
  readonly orEqual: boolean;
  readonly offset: number;
}

/** A selector resolved over the sorted keys `db`, with the range a scan from its base key covers. */
function resolve(db: readonly string[], sel: Selector): ResolvedSelector {
  const start = sel.orEqual ? after(sel.key) : sel.key;
  const anchor = db.filter((k) => k < start).length;
  const index = anchor + sel.offset - 1;
  if (sel.offset >= 1) {
    const key = index < db.length ? db[index]! : MAX;
    return { start, offset: sel.offset, key, scanned: [start, key === MAX ? MAX : after(key)] };
  }
  const key = index >= 0 ? db[index]! : '';
  return { start, offset: sel.offset, key, scanned: key === '' ? ['', start] : [key, start] };
}

/** The keys the read returns, in the order it returns them. */
function read(db: readonly string[], b: Selector, e: Selector, limit: number, reverse: boolean): string[] {
  const lo = resolve(db, b).key;
  const hi = resolve(db, e).key;
  const rows = db.filter((k) => k >= lo && k < hi);
  if (reverse) rows.reverse();
  return limit > 0 ? rows.slice(0, limit) : rows;
}

/** FoundationDB's ReadYourWrites addConflictRange for the same read (selectors already without orEqual). */
function fdbRange(
  db: readonly string[],
  b: Selector,
  e: Selector,
  limit: number,
  reverse: boolean,
  rows: readonly string[],
): [string, string] {
  const rb0 = resolve(db, b);
  const re0 = resolve(db, e);
  const more = limit > 0 && rows.length >= limit;
  // A selector ran off the beginning or the end; the flag on the far side of the rows is dropped when
  // the limit cut them (getRangeValue / getRangeValueBack).
  const readToBegin = (rb0.key === '' || re0.key === '') && !(reverse && more);
  const readThroughEnd = (rb0.key === MAX || re0.key === MAX) && !(!reverse && more);
  const sb = rb0.start;
  const se = re0.start;
  let lo: string;
  let hi: string;
  if (sb < se) {
    lo = reverse && b.offset <= 1 && more ? se : sb;
    hi = !reverse && e.offset > 0 && more ? sb : se;
  } else {
    lo = se;
    hi = sb;
  }
  if (readToBegin && b.offset <= 0) lo = '';
  if (readThroughEnd && e.offset > 0) hi = MAX;
  if (rows.length > 0) {
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    if (!reverse) {
      if (b.offset <= 0 && first < lo) lo = first;
      if (hi <= last) hi = after(last);
    } else {
      if (last < lo) lo = last;
      if (e.offset > 0 && hi <= first) hi = after(first);
    }
  }
  return [lo, hi];
}

const selector = fc.record({
  key: fc.integer({ min: 0, max: KEYS - 1 }).map(keyAt),
  orEqual: fc.boolean(),
  offset: fc.integer({ min: -5, max: 5 }),
});

const scenario = fc.record({
  present: fc.array(fc.boolean(), { minLength: KEYS, maxLength: KEYS }),
  begin: selector,
  end: selector,
  limit: fc.integer({ min: 0, max: 2 * KEYS }),
  reverse: fc.boolean(),
  // Keys to toggle (insert if absent, clear if present), and which kinds of change to keep.
  toggles: fc.uniqueArray(fc.integer({ min: 0, max: KEYS - 1 }), { minLength: 1, maxLength: 5 }),
  kind: fc.constantFrom('sets', 'clears', 'mixed'),
});

describe('selector range read conflicts', () => {
  it('catch every change that changes the result, and are never wider than FoundationDB', () => {
    let changed = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const db = s.present.flatMap((p, i) => (p ? [keyAt(i)] : []));
        const rows = read(db, s.begin, s.end, s.limit, s.reverse);
        const b = resolve(db, s.begin);
        const e = resolve(db, s.end);
        const pairs = rows.map((k) => [k, 'v'] as [string, string]);
        const conflicts = selectorRangeConflicts(b, e, s.limit, s.reverse, pairs);

        const toggled = s.toggles
          .filter((i) => (s.kind === 'sets' ? !s.present[i] : s.kind === 'clears' ? s.present[i] : true))
          .map(keyAt);
        const next = new Set(db);
        for (const k of toggled) {
          if (next.has(k)) next.delete(k);
          else next.add(k);
        }
        const db2 = [...next].sort();
        const rows2 = read(db2, s.begin, s.end, s.limit, s.reverse);
        const hit = toggled.some((k) => conflicts.some(([lo, hi]) => k >= lo && k < hi));
        if (rows2.join() !== rows.join()) {
          changed++;
          expect(hit, `missed conflict: ${JSON.stringify({ s, rows, rows2, toggled, conflicts })}`).toBe(
            true,
          );
        }
        if (rows.length > 0) {
          const [lo, hi] = fdbRange(db, s.begin, s.end, s.limit, s.reverse, rows);
          for (const [clo, chi] of conflicts) {
            expect(
              clo >= lo && chi <= hi,
              `wider than FoundationDB [${lo}, ${hi}): ${JSON.stringify({ s, rows, conflicts })}`,
            ).toBe(true);
          }
        }
      }),
      { numRuns: 20000, seed: 42 },
    );
    // The generator must produce result-changing writes for the soundness check to mean anything.
    expect(changed).toBeGreaterThan(1000);
  });

  it('do not conflict with an insert between the last row and an end selector that counts forward', () => {
    // ConflictRange seed 1: keys 12, 13, 17, 18, 20, 25; the end firstGreaterOrEqual(18) + 2 resolves to
    // 25, so the rows end at 20; inserting 22 moves the end to 22 but returns the same rows.
    const db = ['k12', 'k13', 'k17', 'k18', 'k20', 'k25'];
    const begin = { key: 'k12', orEqual: true, offset: 0 };
    const end = { key: 'k18', orEqual: false, offset: 3 };
    const rows = read(db, begin, end, 137, false);
    expect(rows).toEqual(['k12', 'k13', 'k17', 'k18', 'k20']);
    const conflicts = selectorRangeConflicts(
      resolve(db, begin),
      resolve(db, end),
      137,
      false,
      rows.map((k) => [k, 'v'] as [string, string]),
    );
    expect(conflicts.some(([lo, hi]) => 'k22' >= lo && 'k22' < hi)).toBe(false);
    expect(conflicts.some(([lo, hi]) => 'k19' >= lo && 'k19' < hi)).toBe(true);
  });
});
