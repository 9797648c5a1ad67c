// WriteDuringRead: client 0 runs random read-your-writes transactions that issue reads (get, getKey,
// getRange with key selectors, snapshot or not) and keep writing (sets, clears, range clears, atomic
// operations, versionstamped keys, conflict ranges, watches) while those reads are still outstanding. An
// in-memory model of its key range is updated as each write is issued, and every read must return what
// the model held when the read was issued. Watches must fire only after a committed change to their key,
// and must fire when the key ends up different. FoundationDB's WriteDuringRead workload, with its option
// names, defaults, metrics and `WDR*WrongResult` events.
//
// Differences from FoundationDB, forced by the client API: there are no read-your-writes-disable,
// snapshot-RYW-disable, read-ahead, priority or timeout options, no byte limits and no way to list a
// transaction's write conflict ranges (so no `WriteConflictError` check); a commit waits for the reads
// already issued (no reads race the commit itself); keys and values stay within the size limits; and the
// workload owns one prefix (`\x02`) instead of clearing the whole database, so selectors that walk off
// its range are judged only by which side they left on.
import {
  type AtomicOp,
  type Bytes,
  type Database,
  defineWorkload,
  ErrorCodes,
  FdbError,
  type KeySelector,
  type KeyValue,
  Limits,
  type Metric,
  opt,
  printable,
  type Transaction,
} from '../src/index.js';

/** The key prefix of the workload's range (FoundationDB's `\x02`; its `\xff\x01` needs system keys). */
const KEY_PREFIX = '\x02';
/** Every transaction writes this conflict range, so none is read-only (FoundationDB's conflictRange). */
const CONFLICT_BEGIN = '\xfe';
const CONFLICT_END = '\xfe\x00';
/** FoundationDB's transaction size limit, used to size the load batches. */
const TRANSACTION_SIZE_LIMIT = Limits.maxTransactionSize;
/** Rows per range read when the check compares the whole range with the model. */
const SCAN_CHUNK = 1000;
/** Most watches tracked at once; further watch operations are skipped (FoundationDB allows 10,000). */
const MAX_TRACKED_WATCHES = 1000;
/**
 * Simulated seconds the check waits for watches whose key changed to fire: the client's bound for a
 * watch whose storage server rebooted (it registers again only then), plus 10 s for the commit and the
 * new registration.
 */
const WATCH_GRACE = Limits.watchReregisterSeconds + 10;
/** Most failure events of one kind (the first already fails the run). */
const MAX_REPORTED = 20;

/** The atomic operations FoundationDB's loop draws from (operation type 11). */
const ATOMIC_OPS: readonly AtomicOp[] = [
  'add',
  'bitAnd',
  'bitOr',
  'bitXor',
  'max',
  'min',
  'byteMin',
  'byteMax',
];

/** Errors after which FoundationDB gives up the transaction and reloads the data (it throws not_committed). */
const RELOAD_ERRORS: ReadonlySet<number> = new Set([
  ErrorCodes.not_committed,
  ErrorCodes.commit_unknown_result,
  ErrorCodes.transaction_too_large,
  ErrorCodes.key_too_large,
  ErrorCodes.value_too_large,
]);

/** A write's footprint: a key, or a half-open range; `seq` orders it against watches. */
interface Write {
  readonly seq: number;
  readonly begin: string;
  /** Undefined for a single key. */
  readonly end?: string;
}

/** One watch the workload follows. */
interface TrackedWatch {
  readonly key: string;
  /** The value the transaction saw when it set the watch (its own writes included). */
  readonly watched: string | undefined;
  readonly seq: number;
  /** pending: its transaction has not committed; active: committed; maybe: commit_unknown_result. */
  state: 'pending' | 'active' | 'maybe';
  fired: boolean;
  /** The committed value right after its transaction committed (for 'active' watches). */
  atCommit: string | undefined;
  /** A write issued after the watch, covering its key, has (or may have) committed. */
  touched: boolean;
  /** Fired while only an in-flight commit could explain it; judged when that commit resolves. */
  firedDuringCommit: boolean;
}

/** Thrown inside the loop to ask for a reload (FoundationDB's not_committed from randomTransaction). */
class ReloadNeeded extends Error {
  constructor(readonly error: unknown) {
    super('reload');
  }
}

export default defineWorkload({
  name: 'WriteDuringRead',
  description:
    'Client 0 interleaves reads with writes inside random read-your-writes transactions; every read, ' +
    'getKey, getRange and watch must agree with an in-memory model of the data.',
  kind: 'application',
  options: {
    testDuration: opt.number({ default: 60, min: 0, unit: 's', doc: 'How long client 0 runs transactions.' }),
    slowModeStart: opt.number({
      default: 1000,
      min: 0,
      unit: 's',
      doc: 'After this much simulated time the pause between transactions grows from 0.1 s to 1 s.',
    }),
    numOps: opt.int({
      default: 21,
      min: 2,
      unit: 'ops',
      doc: 'Each burst between waits issues [1, numOps) operations (up to 4 bursts per transaction).',
    }),
    rarelyCommit: opt.bool({
      default: false,
      doc: 'A commit operation commits only with probability 1/numOps.',
    }),
    maximumTotalData: opt.number({
      default: 3e6,
      min: 1,
      unit: 'bytes',
      doc: 'Caps the key range so that nodes * (key + largest value) stays below this.',
    }),
    maximumDataWritten: opt.number({
      default: 0,
      min: 0,
      unit: 'bytes',
      doc: 'Stop once the loads have written this much; 0 means unlimited (FoundationDB\u2019s default).',
    }),
    minNode: opt.int({ default: 0, min: 0, unit: 'keys', doc: 'Index of the first key of the range.' }),
    useSystemKeys: opt.bool({
      default: false,
      doc:
        'FoundationDB puts the range under \\xff\\x01 half the time (its default is a coin flip); faultline ' +
        'models no system keys, so the range always stays under \\x02.',
    }),
    zeroPaddingRatio: opt.number({
      default: 0.15,
      min: 0,
      max: 1,
      unit: 'fraction',
      doc: 'Shared key-value option, accepted for compatibility; values here are runs of "x".',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;

    // The random shape of this run, drawn once as FoundationDB's constructor does.
    const adjacentCoin = random.chance(0.5);
    const initialKeyDensity = random.next();
    const valueSizeMax = Math.min(random.int(0, 4 << random.int(0, 16)), Limits.maxValueSize);
    const nodesDrawn = adjacentCoin
      ? Math.min(random.int(1, 4 << random.int(0, 14)), Math.floor(Limits.maxKeySize * 1.2))
      : random.int(1, 4 << random.int(0, 20));
    const maxClearSize = 1 << random.int(0, 20);
    // Adjacent keys are the prefix plus `index` NUL bytes: keep them (and versionstamped ones) legal.
    const adjacentCap = Limits.maxKeySize - KEY_PREFIX.length - 14 - o.minNode;
    const adjacentKeys = adjacentCoin && adjacentCap > 1;
    let nodes = adjacentKeys ? Math.min(nodesDrawn, adjacentCap) : nodesDrawn;
    let minNode = o.minNode;
    const keyForIndex = (idx: number): string => {
      const i = idx + minNode;
      return adjacentKeys ? KEY_PREFIX + '\x00'.repeat(i) : KEY_PREFIX + String(i).padStart(10, '0');
    };
    {
      const newNodes = Math.max(
        1,
        Math.min(nodes, Math.floor(o.maximumTotalData / (keyForIndex(nodes).length + valueSizeMax))),
      );
      minNode = Math.max(minNode, nodes - newNodes);
      nodes = newNodes;
    }
    const rangeBegin = KEY_PREFIX;
    const rangeEnd = strincB(KEY_PREFIX);
    const maximumDataWritten = o.maximumDataWritten > 0 ? o.maximumDataWritten : Number.POSITIVE_INFINITY;

    const model = new ModelDb();
    /** False from a commit_unknown_result until the next complete reload: the model may be wrong. */
    let modelValid = false;
    let loaded = false;
    let dataWritten = 0;
    let transactions = 0;
    let retries = 0;
    let success = true;
    let opSeq = 0;
    const reported = new Map<string, number>();
    const watches: TrackedWatch[] = [];
    /** Writes of the current attempt, in issue order. */
    let attemptWrites: Write[] = [];
    /** Watches set by the current attempt. */
    let attemptWatches: TrackedWatch[] = [];
    /** The writes of the commit in flight, if any. */
    let inFlight: Write[] | undefined;
    /** Set when the check is done: the test is over, and later changes (a cleanup clear) fire watches. */
    let closed = false;

    function report(type: string, reason: string, details: Record<string, string | number | boolean>): void {
      success = false;
      const n = reported.get(type) ?? 0;
      reported.set(type, n + 1);
      if (n < MAX_REPORTED) ctx.fail(reason, details, type);
    }

    function randomKey(): string {
      return keyForIndex(random.int(0, nodes));
    }
    function randomValue(): string {
      return 'x'.repeat(random.int(0, valueSizeMax + 1));
    }
    function randomSelector(): KeySelector {
      const scale = 1 << random.int(0, 14);
      return { key: fromB(randomKey()), orEqual: random.chance(0.5), offset: random.int(-scale, scale) };
    }
    /** A row limit, 0 meaning unlimited (FoundationDB also draws byte limits, which the API lacks). */
    function randomLimit(): number {
      const kind = random.int(0, 3);
      return kind & 1 ? 0 : random.int(0, 1 << random.int(1, 10));
    }
    function randomRange(sizeLimit: number): [string, string] {
      const start = random.int(0, nodes);
      const scale = random.int(0, random.int(2, 5) * random.int(2, 5));
      const end = start + random.int(0, 1 + Math.min(sizeLimit, nodes - start, 2 ** scale));
      return [keyForIndex(start), keyForIndex(end)];
    }

    function covers(w: Write, watch: TrackedWatch): boolean {
      if (w.seq <= watch.seq) return false;
      return w.end === undefined ? w.begin === watch.key : w.begin <= watch.key && watch.key < w.end;
    }

    /** A commit that did or may have applied `writes`: every watch they cover has a reason to fire. */
    function markTouched(writes: readonly Write[]): void {
      for (const w of watches) if (!w.touched && writes.some((x) => covers(x, w))) w.touched = true;
      // A watch that fired with a reason needs no more following.
      untrack(watches.filter((w) => w.fired && w.touched));
    }

    function untrack(list: readonly TrackedWatch[]): void {
      for (const w of list) {
        const i = watches.indexOf(w);
        if (i >= 0) watches.splice(i, 1);
      }
    }

    function onWatchFired(w: TrackedWatch): void {
      // Abandoned transactions' watches are cancelled in FoundationDB; after the check the test is over.
      if (closed || !watches.includes(w)) return;
      w.fired = true;
      if (w.touched) {
        untrack([w]);
        return;
      }
      if (inFlight?.some((x) => covers(x, w))) {
        w.firedDuringCommit = true;
        return;
      }
      untrack([w]);
      report('WDRWatchWrongResult', 'Triggered without changing', {
        Key: printable(fromB(w.key)),
        Watched: w.watched === undefined ? 'absent' : String(w.watched.length),
      });
    }

    /** The commit in flight definitely failed: watches only it could explain fired wrongly. */
    function judgeFailedCommit(): void {
      const wrong = watches.filter((w) => w.firedDuringCommit && !w.touched);
      untrack(wrong);
      for (const w of wrong) {
        report('WDRWatchWrongResult', 'Triggered without changing', {
          Key: printable(fromB(w.key)),
          DuringCommit: true,
        });
      }
    }

    function newTransaction(db: Database): Transaction {
      const tr = db.createTransaction();
      tr.addWriteConflictRange(fromB(CONFLICT_BEGIN), fromB(CONFLICT_END));
      return tr;
    }

    /** Ends the current attempt without committing: the model and the watch bookkeeping roll back. */
    function abandonAttempt(): void {
      model.rollback();
      untrack(attemptWatches);
      attemptWatches = [];
      attemptWrites = [];
    }

    /** FoundationDB's write barrier, then a fresh load of the whole range in batches. */
    async function load(db: Database, testStart: number): Promise<boolean> {
      loaded = false;
      modelValid = false;
      await db.run(async (tr) => {
        tr.addWriteConflictRange(fromB(rangeBegin), fromB(rangeEnd));
      });
      const keysPerBatch = Math.min(
        1000,
        1 + Math.floor(TRANSACTION_SIZE_LIMIT / 6 / (keyForIndex(nodes).length + valueSizeMax)),
      );
      model.replaceAll();
      for (let i = 0; i < nodes; i += keysPerBatch) {
        if (ctx.now() - testStart > o.testDuration || dataWritten >= maximumDataWritten) return false;
        const end = Math.min(nodes, i + keysPerBatch);
        const first = i === 0;
        const batchWrites: Write[] = [
          first
            ? { seq: ++opSeq, begin: rangeBegin, end: rangeEnd }
            : { seq: ++opSeq, begin: keyForIndex(i), end: keyForIndex(end) },
        ];
        inFlight = batchWrites;
        let size = 0;
        await db.run(async (tr) => {
          size = 0;
          // Each attempt rewrites the batch from scratch, so a maybe-committed attempt is overwritten.
          if (first) tr.clearRange(fromB(rangeBegin), fromB(rangeEnd));
          tr.clearRange(fromB(keyForIndex(i)), fromB(keyForIndex(end)));
          model.clearRange(keyForIndex(i), keyForIndex(end));
          for (let j = i; j < end; j++) {
            if (random.next() < initialKeyDensity) {
              const key = keyForIndex(j);
              const value = randomValue();
              model.set(key, value);
              tr.set(fromB(key), fromB(value));
              size += key.length + value.length;
            }
          }
        });
        inFlight = undefined;
        markTouched(batchWrites);
        model.commitPoint();
        dataWritten += size;
      }
      loaded = true;
      modelValid = true;
      return true;
    }

    /** One random transaction (FoundationDB's randomTransaction); throws ReloadNeeded to reload. */
    async function randomTransaction(db: Database, testStart: number): Promise<void> {
      let tr = newTransaction(db);
      for (;;) {
        if (ctx.now() - testStart > o.testDuration) {
          abandonAttempt();
          return;
        }
        let attemptError: unknown;
        let errorFromCommit = false;
        const ops: Promise<void>[] = [];
        let waitLocation = 0;
        attemptWrites = [];
        attemptWatches = [];
        const checkError = (): void => {
          if (attemptError !== undefined) throw attemptError;
        };
        const track = (p: Promise<unknown>): void => {
          ops.push(
            p.then(
              () => undefined,
              (e: unknown) => {
                attemptError ??= e;
              },
            ),
          );
        };
        try {
          const numWaits = random.int(1, 5);
          for (let i = 0; i < numWaits; i++) {
            const numOps = random.int(1, o.numOps);
            for (let j = 0; j < numOps; j++) {
              checkError();
              const opType = random.int(0, 21);
              if (opType === 0) {
                const sel = randomSelector();
                const snapshot = random.chance(0.5);
                const expected = model.resolve(sel);
                track(
                  tr.getKey(sel, { snapshot }).then((res) => compareGetKey(sel, snapshot, expected, res)),
                );
              } else if (opType === 1) {
                const begin = randomSelector();
                const end = randomSelector();
                const limit = randomLimit();
                const snapshot = random.chance(0.5);
                const reverse = random.chance(0.5);
                const expected = model.rangeFromSelectors(begin, end);
                const info = { begin, end, limit, snapshot, reverse };
                track(
                  tr
                    .getRange(begin, end, { limit, snapshot, reverse })
                    .then((rows) => compareRange(info, expected, rows)),
                );
              } else if (opType === 2) {
                const key = randomKey();
                const snapshot = random.chance(0.5);
                const expected = model.get(key);
                track(
                  tr.get(fromB(key), { snapshot }).then((res) => compareGet(key, snapshot, expected, res)),
                );
              } else if (opType === 3) {
                if (!o.rarelyCommit || random.chance(1 / o.numOps)) {
                  // The reads already issued finish first: the API says nothing about reads racing a commit.
                  await Promise.all(ops);
                  checkError();
                  const writes = attemptWrites;
                  inFlight = writes;
                  try {
                    await tr.commit();
                  } catch (e) {
                    errorFromCommit = true;
                    throw e;
                  } finally {
                    inFlight = undefined;
                  }
                  markTouched(writes);
                  model.commitPoint();
                  for (const w of attemptWatches) {
                    w.state = 'active';
                    w.atCommit = model.get(w.key);
                  }
                  tr = newTransaction(db);
                  attemptWrites = [];
                  attemptWatches = [];
                }
              } else if (opType === 4) {
                const [b, e] = randomRange(maxClearSize);
                tr.clearRange(fromB(b), fromB(e));
                model.clearRange(b, e);
                attemptWrites.push({ seq: ++opSeq, begin: b, end: e });
              } else if (opType === 5) {
                const key = randomKey();
                tr.clear(fromB(key));
                model.clear(key);
                attemptWrites.push({ seq: ++opSeq, begin: key });
              } else if (opType === 6) {
                if (watches.length < MAX_TRACKED_WATCHES) {
                  const key = randomKey();
                  const w: TrackedWatch = {
                    key,
                    watched: model.get(key),
                    seq: ++opSeq,
                    state: 'pending',
                    fired: false,
                    atCommit: undefined,
                    touched: false,
                    firedDuringCommit: false,
                  };
                  watches.push(w);
                  attemptWatches.push(w);
                  // Watches outlive the attempt: their errors (cancellation, too many watches) only untrack them.
                  let fired: Promise<void>;
                  try {
                    fired = tr.watch(fromB(key));
                  } catch {
                    fired = Promise.reject(new Error('watch refused'));
                  }
                  fired.then(
                    () => onWatchFired(w),
                    () => untrack([w]),
                  );
                }
              } else if (opType === 7) {
                const [b, e] = randomRange(nodes);
                tr.addWriteConflictRange(fromB(b), fromB(e));
              } else if (opType === 8) {
                track(ctx.delay(random.next() * random.next() * random.next() * 6));
              } else if (opType === 9) {
                if (random.chance(0.001)) {
                  await Promise.all(ops);
                  ops.length = 0;
                  waitLocation = 0;
                  tr.reset();
                  tr.addWriteConflictRange(fromB(CONFLICT_BEGIN), fromB(CONFLICT_END));
                  abandonAttempt();
                }
              } else if (opType === 10) {
                const [b, e] = randomRange(maxClearSize);
                tr.addReadConflictRange(fromB(b), fromB(e));
              } else if (opType === 11) {
                if (random.chance(0.01)) {
                  const { stampedKey, begin, end } = versionstampKey(random.int(0, nodes));
                  const value = randomValue();
                  tr.setVersionstampedKey(fromB(stampedKey), fromB(value));
                  // The clear covers every key the stamp can produce, so the net effect is known.
                  tr.clearRange(fromB(begin), fromB(end));
                  model.clearRange(begin, end);
                  attemptWrites.push({ seq: ++opSeq, begin, end });
                } else {
                  const key = randomKey();
                  const value = randomValue();
                  const op = ATOMIC_OPS[random.int(0, ATOMIC_OPS.length)]!;
                  tr.atomicOp(op, fromB(key), fromB(value));
                  model.set(key, applyAtomic(op, model.get(key), value));
                  attemptWrites.push({ seq: ++opSeq, begin: key });
                }
              } else {
                const key = randomKey();
                const value = randomValue();
                tr.set(fromB(key), fromB(value));
                model.set(key, value);
                attemptWrites.push({ seq: ++opSeq, begin: key });
              }
            }
            if (waitLocation < ops.length) {
              const waitOp = random.int(waitLocation, ops.length);
              await ops[waitOp];
              await ctx.delay(0.000001);
              waitLocation = ops.length;
              checkError();
            }
          }
          await Promise.all(ops);
          checkError();
          transactions++;
          abandonAttempt(); // the uncommitted tail is dropped, as FoundationDB's loop does
          return;
        } catch (e) {
          // Let the reads already issued finish: their comparisons are still meaningful.
          await Promise.all(ops);
          const code = e instanceof FdbError ? e.code : undefined;
          if (errorFromCommit && code === ErrorCodes.commit_unknown_result) {
            markTouched(attemptWrites);
            for (const w of attemptWatches) w.state = 'maybe';
            attemptWatches = [];
            modelValid = false;
          } else if (errorFromCommit) {
            judgeFailedCommit();
          }
          if (
            code !== undefined &&
            (RELOAD_ERRORS.has(code) || (errorFromCommit && code === ErrorCodes.transaction_too_old))
          ) {
            abandonAttempt();
            throw new ReloadNeeded(e);
          }
          abandonAttempt();
          await tr.onError(e); // not retryable: rethrown, a workload crash as in FoundationDB
          tr.addWriteConflictRange(fromB(CONFLICT_BEGIN), fromB(CONFLICT_END));
          retries++;
        }
      }
    }

    /** A versionstamped key inside the range and the range its stamp can land in. */
    function versionstampKey(index: number): { stampedKey: string; begin: string; end: string } {
      const base = keyForIndex(index);
      const body = base + '\x00'.repeat(10);
      // The stamp never overwrites the prefix, so every possible key stays inside the workload's range.
      const pos = random.int(KEY_PREFIX.length, base.length + 1);
      const le = String.fromCharCode(pos & 0xff, (pos >> 8) & 0xff, (pos >> 16) & 0xff, (pos >> 24) & 0xff);
      const head = body.slice(0, pos);
      const tail = body.slice(pos + 10);
      return {
        stampedKey: body + le,
        begin: head + '\x00'.repeat(10) + tail,
        end: `${head}${'\xff'.repeat(10)}${tail}\x00`,
      };
    }

    function compareGet(
      key: string,
      snapshot: boolean,
      expected: string | undefined,
      res: Bytes | undefined,
    ): void {
      const got = res === undefined ? undefined : toB(res);
      if (got !== expected) {
        report('WDRGetWrongResult', 'A get returned something other than the model', {
          Key: printable(fromB(key)),
          Snapshot: snapshot,
          MemoryResult: expected === undefined ? -1 : expected.length,
          DbResult: got === undefined ? -1 : got.length,
        });
      }
    }

    function compareGetKey(sel: KeySelector, snapshot: boolean, expected: Resolved, res: Bytes): void {
      const got = toB(res);
      const ok =
        expected.kind === 'key'
          ? got === expected.key
          : expected.kind === 'before'
            ? got < rangeBegin
            : got >= rangeEnd;
      if (!ok) {
        report('WDRGetKeyWrongResult', 'A getKey returned something other than the model', {
          Key: printable(sel.key),
          Offset: sel.offset,
          OrEqual: sel.orEqual,
          Snapshot: snapshot,
          MemoryResult:
            expected.kind === 'key' ? printable(fromB(expected.key)) : `(${expected.kind} the range)`,
          DbResult: printable(res),
        });
      }
    }

    function compareRange(
      info: { begin: KeySelector; end: KeySelector; limit: number; snapshot: boolean; reverse: boolean },
      expected: RangeExpectation,
      rows: readonly KeyValue[],
    ): void {
      const full = info.reverse ? expected.rows.slice().reverse() : expected.rows;
      const ours = rows
        .map((kv) => [toB(kv.key), toB(kv.value)] as const)
        .filter(([k]) => k >= rangeBegin && k < rangeEnd);
      // Keys of other workloads come first when the scan starts outside the range; they may use up the limit.
      const foreignFirst = info.reverse ? expected.endAfter : expected.beginBefore;
      const limitHit = info.limit > 0 && rows.length >= info.limit;
      let problem: string | undefined;
      if (info.limit > 0 && rows.length > info.limit) problem = 'more rows than the limit';
      else {
        const want =
          foreignFirst && limitHit
            ? full.slice(0, ours.length)
            : info.limit > 0
              ? full.slice(0, info.limit)
              : full;
        if (foreignFirst && limitHit && ours.length > full.length) problem = 'more rows than the model';
        else if (want.length !== ours.length) problem = `size ${ours.length}, model ${want.length}`;
        else {
          for (let i = 0; i < want.length; i++) {
            const [wk, wv] = want[i]!;
            const [gk, gv] = ours[i]!;
            if (wk !== gk || wv !== gv) {
              problem = `row ${i}: key ${printable(fromB(gk))}, model ${printable(fromB(wk))}`;
              break;
            }
          }
        }
      }
      if (problem !== undefined) {
        report('WDRGetRangeWrongResult', 'A getRange returned something other than the model', {
          BeginKey: printable(info.begin.key),
          BeginOffset: info.begin.offset,
          BeginOrEqual: info.begin.orEqual,
          EndKey: printable(info.end.key),
          EndOffset: info.end.offset,
          EndOrEqual: info.end.orEqual,
          LimitRows: info.limit,
          Snapshot: info.snapshot,
          Reverse: info.reverse,
          MemorySize: full.length,
          DbSize: rows.length,
          Problem: problem,
        });
      }
    }

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const startTime = ctx.now();
        ctx.trace('RYWConfiguration', {
          Nodes: nodes,
          MinNode: minNode,
          InitialKeyDensity: initialKeyDensity,
          AdjacentKeys: adjacentKeys,
          ValueSizeMin: 0,
          ValueSizeMax: valueSizeMax,
          MaxClearSize: maxClearSize,
        });
        for (;;) {
          if (!(await load(ctx.db, startTime))) return;
          for (;;) {
            await ctx.delay(ctx.now() - startTime > o.slowModeStart ? 1.0 : 0.1);
            try {
              await randomTransaction(ctx.db, startTime);
            } catch (e) {
              if (!(e instanceof ReloadNeeded)) throw e;
              break;
            }
            if (ctx.now() - startTime > o.testDuration || dataWritten >= maximumDataWritten) return;
          }
        }
      },

      async check() {
        if (ctx.clientId !== 0) return true;
        try {
          return await verify();
        } finally {
          closed = true;
        }
      },

      metrics(): Metric[] {
        return [
          { name: 'Transactions', value: transactions },
          { name: 'Retries', value: retries },
        ];
      },
    };

    /** The check on client 0: watches that must have fired, then the whole range against the model. */
    async function verify(): Promise<boolean> {
      if (!loaded || !modelValid) {
        ctx.trace('WDRCheckSkipped', {
          Reason: loaded ? 'last commit result unknown' : 'data never loaded',
        });
        return success;
      }
      // FoundationDB compares with the value the transaction saw when it set the watch (and fires on the
      // transaction's own later change); a client that compares with the value it committed is also
      // accepted, so only a key that now differs from both must have fired.
      const due = () =>
        watches.filter((w) => {
          if (w.state !== 'active' || w.fired) return false;
          const now = model.get(w.key);
          return now !== w.watched && now !== w.atCommit;
        });
      for (let waited = 0; due().length > 0 && waited < WATCH_GRACE; waited += 0.1) await ctx.delay(0.1);
      for (const w of due()) {
        report('WDRWatchWrongResult', 'Changed without triggering', {
          Key: printable(fromB(w.key)),
          Value1: w.watched === undefined ? 'absent' : String(w.watched.length),
          Value2: model.get(w.key)?.length ?? 'absent',
        });
      }
      // The whole range, read back after the run, must equal the model.
      const stored: (readonly [string, string])[] = [];
      let from = rangeBegin;
      for (;;) {
        const chunk = await ctx.db.run(async (tr) =>
          tr.getRange(fromB(from), fromB(rangeEnd), { limit: SCAN_CHUNK }),
        );
        for (const kv of chunk) stored.push([toB(kv.key), toB(kv.value)]);
        if (chunk.length < SCAN_CHUNK) break;
        from = `${toB(chunk[chunk.length - 1]!.key)}\x00`;
      }
      const want = model.entries();
      let mismatch =
        want.length !== stored.length ? `size ${stored.length}, model ${want.length}` : undefined;
      for (let i = 0; mismatch === undefined && i < want.length; i++) {
        const [wk, wv] = want[i]!;
        const [gk, gv] = stored[i]!;
        if (wk !== gk || wv !== gv)
          mismatch = `row ${i}: key ${printable(fromB(gk))}, model ${printable(fromB(wk))}`;
      }
      if (mismatch !== undefined) {
        report('WDRGetRangeWrongResult', 'The stored range differs from the model after the run', {
          Problem: mismatch,
        });
      }
      return success;
    }
  },
});

/** Where a selector lands relative to the model's keys. */
type Resolved = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'before' | 'after' };

/** The model's answer to a getRange: rows in ascending order and whether the ends left the range. */
interface RangeExpectation {
  readonly rows: readonly (readonly [string, string])[];
  readonly beginBefore: boolean;
  readonly endAfter: boolean;
}

/**
 * The in-memory model: sorted binary-string keys and their values, with an undo log back to the last
 * commit point so that an abandoned attempt rolls back in time proportional to its writes.
 */
class ModelDb {
  private keys: string[] = [];
  private readonly values = new Map<string, string>();
  private undo: [string, string | undefined][] = [];

  get(k: string): string | undefined {
    return this.values.get(k);
  }

  set(k: string, v: string): void {
    const old = this.values.get(k);
    this.undo.push([k, old]);
    if (old === undefined) this.keys.splice(lowerBound(this.keys, k), 0, k);
    this.values.set(k, v);
  }

  clear(k: string): void {
    const old = this.values.get(k);
    if (old === undefined) return;
    this.undo.push([k, old]);
    this.keys.splice(lowerBound(this.keys, k), 1);
    this.values.delete(k);
  }

  clearRange(b: string, e: string): void {
    if (!(b < e)) return;
    const i = lowerBound(this.keys, b);
    const j = lowerBound(this.keys, e);
    for (let x = i; x < j; x++) {
      const k = this.keys[x]!;
      this.undo.push([k, this.values.get(k)]);
      this.values.delete(k);
    }
    this.keys.splice(i, j - i);
  }

  /** Forgets the undo log: the current contents are committed. */
  commitPoint(): void {
    this.undo = [];
  }

  /** Restores the contents of the last commit point. */
  rollback(): void {
    for (let x = this.undo.length - 1; x >= 0; x--) {
      const [k, old] = this.undo[x]!;
      const present = this.values.has(k);
      if (old === undefined) {
        if (present) {
          this.keys.splice(lowerBound(this.keys, k), 1);
          this.values.delete(k);
        }
      } else {
        if (!present) this.keys.splice(lowerBound(this.keys, k), 0, k);
        this.values.set(k, old);
      }
    }
    this.undo = [];
  }

  /** Empties the model (a reload follows). */
  replaceAll(): void {
    this.keys = [];
    this.values.clear();
    this.undo = [];
  }

  entries(): (readonly [string, string])[] {
    return this.keys.map((k) => [k, this.values.get(k)!] as const);
  }

  /** Position a selector resolves to: -1 before the first key, keys.length after the last. */
  private position(sel: KeySelector): number {
    const k = toB(sel.key);
    const base = sel.orEqual ? upperBound(this.keys, k) : lowerBound(this.keys, k);
    const pos = base + sel.offset - 1;
    return pos < 0 ? -1 : Math.min(pos, this.keys.length);
  }

  resolve(sel: KeySelector): Resolved {
    const pos = this.position(sel);
    if (pos < 0) return { kind: 'before' };
    if (pos >= this.keys.length) return { kind: 'after' };
    return { kind: 'key', key: this.keys[pos]! };
  }

  rangeFromSelectors(begin: KeySelector, end: KeySelector): RangeExpectation {
    const b = this.position(begin);
    const e = this.position(end);
    const n = this.keys.length;
    const rows: (readonly [string, string])[] = [];
    for (let x = Math.max(b, 0); x < Math.min(e, n); x++) {
      const k = this.keys[x]!;
      rows.push([k, this.values.get(k)!]);
    }
    return { rows, beginBefore: b < 0, endAfter: e >= n };
  }
}

/** Index of the first element >= k. */
function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > k. */
function upperBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bytes as a binary string (one char per byte), which compares in byte order. */
function toB(b: Bytes): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode(...b.subarray(i, i + 4096));
  }
  return s;
}

function fromB(s: string): Bytes {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The first key after every key starting with `s`. */
function strincB(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0xff) end--;
  return s.slice(0, end - 1) + String.fromCharCode(s.charCodeAt(end - 1) + 1);
}

function byteAt(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

function fromCodes(codes: readonly number[]): string {
  let s = '';
  for (const c of codes) s += String.fromCharCode(c);
  return s;
}

/** `existing` cut or zero-padded to `len` bytes. */
function padTo(s: string, len: number): string {
  return s.length >= len ? s.slice(0, len) : s + '\x00'.repeat(len - s.length);
}

/** Compares two equal-length values as little-endian unsigned integers. */
function compareLE(a: string, b: string): number {
  for (let i = a.length - 1; i >= 0; i--) {
    const d = byteAt(a, i) - byteAt(b, i);
    if (d !== 0) return d;
  }
  return 0;
}

/** FoundationDB's semantics of the atomic operations WriteDuringRead uses (Atomic.h, the V2 variants). */
function applyAtomic(op: AtomicOp, existing: string | undefined, param: string): string {
  switch (op) {
    case 'add': {
      if (existing === undefined || existing.length === 0 || param.length === 0) return param;
      const out: number[] = [];
      let carry = 0;
      for (let i = 0; i < param.length; i++) {
        const sum = byteAt(existing, i) + param.charCodeAt(i) + carry;
        out.push(sum & 0xff);
        carry = sum >> 8;
      }
      return fromCodes(out);
    }
    case 'bitAnd': {
      if (existing === undefined) return param;
      const e = padTo(existing, param.length);
      const out: number[] = [];
      for (let i = 0; i < param.length; i++) out.push(e.charCodeAt(i) & param.charCodeAt(i));
      return fromCodes(out);
    }
    case 'bitOr':
    case 'bitXor': {
      const e = padTo(existing ?? '', param.length);
      const out: number[] = [];
      for (let i = 0; i < param.length; i++) {
        out.push(
          op === 'bitOr' ? e.charCodeAt(i) | param.charCodeAt(i) : e.charCodeAt(i) ^ param.charCodeAt(i),
        );
      }
      return fromCodes(out);
    }
    case 'max': {
      if (existing === undefined || existing.length === 0 || param.length === 0) return param;
      const e = padTo(existing, param.length);
      return compareLE(param, e) >= 0 ? param : e;
    }
    case 'min': {
      if (existing === undefined || param.length === 0) return param;
      const e = padTo(existing, param.length);
      return compareLE(param, e) <= 0 ? param : e;
    }
    case 'byteMin':
      if (existing === undefined) return param;
      return existing < param ? existing : param;
    case 'byteMax':
      if (existing === undefined) return param;
      return existing > param ? existing : param;
    case 'appendIfFits': {
      const e = existing ?? '';
      if (e.length === 0) return param;
      if (param.length === 0) return e;
      return e.length + param.length <= Limits.maxValueSize ? e + param : e;
    }
    default:
      throw new RangeError(`WriteDuringRead does not model ${op}`);
  }
}
