// AtomicOps: atomic mutations checked against an audit log. Every transaction applies one atomic
// operation to an "ops" key and, in the same transaction, writes its operand to a fresh "log" key. The
// check folds each group's log values and ops values with the same operation: they must agree, since
// both are committed atomically together (a retried maybe-committed attempt writes a new log key too).
import {
  type AtomicOp,
  type Bytes,
  bytes,
  defineWorkload,
  encodeInt64LE,
  FdbError,
  type KeyValue,
  opt,
  printable,
  str,
  strinc,
  type Transaction,
} from '../src/index.js';

const options = {
  testDuration: opt.number({
    default: 600,
    min: 0,
    unit: 's',
    doc: 'How long the transaction actors run, in simulated seconds.',
  }),
  transactionsPerSecond: opt.number({
    default: 5000,
    min: 0.001,
    unit: 'tps',
    doc: 'Target transaction rate of all clients together; each client runs 1/clientCount of it.',
  }),
  actorsPerClient: opt.int({
    default: 0,
    min: 0,
    unit: 'actors',
    doc: 'Concurrent transaction actors per client; 0 = per-client transactionsPerSecond / 5 (at least 1).',
  }),
  opType: opt.int({
    default: -1,
    min: -1,
    max: 9,
    doc:
      'Operation: -1 random (sharedRandomNumber % 8, the same on every client), 0 AddValue, 1 And, 2 Or, ' +
      '3 Xor, 4 Max, 5 Min, 6 ByteMin, 7 ByteMax, 8 MinV2, 9 AndV2. And/Min have the V2 semantics of ' +
      'API version >= 510 (the API-500 emulation of FoundationDB is not modelled).',
  }),
  nodeCount: opt.int({
    default: 1000,
    min: 100,
    unit: 'keys',
    doc: 'Ops keys in all: 100 groups of nodeCount / 100 keys.',
  }),
};

const GROUPS = 100;
const OP_TYPES: readonly AtomicOp[] = [
  'add',
  'bitAnd',
  'bitOr',
  'bitXor',
  'max',
  'min',
  'byteMin',
  'byteMax',
  'min',
  'bitAnd',
];
const OP_NAMES = ['AddValue', 'And', 'Or', 'Xor', 'Max', 'Min', 'ByteMin', 'ByteMax', 'MinV2', 'AndV2'];
const MASK64 = (1n << 64n) - 1n;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** Unsigned little-endian 64-bit value of up to 8 bytes. */
function u64(b: Bytes | undefined): bigint {
  if (!b) return 0n;
  let v = 0n;
  for (let i = Math.min(8, b.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export default defineWorkload({
  name: 'AtomicOps',
  description:
    'Applies atomic ops alongside an audit log in the same transactions; checks log and ops values agree.',
  kind: 'application',
  options,
  create(ctx) {
    const o = ctx.options;
    const opType = o.opType >= 0 ? o.opType : ctx.sharedRandomNumber % 8;
    const op = OP_TYPES[opType]!;
    const tps = o.transactionsPerSecond / ctx.clientCount;
    const actorCount = o.actorsPerClient > 0 ? o.actorsPerClient : Math.max(1, Math.floor(tps / 5));
    const perGroup = Math.floor(o.nodeCount / GROUPS);
    let opNum = 0;
    let transactions = 0;
    let unknownResults = 0;
    const clientErrors: string[] = [];

    const opsKey = (g: number, i: number): Bytes => bytes(`ops${hex8(g)}${hex8(i)}`);
    const logSuffix = (g: number): string => `${hex8(g)}${hex8(ctx.clientId)}${hex8(opNum++)}`;

    const actor = async (endTime: number): Promise<void> => {
      const meanInterval = actorCount / tps;
      let lastTime = ctx.now();
      for (;;) {
        lastTime += ctx.random.exponential(meanInterval);
        if (lastTime > ctx.now()) await ctx.delay(lastTime - ctx.now());
        if (ctx.now() >= endTime) return;
        const tr = ctx.db.createTransaction();
        for (;;) {
          try {
            // A new log key on every attempt: if an earlier attempt did commit, its log entry and its
            // atomic effect are both in the database, and this attempt adds another consistent pair.
            const group = ctx.random.int(0, GROUPS);
            const val = encodeInt64LE(ctx.random.int(0, 10_000_000));
            const suffix = logSuffix(group);
            const target = opsKey(group, ctx.random.int(0, perGroup));
            tr.set(bytes(`log${suffix}`), val);
            tr.set(bytes(`debug${suffix}`), target);
            tr.atomicOp(op, target, val);
            await tr.commit();
            break;
          } catch (e) {
            if (e instanceof FdbError && e.code === 1021) {
              unknownResults++;
              ctx.trace('TxnCommitUnknownResult', { OpType: OP_NAMES[opType]! });
            }
            await tr.onError(e);
          }
        }
        transactions++;
      }
    };

    /** Reads a whole prefix in one transaction's snapshot. */
    const readPrefix = (tr: Transaction, prefix: string): Promise<KeyValue[]> =>
      tr.getRange(bytes(prefix), strinc(bytes(prefix)));

    /** Folds values with the workload's operation, starting from an 8-byte zero, using the database's own semantics. */
    const fold = async (
      tr: Transaction,
      scratch: Bytes,
      values: readonly KeyValue[],
    ): Promise<Bytes | undefined> => {
      tr.set(scratch, new Uint8Array(8));
      for (const kv of values) tr.atomicOp(op, scratch, kv.value);
      return tr.get(scratch);
    };

    /** For AddValue: each ops key must equal the sum of the log values whose debug entry names it. */
    const crossValidate = (g: number, log: KeyValue[], debug: KeyValue[], ops: KeyValue[]): void => {
      const logBySuffix = new Map<string, bigint>();
      for (const kv of log) logBySuffix.set(str(kv.key).slice(3), u64(kv.value));
      const expected = new Map<string, bigint>();
      for (const kv of debug) {
        const suffix = str(kv.key).slice(5);
        const target = str(kv.value);
        const v = logBySuffix.get(suffix);
        if (v === undefined) {
          ctx.fail('Debug key without a log key', { Key: printable(kv.key) }, 'MissingLogKey');
          continue;
        }
        expected.set(target, ((expected.get(target) ?? 0n) + v) & MASK64);
      }
      const present = new Set<string>();
      for (const kv of ops) {
        const name = str(kv.key);
        present.add(name);
        const want = expected.get(name) ?? 0n;
        const have = u64(kv.value);
        if (want !== have) {
          ctx.fail(
            'Ops key value differs from the sum of its log values',
            { Group: g, OpsKey: name, OpsValue: String(have), LogSum: String(want) },
            'InconsistentOpsKeyValue',
          );
        }
      }
      for (const target of [...expected.keys()].sort()) {
        if (!present.has(target)) {
          ctx.fail('Ops key named by the log is missing', { Group: g, OpsKey: target }, 'MissingOpsKey2');
        }
      }
    };

    const checkGroup = async (g: number): Promise<void> => {
      const tr1 = ctx.db.createTransaction();
      let log: KeyValue[];
      let ops: KeyValue[];
      let debug: KeyValue[];
      for (;;) {
        try {
          log = await readPrefix(tr1, `log${hex8(g)}`);
          ops = await readPrefix(tr1, `ops${hex8(g)}`);
          debug = op === 'add' ? await readPrefix(tr1, `debug${hex8(g)}`) : [];
          break;
        } catch (e) {
          await tr1.onError(e);
        }
      }
      // Fold in a scratch transaction that is never committed.
      const tr2 = ctx.db.createTransaction();
      let logResult: Bytes | undefined;
      let opsResult: Bytes | undefined;
      for (;;) {
        try {
          logResult = await fold(tr2, bytes('xlogResult'), log);
          opsResult = await fold(tr2, bytes('xopsResult'), ops);
          break;
        } catch (e) {
          await tr2.onError(e);
        }
      }
      tr2.reset();
      const logText = logResult ? printable(logResult) : '<absent>';
      const opsText = opsResult ? printable(opsResult) : '<absent>';
      if (logText !== opsText) {
        ctx.fail(
          'Log and ops results differ',
          { Index: `log${hex8(g)}`, OpType: OP_NAMES[opType]!, LogResult: logText, OpsResult: opsText },
          'LogMismatch',
        );
      }
      if (op === 'add') {
        let logSum = 0n;
        for (const kv of log) logSum = (logSum + u64(kv.value)) & MASK64;
        const opsSum = u64(opsResult);
        if (logSum !== opsSum) {
          ctx.fail(
            'Sum of log values differs from sum of ops values',
            { Index: `log${hex8(g)}`, LogResult: String(logSum), OpsResult: String(opsSum) },
            'LogAddMismatch',
          );
          for (const kv of [...log, ...debug, ...ops]) {
            ctx.trace('AtomicOpsDataEntry', { Key: printable(kv.key), Value: printable(kv.value) });
          }
          crossValidate(g, log, debug, ops);
        }
      }
    };

    return {
      async setup() {
        if (ctx.clientId !== 0) return;
        const existing = await ctx.db.run((tr) =>
          tr.getRange(bytes('log'), strinc(bytes('log')), { limit: 1 }),
        );
        if (existing.length > 0)
          ctx.trace('AtomicOpsLogNotEmpty', { FirstKey: printable(existing[0]!.key) }, 30);
        ctx.trace('AtomicOpsSetup', { OpType: OP_NAMES[opType]!, NodeCount: o.nodeCount });
        // Setting zeros is idempotent, so a maybe-committed batch can simply run again.
        const zero = new Uint8Array(8);
        for (let g = 0; g < GROUPS; g += 10) {
          await ctx.db.run(async (tr) => {
            for (let gg = g; gg < Math.min(GROUPS, g + 10); gg++) {
              for (let i = 0; i < perGroup; i++) tr.set(opsKey(gg, i), zero);
            }
          });
        }
      },

      async start() {
        const endTime = ctx.now() + o.testDuration;
        await Promise.all(
          Array.from({ length: actorCount }, async () => {
            try {
              await actor(endTime);
            } catch (e) {
              clientErrors.push(e instanceof Error ? e.message : String(e));
            }
          }),
        );
      },

      async check() {
        if (clientErrors.length > 0) {
          ctx.fail('There were client errors.', { Errors: clientErrors.slice(0, 5).join('; ') });
        }
        if (ctx.clientId === 0) for (let g = 0; g < GROUPS; g++) await checkGroup(g);
        // As FoundationDB: the verdict is carried by SevError events, not by the return value.
        return true;
      },

      metrics() {
        return [
          { name: 'Transactions', value: transactions },
          { name: 'CommitUnknownResults', value: unknownResults },
        ];
      },
    };
  },
});
