// FuzzApiCorrectness (FoundationDB's workload of that name): client 0 loads a random key space, then runs
// transactions of random API calls with random, often invalid, arguments (empty, oversized and special keys,
// inverted ranges, negative limits and versions, unknown mutation types and options, random errors to
// onError), several calls in flight at once. Each call carries a contract: the errors its arguments make
// required, possible or forbidden. An error the contract forbids, or a required one not thrown, is a
// Severity-40 failure naming the call and its arguments.
import {
  type AtomicOp,
  type Bytes,
  bytes,
  compareBytes,
  concatBytes,
  defineWorkload,
  FdbError,
  type KeySelector,
  opt,
  printable,
  type Random,
  type Transaction,
  type TransactionOption,
  type WorkloadContext,
} from '../src/index.js';

const options = {
  testDuration: opt.number({ default: 60, min: 0, unit: 's', doc: 'How long client 0 loads and fuzzes.' }),
  numOps: opt.int({
    default: 21,
    min: 2,
    unit: 'calls',
    doc: 'Calls per round are drawn from [1, numOps); a transaction has 1-4 rounds.',
  }),
  rarelyCommit: opt.bool({
    default: false,
    doc: 'Accepted for FoundationDB specs; it has no effect there either.',
  }),
  maximumTotalData: opt.number({
    default: 15e6,
    min: 1,
    unit: 'bytes',
    doc: 'Bound on the loaded keys times their size (fewer keys when they are long).',
  }),
  minNode: opt.int({ default: 0, min: 0, unit: 'keys', doc: 'Index of the first key of the key space.' }),
  numTenants: opt.int({
    default: 4,
    min: 0,
    unit: 'tenants',
    doc: 'Accepted for FoundationDB specs; faultline models no tenants, so every call runs on the whole database.',
  }),
  maxNodes: opt.int({
    default: 20_000,
    min: 1,
    unit: 'keys',
    doc: 'faultline: at most this many keys in the key space (FoundationDB draws up to millions; bounded for memory).',
  }),
};

type Options = {
  readonly [K in keyof typeof options]: (typeof options)[K]['default'];
};
type Ctx = WorkloadContext<Options>;

/** The random shape of one run, drawn as FoundationDB draws it in the workload's constructor. */
interface Shape {
  readonly adjacentKeys: boolean;
  readonly initialKeyDensity: number;
  readonly nodes: number;
  readonly minNode: number;
}

/** FoundationDB's nodes draw, bounded by maximumTotalData (and faultline's maxNodes). */
export function drawShape(random: Random, o: Options): Shape {
  const adjacentKeys = random.next() < 0.5;
  random.next(); // useSystemKeys: faultline has no system key access, so it is always false here
  const initialKeyDensity = random.next();
  random.next(); // specialKeysRelaxed: faultline reads nothing from the special key space either way
  let nodes = adjacentKeys
    ? Math.min(random.int(1, 4 << random.int(0, 14)), 12_000)
    : random.int(1, 4 << random.int(0, 20));
  const keySize = (n: number) => (adjacentKeys ? n : 10);
  const fit = Math.min(nodes, Math.floor(o.maximumTotalData / Math.max(1, keySize(nodes))));
  const minNode = Math.max(o.minNode, nodes - fit);
  nodes = Math.min(fit, o.maxNodes);
  return { adjacentKeys, initialKeyDensity, nodes, minNode };
}

/** The key of index `i`: i+minNode zero bytes, or its 10-digit decimal (FoundationDB's getKeyForIndex). */
export function keyForIndex(shape: Shape, i: number): Bytes {
  const idx = i + shape.minNode;
  return shape.adjacentKeys ? new Uint8Array(idx) : bytes(String(idx).padStart(10, '0'));
}

const NORMAL_END = Uint8Array.of(0xff);
const CONFLICT_BEGIN = Uint8Array.of(0xfe);
const CONFLICT_END = Uint8Array.of(0xfe, 0x00);

/** Clears every user key under a write conflict on all of them (FoundationDB's writeBarrier). */
async function writeBarrier(ctx: Ctx): Promise<void> {
  await ctx.db.run(async (tr) => {
    tr.addWriteConflictRange(new Uint8Array(0), NORMAL_END);
    tr.clearRange(new Uint8Array(0), NORMAL_END);
  });
}

/** Loads the key space at initialKeyDensity in batches; false when testDuration ran out first. */
async function load(ctx: Ctx, shape: Shape, endTime: number): Promise<boolean> {
  await writeBarrier(ctx);
  const keySize = keyForIndex(shape, shape.nodes).length;
  const perBatch = Math.min(1000, 1 + Math.floor(10_000_000 / 2 / Math.max(1, keySize)));
  for (let i = 0; i < shape.nodes; i += perBatch) {
    const tr = ctx.db.createTransaction();
    for (;;) {
      if (ctx.now() > endTime) return false;
      try {
        if (i === 0) tr.clearRange(new Uint8Array(0), NORMAL_END);
        const end = Math.min(shape.nodes, i + perBatch);
        tr.clearRange(keyForIndex(shape, i), keyForIndex(shape, end));
        for (let j = i; j < end; j++) {
          if (ctx.random.next() >= shape.initialKeyDensity) continue;
          const key = keyForIndex(shape, j);
          if (key.length <= 10_000) tr.set(key, new Uint8Array(0));
        }
        await tr.commit();
        break;
      } catch (e) {
        await tr.onError(e);
      }
    }
  }
  return true;
}

/** FoundationDB's error codes the contracts name. */
const E = {
  client_invalid_operation: 2000,
  timed_out: 1004,
  accessed_unreadable: 1036,
  key_outside_legal_range: 2004,
  inverted_range: 2005,
  invalid_option_value: 2006,
  invalid_option: 2007,
  read_version_already_set: 2010,
  version_invalid: 2011,
  range_limits_invalid: 2012,
  invalid_mutation_type: 2018,
  key_too_large: 2102,
  value_too_large: 2103,
  special_keys_cross_module_read: 2112,
  special_keys_no_module_found: 2113,
  special_keys_write_disabled: 2114,
  special_keys_api_failure: 2117,
} as const;

type Expectation = 'always' | 'possible';

/** What a call's arguments allow: each error code always thrown or possibly thrown; any other is a breach. */
export interface Contract {
  readonly func: string;
  readonly details: Record<string, string | number | boolean>;
  readonly expected: ReadonlyMap<number, Expectation>;
  /** Checks a successful call's result; says what is wrong, or undefined. */
  readonly verify?: (result: unknown) => string | undefined;
}

/** A contract from [code, expectation or false] pairs (false: never, left out). */
function contract(
  func: string,
  details: Contract['details'],
  pairs: readonly (readonly [number, Expectation | false])[],
  verify?: Contract['verify'],
): Contract {
  const expected = new Map<number, Expectation>();
  for (const [code, e] of pairs) if (e) expected.set(code, e);
  return verify ? { func, details, expected, verify } : { func, details, expected };
}

const requiredIf = (b: boolean): Expectation | false => (b ? 'always' : false);
const possibleIf = (b: boolean): Expectation | false => (b ? 'possible' : false);
const possibleButRequiredIf = (b: boolean): Expectation => (b ? 'always' : 'possible');

/** The failure a breach reports: ctx.fail's reason, details and event type (the call's name). */
export function contractFailure(
  c: Contract,
  e: unknown,
  thrown: boolean,
): [string, Record<string, string | number | boolean>, string] {
  const code = e instanceof FdbError ? e.code : -1;
  const name = e instanceof FdbError ? e.errorName : e instanceof Error ? e.message : String(e);
  const reason = thrown
    ? `${c.func} threw ${name} (${code}), which its arguments never cause`
    : `${c.func} did not throw error ${code}, which its arguments require`;
  return [
    reason,
    { ...c.details, Error: code, Thrown: thrown, Expected: thrown ? 'never' : 'always' },
    c.func,
  ];
}

/** One call: its contract and how to make it. */
interface Call {
  readonly contract: Contract;
  readonly run: () => unknown;
}

const KEY_LIMIT = 10_000;
const VALUE_LIMIT = 100_000;
const MAX_KEY = Uint8Array.of(0xff);
const SPECIAL_BEGIN = Uint8Array.of(0xff, 0xff);
const SPECIAL_END = Uint8Array.of(0xff, 0xff, 0xff);
const STATUS_JSON = concatBytes(SPECIAL_BEGIN, bytes('/status/json'));

const gt = (a: Bytes, b: Bytes): boolean => compareBytes(a, b) > 0;
const ge = (a: Bytes, b: Bytes): boolean => compareBytes(a, b) >= 0;
const isSpecial = (k: Bytes): boolean => ge(k, SPECIAL_BEGIN) && gt(SPECIAL_END, k);
/** FoundationDB's isSpecialKeyRange of range reads. */
const specialRead = (a: Bytes, b: Bytes): boolean =>
  isSpecial(a) && ge(b, SPECIAL_BEGIN) && !gt(b, SPECIAL_END);

/** `n` seeded random bytes: one draw seeds a cheap generator (keys and values run to 200 KB). */
function randomBytes(r: Random, n: number): Bytes {
  const out = new Uint8Array(n);
  let x = r.int(1, 2 ** 31) | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** FoundationDB's makeKey: 25% empty, 25% too large, else up to the limit; 20% in the special key space. */
function makeKey(r: Random): Bytes {
  const draw = r.next();
  if (draw < 0.25) return new Uint8Array(0);
  const size = draw < 0.5 ? r.int(1, KEY_LIMIT + 1) + KEY_LIMIT : r.int(1, KEY_LIMIT + 1);
  const key = randomBytes(r, size);
  return r.next() < 0.2 ? concatBytes(SPECIAL_BEGIN, key) : key;
}

/** FoundationDB's makeValue: 25% empty, 25% too large, else up to the limit. */
function makeValue(r: Random): Bytes {
  const draw = r.next();
  if (draw < 0.25) return new Uint8Array(0);
  return randomBytes(r, draw < 0.5 ? r.int(1, VALUE_LIMIT + 1) + VALUE_LIMIT : r.int(1, VALUE_LIMIT + 1));
}

/** A random 32-bit offset or limit: `zero` of the time 0, then negative or positive evenly. */
function randomInt32(r: Random, zero: number, negative: number): number {
  const draw = r.next();
  if (draw < zero) return 0;
  return draw < negative ? -r.int(0, 2 ** 31) : r.int(0, 2 ** 31 - 1) + 1;
}

function makeKeySel(r: Random): KeySelector {
  const offset = randomInt32(r, 0.4, 0.7);
  return { key: makeKey(r), orEqual: r.next() < 0.5, offset };
}

const show = (k: Bytes): string =>
  printable(k.length > 64 ? k.subarray(0, 64) : k) + (k.length > 64 ? `...(${k.length})` : '');

function setVersionCall(r: Random, tr: Transaction): Call {
  const v = r.next() < 0.5 ? -Math.floor(r.next() * 2 ** 53) - 1 : Math.floor(r.next() * 2 ** 53);
  const verify = (got: unknown) =>
    got === v ? undefined : `getReadVersion gave ${String(got)} after setReadVersion(${v})`;
  return {
    contract: contract(
      'TestSetVersion',
      { Version: v },
      [
        [E.read_version_already_set, 'possible'],
        [E.version_invalid, requiredIf(v <= 0)],
      ],
      verify,
    ),
    run: async () => {
      tr.setReadVersion(v);
      return tr.getReadVersion();
    },
  };
}

function getCall(r: Random, tr: Transaction): Call {
  const key = makeKey(r);
  const special = isSpecial(key);
  return {
    contract: contract('TestGet', { Key: show(key), Size: key.length }, [
      [E.key_outside_legal_range, requiredIf(ge(key, MAX_KEY) && !special)],
      [E.client_invalid_operation, 'possible'],
      [E.accessed_unreadable, 'possible'],
      [E.special_keys_no_module_found, possibleIf(special)],
      [E.timed_out, possibleIf(compareBytes(key, STATUS_JSON) === 0)],
      [E.special_keys_api_failure, possibleIf(special)],
    ]),
    run: () => tr.get(key, { snapshot: r.next() < 0.5 }),
  };
}

function getKeyCall(r: Random, tr: Transaction): Call {
  const sel = makeKeySel(r);
  return {
    contract: contract('TestGetKey', { KeySel: `${show(sel.key)} ${sel.orEqual} ${sel.offset}` }, [
      [E.key_outside_legal_range, requiredIf(gt(sel.key, MAX_KEY))],
      [E.client_invalid_operation, 'possible'],
      [E.accessed_unreadable, 'possible'],
    ]),
    run: () => tr.getKey(sel, { snapshot: r.next() < 0.5 }),
  };
}

/** The contract of a range read from a to b (selector keys or plain keys). */
function rangeReadContract(func: string, a: Bytes, b: Bytes, limit: number, plain: boolean): Contract {
  const special = specialRead(a, b);
  return contract(func, { Begin: show(a), End: show(b), Limit: limit }, [
    [E.inverted_range, requiredIf(plain && gt(a, b))],
    [E.range_limits_invalid, possibleButRequiredIf(limit < 0)],
    [E.client_invalid_operation, 'possible'],
    [E.key_outside_legal_range, requiredIf((gt(a, MAX_KEY) || gt(b, MAX_KEY)) && !special)],
    [E.special_keys_cross_module_read, possibleIf(special)],
    [E.special_keys_no_module_found, possibleIf(special)],
    [E.timed_out, possibleIf(special)],
    [E.special_keys_api_failure, possibleIf(special)],
    [E.accessed_unreadable, 'possible'],
  ]);
}

function getRangeSelectorsCall(r: Random, tr: Transaction): Call {
  const a = makeKeySel(r);
  const b = makeKeySel(r);
  const limit = randomInt32(r, 0.2, 0.4);
  return {
    contract: rangeReadContract('TestGetRange0', a.key, b.key, limit, false),
    run: () => tr.getRange(a, b, { limit, snapshot: r.next() < 0.5, reverse: r.next() < 0.5 }),
  };
}

function getRangeKeysCall(r: Random, tr: Transaction): Call {
  const a = makeKey(r);
  const b = makeKey(r);
  const limit = randomInt32(r, 0.2, 0.4);
  return {
    contract: rangeReadContract('TestGetRange2', a, b, limit, true),
    run: () => tr.getRange(a, b, { limit, snapshot: r.next() < 0.5, reverse: r.next() < 0.5 }),
  };
}

function conflictRangeCall(func: string, write: boolean): (r: Random, tr: Transaction) => Call {
  return (r, tr) => {
    const a = makeKey(r);
    const b = makeKey(r);
    return {
      contract: contract(func, { Key1: show(a), Key2: show(b) }, [
        [E.inverted_range, requiredIf(gt(a, b))],
        [E.key_outside_legal_range, requiredIf(gt(a, MAX_KEY) || gt(b, MAX_KEY))],
      ]),
      run: () => (write ? tr.addWriteConflictRange(a, b) : tr.addReadConflictRange(a, b)),
    };
  };
}

/** FoundationDB's atomic mutation codes faultline has, by name (MinV2 and AndV2 are its min and bitAnd). */
const ATOMIC_CODES = new Map<number, AtomicOp>([
  [2, 'add'],
  [6, 'bitAnd'],
  [7, 'bitOr'],
  [8, 'bitXor'],
  [9, 'appendIfFits'],
  [12, 'max'],
  [13, 'min'],
  [14, 'setVersionstampedKey'],
  [15, 'setVersionstampedValue'],
  [16, 'byteMin'],
  [17, 'byteMax'],
  [18, 'min'],
  [19, 'bitAnd'],
  [20, 'compareAndClear'],
]);

/** The placeholder offset of a versionstamped key or value (its last 4 bytes, little-endian), -1 if short. */
function stampOffset(b: Bytes): number {
  if (b.length < 4) return -1;
  const n = b.length - 4;
  return b[n]! | (b[n + 1]! << 8) | (b[n + 2]! << 16) | (b[n + 3]! << 24);
}

function atomicOpCall(r: Random, tr: Transaction): Call {
  const key = makeKey(r);
  const value = makeValue(r);
  const draw = r.next();
  const code = draw < 0.25 ? r.int(0, 2) : draw < 0.5 ? r.int(21, 255) : r.int(2, 21);
  const op = ATOMIC_CODES.get(code);
  const pos =
    op === 'setVersionstampedKey'
      ? stampOffset(key)
      : op === 'setVersionstampedValue'
        ? stampOffset(value)
        : -1;
  const badStamp =
    (op === 'setVersionstampedKey' && (pos < 0 || pos + 10 > key.length - 4)) ||
    (op === 'setVersionstampedValue' && (pos < 0 || pos + 10 > value.length - 4));
  return {
    contract: contract('TestAtomicOp', { Key: show(key), Value: value.length, Op: code, Pos: pos }, [
      [E.key_too_large, requiredIf(key.length > KEY_LIMIT)],
      [E.value_too_large, requiredIf(value.length > VALUE_LIMIT)],
      [E.invalid_mutation_type, requiredIf(op === undefined)],
      [E.key_outside_legal_range, requiredIf(ge(key, MAX_KEY))],
      [E.client_invalid_operation, requiredIf(badStamp)],
    ]),
    run: () => tr.atomicOp(op ?? (`mutation ${code}` as AtomicOp), key, value),
  };
}

function setCall(r: Random, tr: Transaction): Call {
  const key = makeKey(r);
  const value = makeValue(r);
  const special = isSpecial(key);
  return {
    contract: contract('TestSet', { Key: show(key), Value: value.length }, [
      [E.key_too_large, requiredIf(key.length > KEY_LIMIT)],
      [E.value_too_large, requiredIf(value.length > VALUE_LIMIT)],
      [E.key_outside_legal_range, requiredIf(ge(key, MAX_KEY) && !special)],
      [E.special_keys_write_disabled, requiredIf(special)],
    ]),
    run: () => tr.set(key, value),
  };
}

function clearRangeCall(func: string): (r: Random, tr: Transaction) => Call {
  return (r, tr) => {
    const a = makeKey(r);
    const b = makeKey(r);
    const special = isSpecial(a) && !gt(b, SPECIAL_END);
    return {
      contract: contract(func, { Key1: show(a), Key2: show(b) }, [
        [E.inverted_range, requiredIf(gt(a, b))],
        [E.key_outside_legal_range, requiredIf((gt(a, MAX_KEY) || gt(b, MAX_KEY)) && !special)],
        [E.special_keys_write_disabled, requiredIf(special)],
      ]),
      run: () => tr.clearRange(a, b),
    };
  };
}

function clearCall(r: Random, tr: Transaction): Call {
  const key = makeKey(r);
  return {
    contract: contract('TestClear2', { Key: show(key) }, [
      [E.key_outside_legal_range, requiredIf(ge(key, MAX_KEY))],
      [E.special_keys_write_disabled, requiredIf(isSpecial(key))],
    ]),
    run: () => tr.clear(key),
  };
}

/**
 * FoundationDB's test cases that faultline's API has, in its order. Left out: getRange with byte limits
 * (TestGetRange1 and 3), getAddressesForKey and watch (a watch before commit waits out its timeout).
 */
const CALLS: readonly ((r: Random, tr: Transaction) => Call)[] = [
  setVersionCall,
  getCall,
  getKeyCall,
  getRangeSelectorsCall,
  getRangeKeysCall,
  conflictRangeCall('TestAddReadConflictRange', false),
  atomicOpCall,
  setCall,
  clearRangeCall('TestClear0'),
  clearRangeCall('TestClear1'),
  clearCall,
  conflictRangeCall('TestAddWriteConflictRange', true),
  setOptionCall,
  onErrorCall,
];

/** Errors every call may meet under chaos or on its own: never a contract breach (FoundationDB's list). */
const ALWAYS_IGNORED = new Set([2017, 1007, 1009, 1025, 2102, 2103, 1037, 1051, 1213]);

/** Counters of one run. */
interface Tally {
  calls: number;
  expectedErrors: number;
  breaches: number;
}

/** Runs one call under its contract (FoundationDB's BaseTest::runTest). */
async function runCall(ctx: Ctx, c: Contract, run: () => unknown, tally: Tally): Promise<void> {
  tally.calls++;
  let result: unknown;
  try {
    result = await run();
  } catch (e) {
    const code = e instanceof FdbError ? e.code : -1;
    if (e instanceof FdbError && ALWAYS_IGNORED.has(code)) return;
    const expect = c.expected.get(code);
    if (expect === 'always' || expect === 'possible') {
      tally.expectedErrors++;
      return;
    }
    tally.breaches++;
    ctx.fail(...contractFailure(c, e, true));
    return;
  }
  for (const [code, expect] of c.expected) {
    if (expect !== 'always') continue;
    tally.breaches++;
    ctx.fail(...contractFailure(c, new FdbError(code, `error ${code}`), false));
  }
  const wrong = c.verify?.(result);
  if (wrong !== undefined) {
    tally.breaches++;
    ctx.fail(`${c.func}: ${wrong}`, c.details, c.func);
  }
}

/** One random call on `tr`, as a contract and the call to make (FoundationDB's test cases, drawn evenly). */
function randomCall(ctx: Ctx, tr: Transaction): Call {
  const r = ctx.random;
  const make = CALLS[r.int(0, CALLS.length)]!;
  return make(r, tr);
}

/** FoundationDB's option codes for the options faultline has. */
const OPTION_NAMES = new Map<number, TransactionOption>([
  [700, 'lockAware'],
  [702, 'readLockAware'],
]);

function setOptionCall(r: Random, tr: Transaction): Call {
  const draw = r.next();
  const code = draw < 0.25 ? -r.int(1, 2 ** 31) : draw < 0.5 ? r.int(1101, 2 ** 31) : r.int(10, 1101);
  const name = OPTION_NAMES.get(code) ?? (`option ${code}` as TransactionOption);
  return {
    contract: contract('TestSetOption', { Op: code }, [
      [E.invalid_option, 'possible'],
      [E.invalid_option_value, 'possible'],
    ]),
    run: () => tr.setOption(name),
  };
}

function onErrorCall(r: Random, tr: Transaction): Call {
  const draw = r.next();
  const code = draw < 0.2 ? 0 : draw < 0.6 ? -r.int(1, 2 ** 31) : r.int(1, 2 ** 31);
  return {
    contract: contract('TestOnError', { ErrorCode: code }, []),
    // As FoundationDB: the future is not waited for; its outcome does not matter.
    run: () => {
      void tr.onError(new FdbError(code, `error ${code}`)).catch(() => {});
    },
  };
}

/** One random transaction (FoundationDB's randomTransaction); false when it must reload the data. */
async function randomTransaction(ctx: Ctx, tally: Tally): Promise<boolean> {
  const tr = ctx.db.createTransaction();
  for (;;) {
    tr.addWriteConflictRange(CONFLICT_BEGIN, CONFLICT_END);
    try {
      const calls: Promise<void>[] = [];
      const rounds = ctx.random.int(1, 5);
      for (let i = 0; i < rounds; i++) {
        const n = ctx.random.int(1, ctx.options.numOps);
        const first = calls.length;
        for (let j = 0; j < n; j++) {
          const { contract, run } = randomCall(ctx, tr);
          calls.push(runCall(ctx, contract, run, tally));
        }
        await calls[ctx.random.int(first, calls.length)];
        await ctx.delay(0.000001);
      }
      await Promise.all(calls);
      try {
        await tr.commit();
      } catch (e) {
        // Calls that poison a commit end the transaction, as in FoundationDB.
        if (e instanceof FdbError && (e.code === 2000 || e.code === 2101 || e.code === 2007)) return false;
        throw e;
      }
      return true;
    } catch (e) {
      if (e instanceof FdbError && (e.code === 1020 || e.code === 1021)) return false;
      try {
        await tr.onError(e);
      } catch (e2) {
        if (e2 instanceof FdbError && e2.code === 1031) return false;
        throw e2;
      }
    }
  }
}

export default defineWorkload({
  name: 'FuzzApiCorrectness',
  description:
    'Client 0 runs transactions of random API calls with random, often invalid, arguments; every error ' +
    'must be one the arguments allow, and every required one must come (FoundationDB’s call contracts).',
  kind: 'application',
  stacking: 'alone',
  options,
  create(ctx) {
    const tally: Tally = { calls: 0, expectedErrors: 0, breaches: 0 };
    const shape = drawShape(ctx.random, ctx.options);
    return {
      async start() {
        if (ctx.clientId !== 0) return;
        ctx.trace('FuzzApiCorrectnessConfiguration', {
          Nodes: shape.nodes,
          InitialKeyDensity: shape.initialKeyDensity,
          AdjacentKeys: shape.adjacentKeys,
          MinNode: shape.minNode,
        });
        const endTime = ctx.now() + ctx.options.testDuration;
        for (;;) {
          if (!(await load(ctx, shape, endTime))) return;
          for (;;) {
            const pause = ctx.delay(ctx.options.numOps * 0.001);
            const kept = await randomTransaction(ctx, tally);
            await pause;
            if (ctx.now() > endTime) return;
            if (!kept) break;
          }
        }
      },
      async check() {
        return tally.breaches === 0;
      },
      metrics: () => [
        { name: 'Calls', value: tally.calls },
        { name: 'Expected errors', value: tally.expectedErrors },
        { name: 'Contract breaches', value: tally.breaches },
      ],
    };
  },
});
