// ConflictRange: conflict detection must be exact. A random key-selector range read is taken (T1);
// T2 inserts absent keys or clears present ones and commits; T3, pinned to T2's read version, repeats
// the range read, makes a dummy write and commits. If T3 committed, a fresh read must still return the
// original rows (else a missed conflict: an isolation bug); if T3 conflicted, a fresh read should differ
// (else a false conflict, allowed only in the benign cases FoundationDB lists).
// Its checks assume nothing else writes where its reads can reach. Key selectors walk up to maxOffset keys
// past either end of its keys, so fences of constant keys bracket them: other workloads' keys (say
// WriteDuringRead's `\x02...`, which sort before `0...`) stay out of reach.
import {
  type Bytes,
  bytes,
  defineWorkload,
  FdbError,
  type KeySelector,
  type KeyValue,
  opt,
  printable,
  type Transaction,
} from '../src/index.js';

const options = {
  minOperationsPerTransaction: opt.int({
    default: 2,
    min: 1,
    unit: 'operations',
    doc:
      'Read for compatibility: FoundationDB reads it (and, by a bug in its source, its max-operations ' +
      'option from the same key) but its conflict loop does not use either.',
  }),
  maxKeySpace: opt.int({
    default: 100,
    min: 2,
    unit: 'keys',
    doc: 'Keys "%010d" 0 to maxKeySpace - 1; each iteration makes each present with probability 0.5.',
  }),
  maxOffset: opt.int({
    default: 5,
    min: 0,
    unit: 'keys',
    doc: 'Largest absolute key-selector offset of the random range reads.',
  }),
  testDuration: opt.number({
    default: 10,
    min: 0,
    unit: 's',
    doc: 'How long client 0 keeps running iterations, in simulated seconds.',
  }),
  testReadYourWrites: opt.bool({
    default: false,
    doc: 'Use a read-your-writes transaction as T3 (faultline transactions always are; kept for spec compatibility).',
  }),
};

interface RangeRead {
  readonly begin: KeySelector;
  readonly end: KeySelector;
  readonly limit: number;
  readonly reverse: boolean;
}

const sameRows = (a: readonly KeyValue[], b: readonly KeyValue[]): boolean =>
  a.length === b.length &&
  a.every(
    (kv, i) => printable(kv.key) === printable(b[i]!.key) && printable(kv.value) === printable(b[i]!.value),
  );
const showRows = (rows: readonly KeyValue[]): string => {
  const s = rows.map((kv) => printable(kv.key)).join(',');
  return s.length > 400 ? `${s.slice(0, 400)}...` : s;
};
const showSelector = (s: KeySelector): string => `${printable(s.key)}:${s.orEqual ? '<=' : '<'}:${s.offset}`;

export default defineWorkload({
  name: 'ConflictRange',
  description:
    'Races a range read against inserts and clears; checks conflicts are reported exactly when results change.',
  kind: 'application',
  keySpace: 'test-keys',
  options,
  create(ctx) {
    const o = ctx.options;
    const r = ctx.random;
    const name = (i: number): string => String(i).padStart(10, '0');
    const keyFor = (i: number): Bytes => bytes(name(i));
    const sentinel = keyFor(o.maxKeySpace);
    const dummy = keyFor(o.maxKeySpace + 1);
    // maxOffset + 1 keys on each side: just below keyFor(0) ('/' < '0') and just above the sentinel.
    const fences = Array.from({ length: o.maxOffset + 1 }, (_, i) => [
      bytes(`000000000/${name(i)}`),
      bytes(`${name(o.maxKeySpace)}/${name(i)}`),
    ]).flat();
    let withConflicts = 0;
    let withoutConflicts = 0;
    let retries = 0;
    const clientErrors: string[] = [];

    const randomRead = (): RangeRead => {
      const a = r.int(0, o.maxKeySpace);
      const b = r.int(0, o.maxKeySpace);
      return {
        begin: {
          key: keyFor(Math.min(a, b)),
          orEqual: r.chance(0.5),
          offset: r.int(-o.maxOffset, o.maxOffset + 1),
        },
        end: {
          key: keyFor(Math.max(a, b)),
          orEqual: r.chance(0.5),
          offset: r.int(-o.maxOffset, o.maxOffset + 1),
        },
        limit: r.int(1, 2 * o.maxKeySpace),
        reverse: r.chance(0.5),
      };
    };
    const read = (tr: Transaction, q: RangeRead): Promise<KeyValue[]> =>
      tr.getRange(q.begin, q.end, { limit: q.limit, reverse: q.reverse });

    /**
     * The cases where FoundationDB's own client reports a conflict although the results did not change:
     * the limit was reached while an end offset reaches into the range, the begin selector has a
     * negative offset and the read starts at the first key, or the selectors are inverted.
     */
    const benignConflict = (
      q: RangeRead,
      original: readonly KeyValue[],
      firstKey: Bytes | undefined,
    ): boolean => {
      const limitReached = original.length === q.limit;
      if (limitReached && q.end.offset > 1) return true;
      if (limitReached && q.begin.offset < 1) return true;
      if (
        q.begin.offset < 1 &&
        firstKey !== undefined &&
        original.some((kv) => printable(kv.key) === printable(firstKey))
      ) {
        return true;
      }
      const inverted = printable(q.begin.key) > printable(q.end.key) || q.begin.offset > q.end.offset;
      return inverted && limitReached;
    };

    let randomSets = false;
    const iteration = async (): Promise<void> => {
      randomSets = !randomSets;
      // Fresh data: each key present with probability 0.5, plus a sentinel just past the range.
      const present = new Set<number>();
      await ctx.db.run(async (tr) => {
        present.clear();
        tr.clearRange(keyFor(0), keyFor(o.maxKeySpace));
        for (let i = 0; i < o.maxKeySpace; i++) {
          if (r.chance(0.5)) {
            present.add(i);
            tr.set(keyFor(i), bytes(r.uid()));
          }
        }
        tr.set(sentinel, bytes('sentinel'));
        for (const f of fences) tr.set(f, bytes('fence'));
      });
      const firstPresent = [...present].sort((x, y) => x - y)[0];
      const firstKey = firstPresent === undefined ? undefined : keyFor(firstPresent);

      // T1: a random range read that returns something.
      let q = randomRead();
      let original: KeyValue[] = [];
      for (let attempt = 0; attempt < 100; attempt++) {
        original = await ctx.db.run((tr) => read(tr, q));
        if (original.length > 0) break;
        q = randomRead();
      }
      if (original.length === 0) return;

      // T2 changes the data; T3 reads at T2's read version, so T2's commit falls in T3's window.
      const tr2 = ctx.db.createTransaction();
      const tr3 = ctx.db.createTransaction();
      tr3.setReadVersion(await tr2.getReadVersion());
      // Every write changes whether a key is present, so any write inside what the read depends on
      // changes its result: a conflict with unchanged results is a false conflict.
      const touched = new Set<number>();
      for (let j = 0; j < 5; j++) {
        const k = r.int(0, o.maxKeySpace);
        if (touched.has(k) || present.has(k) !== !randomSets) continue;
        touched.add(k);
        if (randomSets) tr2.set(keyFor(k), bytes(r.uid()));
        else tr2.clear(keyFor(k));
      }
      await tr2.commit();

      let foundConflict = false;
      try {
        const res = await read(tr3, q);
        if (!sameRows(res, original)) {
          ctx.fail(
            'A read at an older read version returned different results',
            { Original: showRows(original), Result: showRows(res) },
            'ConflictRangeError',
          );
        }
        tr3.clear(dummy);
        await tr3.commit();
      } catch (e) {
        if (!(e instanceof FdbError) || e.code !== 1020) throw e;
        foundConflict = true;
      }

      const fresh = await ctx.db.run((tr) => read(tr, q));
      const details = {
        Begin: showSelector(q.begin),
        End: showSelector(q.end),
        Limit: q.limit,
        Reverse: q.reverse,
        Sets: randomSets,
        Original: showRows(original),
        Fresh: showRows(fresh),
      };
      if (foundConflict) {
        withConflicts++;
        if (sameRows(fresh, original)) {
          if (benignConflict(q, original, firstKey)) ctx.trace('ConflictRangeBenignConflict', details);
          else ctx.fail('Conflict returned, however results are the same', details, 'ConflictRangeError');
        }
      } else {
        withoutConflicts++;
        if (!sameRows(fresh, original)) {
          ctx.fail('No conflict returned, however results do not match', details, 'ConflictRangeError');
        }
      }
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const endTime = ctx.now() + o.testDuration;
        const backoff = ctx.db.createTransaction();
        while (ctx.now() < endTime) {
          try {
            await iteration();
          } catch (e) {
            // A failed or maybe-committed step leaves the outcome unknown: back off and start over.
            if (!(e instanceof FdbError) || !e.retryable) {
              clientErrors.push(e instanceof Error ? e.message : String(e));
              return;
            }
            retries++;
            await backoff.onError(e);
          }
        }
      },

      async check() {
        if (clientErrors.length > 0) {
          ctx.fail('There were client errors.', { Errors: clientErrors.slice(0, 5).join('; ') });
          return false;
        }
        return true;
      },

      metrics() {
        if (ctx.clientId !== 0) return [];
        return [
          { name: 'WithConflicts', value: withConflicts },
          { name: 'withoutConflicts', value: withoutConflicts },
          { name: 'Retries', value: retries },
        ];
      },
    };
  },
});
