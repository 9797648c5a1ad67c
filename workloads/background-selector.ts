// BackgroundSelector (FoundationDB's BackgroundSelectors workload): while other workloads change the data,
// each actor walks a window of keys through the whole key space with key selectors. It anchors the window
// at the first (or last) key, then at Poisson times drifts both ends by random offsets (between minDiff
// and 100 keys, forwards or backwards) and, in one transaction, reads the window with getRange on the two
// selectors and resolves each selector alone with getKey. When the range is not cut short by its limit
// (10 x maxDiff rows), its first and last rows must be the keys getKey resolved, at the same read version
// ("BackgroundSelectorError"); the window then re-anchors on the rows it read. An empty window, or an end
// that resolved off the key space, starts over from a new anchor. The ends of the key space are '' and
// '\xff' (what getKey resolves to past them here; FoundationDB's plain Transaction names the end
// '\xff\xff'), and those are never compared. FoundationDB reads maxDrift from the option `minDiff` too (a
// slip in its source), so its upper drift is 100 whenever minDiff is not given; here it is always 100.
import {
  type Bytes,
  defineWorkload,
  equalBytes,
  firstGreaterOrEqual,
  type KeySelector,
  keyAfter,
  lastLessThan,
  type Metric,
  normalKeysEnd,
  opt,
  printable,
  type Random,
  type Transaction,
} from '../src/index.js';

/** The largest drift of a window end per step, keys (FoundationDB's maxDrift, always its default). */
const MAX_DRIFT = 100;

const options = {
  testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'How long the actors walk.' }),
  actorsPerClient: opt.int({ default: 1, min: 1, unit: 'actors', doc: 'Walking actors per client.' }),
  maxDiff: opt.int({
    default: 100,
    min: 2,
    unit: 'keys',
    doc: 'Widest window, in keys; a range read returns at most 10 x maxDiff rows.',
  }),
  minDiff: opt.int({
    default: -10,
    max: 99, // below the largest drift, 100
    unit: 'keys',
    doc: 'Smallest drift of a window end per step (negative: it may step back); the largest is 100.',
  }),
  transactionsPerSecond: opt.number({
    default: 10,
    min: 0.001,
    unit: 'tps',
    doc: 'Steps per second of all actors of all clients together.',
  }),
};

/**
 * The selector `(key, orEqual, offset)`, or half the time an equal one built on keyAfter(key). At the end
 * of the key space ('\xff', where a window end lands when it drifts past the last key) keyAfter would be
 * an illegal key, so the selector is kept as it is (the coin is still drawn, so the stream is the same).
 */
function randomized(random: Random, key: Bytes, orEqual: boolean, offset: number): KeySelector {
  const other = orEqual && random.next() > 0.5;
  if (other && !equalBytes(key, normalKeysEnd)) return { key: keyAfter(key), orEqual: false, offset };
  return { key, orEqual, offset };
}

/** One step's reads: the window's rows and what its two ends resolve to alone. */
interface StepReads {
  readonly rows: readonly { key: Bytes }[];
  readonly startResult: Bytes;
  readonly endResult: Bytes;
}

export default defineWorkload({
  name: 'BackgroundSelector',
  description:
    'Actors walk a window of keys through the key space with key selectors while others write; the ' +
    "window's first and last rows must be the keys its selectors resolve to (BackgroundSelectorError).",
  kind: 'application',
  options,
  create(ctx) {
    const o = ctx.options;
    const r = ctx.random;
    const tps = o.transactionsPerSecond / (ctx.clientCount * o.actorsPerClient);
    const resultLimit = 10 * o.maxDiff;
    let operations = 0;
    let checks = 0;
    let retries = 0;
    let ok = true;

    /** Whether `k` is a key of the database rather than an end of the key space. */
    const inside = (k: Bytes): boolean => k.length > 0 && !equalBytes(k, normalKeysEnd);

    /** The window's two ends to start from: the first key and `diff` after it, or the last and `diff` before. */
    const anchor = async (tr: Transaction, forward: boolean, diff: number): Promise<[Bytes, Bytes]> => {
      for (;;) {
        try {
          if (forward) {
            const start = await tr.getKey(firstGreaterOrEqual(new Uint8Array(0)));
            return [start, await tr.getKey(randomized(r, start, true, diff))];
          }
          const end = await tr.getKey(lastLessThan(normalKeysEnd));
          return [await tr.getKey(randomized(r, end, true, -diff)), end];
        } catch (e) {
          await tr.onError(e);
        }
      }
    };

    /** Reads the window [start + startDrift, end + endDrift] (ends swapped when diff < 0). */
    const readStep = async (
      tr: Transaction,
      start: Bytes,
      end: Bytes,
      startDrift: number,
      endDrift: number,
      diff: number,
    ): Promise<StepReads> => {
      if (diff < 0) {
        const rows = await tr.getRange(
          randomized(r, end, true, endDrift),
          randomized(r, start, true, startDrift + 1),
          {
            limit: resultLimit,
          },
        );
        const endResult = await tr.getKey(randomized(r, start, true, startDrift));
        const startResult = await tr.getKey(randomized(r, end, true, endDrift));
        return { rows, startResult, endResult };
      }
      const rows = await tr.getRange(
        randomized(r, start, true, startDrift),
        randomized(r, end, true, endDrift + 1),
        {
          limit: resultLimit,
        },
      );
      const startResult = await tr.getKey(randomized(r, start, true, startDrift));
      const endResult = await tr.getKey(randomized(r, end, true, endDrift));
      return { rows, startResult, endResult };
    };

    /** Compares one end of the window with its selector; returns false when it cannot be compared. */
    const compareEnd = (
      which: 'Start' | 'End',
      resolved: Bytes,
      row: Bytes,
      size: number,
      diff: number,
    ): boolean => {
      if (size >= resultLimit || !inside(resolved)) return false;
      if (!equalBytes(resolved, row)) {
        ok = false;
        ctx.fail(
          `A window's ${which.toLowerCase()} row is not the key its selector resolves to`,
          {
            Diff: diff,
            ResultSize: size,
            [`${which}Result`]: printable(resolved),
            RangeResult: printable(row),
          },
          'BackgroundSelectorError',
        );
      }
      return true;
    };

    const actor = async (end: number): Promise<void> => {
      let lastTime = ctx.now();
      const tr = ctx.db.createTransaction();
      while (ctx.now() < end) {
        const direction = r.int(0, 2) !== 0 ? 1 : -1;
        let diff = r.int(0, o.maxDiff);
        let [startKey, endKey] = await anchor(tr, direction === 1, diff);
        for (;;) {
          lastTime += r.exponential(1 / tps);
          await ctx.delay(Math.max(0, lastTime - ctx.now()));
          if (ctx.now() >= end) return;
          tr.reset();
          const startDrift = direction * r.int(o.minDiff, MAX_DRIFT);
          let endDrift = direction * r.int(o.minDiff, MAX_DRIFT);
          // The new window is at most maxDiff keys wide, and never empty.
          endDrift = Math.min(
            Math.max(endDrift, startDrift - o.maxDiff - diff),
            startDrift + o.maxDiff - diff,
          );
          diff = diff + endDrift - startDrift;
          if (diff === 0) {
            endDrift++;
            diff++;
          }
          let restart = false;
          for (;;) {
            try {
              const s = await readStep(tr, startKey, endKey, startDrift, endDrift, diff);
              if (s.rows.length === 0) {
                restart = true;
                break;
              }
              const size = s.rows.length;
              if (!compareEnd('Start', s.startResult, s.rows[0]!.key, size, diff)) restart = true;
              if (!compareEnd('End', s.endResult, s.rows[size - 1]!.key, size, diff)) restart = true;
              diff = Math.min(size - 1, o.maxDiff);
              startKey = s.rows[0]!.key;
              endKey = s.rows[diff]!.key;
              break;
            } catch (e) {
              await tr.onError(e);
              retries++;
            }
          }
          operations++;
          if (restart) break;
          checks++;
        }
      }
    };

    return {
      async start() {
        const end = ctx.now() + o.testDuration;
        await Promise.all(Array.from({ length: o.actorsPerClient }, () => actor(end)));
      },
      async check() {
        return ok;
      },
      metrics(): Metric[] {
        return [
          { name: 'Operations/sec', value: o.testDuration > 0 ? operations / o.testDuration : 0 },
          { name: 'Operations', value: operations },
          { name: 'Checks', value: checks },
          { name: 'Retries', value: retries },
        ];
      },
    };
  },
});
