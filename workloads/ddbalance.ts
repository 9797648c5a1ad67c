// DDBalance (FoundationDB's workload of that name): keys move from bin to bin so that the written part of
// the key space keeps drifting, as data distribution must follow. Each client writes its objects into one
// random bin at setup (key `%08x%08x%08x%08x` of bin, object, mover, client; value the object number as a
// test key). Each of its moversPerClient movers then picks a new bin (drawn from a window that slides up
// by keySpaceDriftFactor after every shift) and moves every one of its objects there with
// actorsPerClient / moversPerClient workers, each transaction reading up to writesPerTransaction keys of
// the old bin and writing them to the new one, at Poisson times (the mover's workers share one clock,
// transactionsPerSecond / (clients x movers) each). A worker that finishes its slice must have found every
// key in the old bin (in some attempt): a key that is in neither bin was lost ("LostKeys").
// Where it differs: FoundationDB cancels the movers at testDuration; here a worker finishes the
// transaction under way, starts no new one, and skips the check of the slice it did not finish (as the
// cancelled actor never reaches it).
import { bytes, defineWorkload, FdbError, type Metric, opt, type Transaction } from '../src/index.js';
import { Samples } from './read-write.js';

/** Setup transactions each client keeps in flight (FoundationDB's batches of 100 ranges). */
const SETUP_BATCH = 100;
/** Objects each setup transaction writes (FoundationDB's ranges of 10). */
const SETUP_RANGE = 10;
/** Gap between the read versions of the database warmer, seconds (FoundationDB's databaseWarmer). */
const WARMER_GAP_SECONDS = 0.25;

const options = {
  testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'How long the movers run.' }),
  binCount: opt.int({
    default: 1000,
    min: 2,
    unit: 'bins',
    doc: 'Width of the window new bins are drawn from.',
  }),
  writesPerTransaction: opt.int({
    default: 1,
    min: 1,
    unit: 'keys',
    doc: 'Keys one transaction moves (each a read, a write and a clear).',
  }),
  keySpaceDriftFactor: opt.int({
    default: 1,
    min: 0,
    unit: 'bins',
    doc: 'How far the window of bins slides up after each shift of a mover.',
  }),
  moversPerClient: opt.int({ default: 10, min: 1, doc: 'Movers per client, each with its own objects.' }),
  actorsPerClient: opt.int({
    default: 100,
    min: 1,
    unit: 'actors',
    doc: 'Workers per client, shared out among its movers (actorsPerClient / moversPerClient each).',
  }),
  nodes: opt.int({
    default: 10_000,
    min: 1,
    unit: 'keys',
    doc: 'Objects of all clients together; each worker moves nodes / (actorsPerClient x clients) of them.',
  }),
  discardEdgeMeasurements: opt.bool({
    default: true,
    doc: 'Count operations, retries and latencies only in the middle 75% of testDuration.',
  }),
  warmingDelay: opt.number({
    default: 0,
    min: 0,
    unit: 's',
    doc: 'After setup, ask for a read version every 0.25 s for this long before the test phase.',
  }),
  transactionsPerSecond: opt.number({
    default: 5000,
    min: 0.001,
    unit: 'tps',
    doc: 'Transaction rate of all movers of all clients together.',
  }),
};

/** FoundationDB's doubleToTestKey: 16 hex digits of a double's bits. */
function doubleToTestKey(d: number): Uint8Array {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  return bytes(view.getBigUint64(0).toString(16).padStart(16, '0'));
}

/** `%08x` of a non-negative integer below 2^32. */
function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

export default defineWorkload({
  name: 'DDBalance',
  description:
    'Each client moves its objects from bin to bin in a key space that keeps drifting, so data ' +
    'distribution must follow; checks no key is lost on the way (LostKeys).',
  kind: 'application',
  // Its keys are hex digits at the top of the key space, inside the range of FoundationDB's numeric test
  // keys: a Cycle or Increment beside it would read its keys as theirs.
  keySpace: 'test-keys',
  options,
  create(ctx) {
    const o = ctx.options;
    const r = ctx.random;
    const clientId = ctx.clientId;
    const moverTps = o.transactionsPerSecond / (ctx.clientCount * o.moversPerClient);
    const nodesPerActor = Math.floor(o.nodes / (o.actorsPerClient * ctx.clientCount));
    const firstBin = r.int(0, o.binCount);
    const latencies = new Samples((n) => r.int(0, n));
    let operations = 0;
    let retries = 0;
    let binShifts = 0;
    let ok = true;

    const key = (bin: number, n: number, mover: number): Uint8Array =>
      bytes(hex8(bin) + hex8(n) + hex8(mover) + hex8(clientId));

    /** Writes objects of setup slots [begin, end) into the first bin, keeping any already there. */
    const setupRange = (begin: number, end: number): Promise<void> =>
      ctx.db.run(async (tr) => {
        const sets: Promise<void>[] = [];
        for (let n = begin; n < end; n++) {
          const object = Math.floor(n / o.moversPerClient);
          const k = key(firstBin, object, n % o.moversPerClient);
          sets.push(
            tr.get(k).then((v) => {
              if (v === undefined) tr.set(k, doubleToTestKey(object));
            }),
          );
        }
        await Promise.all(sets);
      });

    /** Asks for a read version every 0.25 s until `until` (FoundationDB's databaseWarmer under a timeout). */
    const warm = async (until: number): Promise<void> => {
      while (ctx.now() < until) {
        try {
          await ctx.db.createTransaction().getReadVersion();
        } catch (e) {
          if (!(e instanceof FdbError)) throw e;
        }
        await ctx.delay(Math.min(WARMER_GAP_SECONDS, Math.max(0, until - ctx.now())));
      }
    };

    return {
      async setup() {
        const order: number[] = [];
        for (let i = 0; i <= Math.floor((nodesPerActor * o.actorsPerClient) / SETUP_RANGE); i++) {
          order.push(i * SETUP_RANGE);
        }
        const shuffled = r.shuffle(order);
        for (let i = 0; i < shuffled.length; i += SETUP_BATCH) {
          const batch = shuffled.slice(i, i + SETUP_BATCH);
          await Promise.all(batch.map((b) => setupRange(b, b + SETUP_RANGE)));
        }
        if (o.warmingDelay > 0) await warm(ctx.now() + o.warmingDelay);
      },
      async start() {
        const clientBegin = ctx.now();
        const end = clientBegin + o.testDuration;
        const shouldRecord = (): boolean => {
          const n = ctx.now();
          return (
            !o.discardEdgeMeasurements ||
            (n > clientBegin + o.testDuration * 0.125 && n < clientBegin + o.testDuration * 0.875)
          );
        };

        /** Moves up to writesPerTransaction keys from `from` to `to` in `tr`; returns the keys it found. */
        const moveSome = async (
          tr: Transaction,
          from: number,
          to: number,
          mover: number,
          i: number,
          last: number,
        ) => {
          let found = 0;
          let moves = 0;
          for (let n = i; n < last && moves < o.writesPerTransaction; n++, moves++) {
            const v = await tr.get(key(from, n, mover));
            if (v !== undefined) {
              found++;
              tr.set(key(to, n, mover), v);
              tr.clear(key(from, n, mover));
            } else {
              ctx.trace('KeyNotPresent', {
                ClientId: clientId,
                MoverId: mover,
                CurrentBin: from,
                NextBin: to,
              });
            }
          }
          return { found, moves };
        };

        /** One worker: moves objects [begin, end) of `mover` from bin `from` to bin `to`. */
        const worker = async (
          mover: number,
          from: number,
          to: number,
          begin: number,
          last: number,
          clock: { at: number },
        ): Promise<boolean> => {
          let maxMoved = 0;
          for (let i = begin; i < last; ) {
            clock.at += r.exponential(1 / moverTps);
            await ctx.delay(Math.max(0, clock.at - ctx.now()));
            if (ctx.now() >= end) return false;
            const t0 = ctx.now();
            const tr = ctx.db.createTransaction();
            let moves = 0;
            for (;;) {
              try {
                const m = await moveSome(tr, from, to, mover, i, last);
                // Counted before the commit, and across attempts: an attempt that may have committed
                // (commit_unknown_result) moved its keys though the retry finds them gone.
                maxMoved += m.found;
                moves = m.moves;
                await tr.commit();
                break;
              } catch (e) {
                await tr.onError(e);
                if (shouldRecord()) retries++;
              }
            }
            i += moves;
            if (shouldRecord()) {
              operations += 3 * moves;
              latencies.add(ctx.now() - t0);
            }
          }
          if (maxMoved < last - begin) {
            ok = false;
            ctx.fail(
              'Keys were lost while they moved between bins',
              {
                MaxMoved: maxMoved,
                ShouldHaveMoved: last - begin,
                ClientId: clientId,
                MoverId: mover,
                CurrentBin: from,
                NextBin: to,
              },
              'LostKeys',
            );
          }
          return true;
        };

        const moverLoop = async (mover: number): Promise<void> => {
          let current = firstBin;
          let drift = 0;
          const clock = { at: ctx.now() };
          const workers = Math.floor(o.actorsPerClient / o.moversPerClient);
          // Nothing to move (fewer actors than movers, or fewer nodes than actors): FoundationDB's mover
          // would shift bins without ever yielding; this one idles until testDuration instead.
          if (workers === 0 || nodesPerActor === 0) return ctx.delay(Math.max(0, end - ctx.now()));
          for (;;) {
            let next = r.int(drift, o.binCount + drift);
            while (next === current) next = r.int(drift, o.binCount + drift);
            const slices = Array.from({ length: workers }, (_, i) =>
              worker(mover, current, next, i * nodesPerActor, (i + 1) * nodesPerActor, clock),
            );
            // A worker stopped by testDuration ends the mover, as FoundationDB's cancelled actor does.
            if (!(await Promise.all(slices)).every(Boolean)) return;
            current = next;
            drift += o.keySpaceDriftFactor;
            binShifts++;
          }
        };

        await Promise.all(Array.from({ length: o.moversPerClient }, (_, m) => moverLoop(m)));
      },
      async check() {
        return ok;
      },
      metrics(): Metric[] {
        const duration = o.testDuration * (o.discardEdgeMeasurements ? 0.75 : 1);
        const ms = (s: number): number => 1000 * s;
        return [
          { name: 'Operations/sec', value: duration > 0 ? operations / duration : 0 },
          { name: 'Operations', value: operations },
          { name: 'Retries', value: retries },
          { name: 'Bin_Shifts', value: binShifts },
          { name: 'Mean Latency (ms)', value: ms(latencies.mean()), averaged: true },
          { name: 'Median Latency (ms, averaged)', value: ms(latencies.percentile(0.5)), averaged: true },
          { name: '90% Latency (ms, averaged)', value: ms(latencies.percentile(0.9)), averaged: true },
          { name: '98% Latency (ms, averaged)', value: ms(latencies.percentile(0.98)), averaged: true },
        ];
      },
    };
  },
});
