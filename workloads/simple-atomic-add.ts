// SimpleAtomicAdd (FoundationDB's SimpleAtomicAdd workload): client 0 optionally sets one key to
// initialValue, then runs `iterations` concurrent transactions that each atomically add addValue to it
// (4-byte little-endian operands, as FoundationDB's C++ ints), each retried until it commits or
// testDuration passes. Its check reads the key: it must equal initialValue + addValue x iterations.
// Without initialize the sum starts from what the key held before the adds (FoundationDB assumes an
// absent key, which is the same thing on a fresh database; a key left by an earlier test no longer
// makes a correct database fail).
//
// Where faultline differs, and why: an add whose commit answered commit_unknown_result and was retried
// may have been applied twice, so the check accepts one extra addValue per such attempt (FoundationDB's
// exact comparison would report a correct database as failing); with no unknown results it is FoundationDB's
// exact check. The sum is compared modulo 2^32, the width of the stored value (FoundationDB compares a
// 64-bit expectation, which no 4-byte value can meet once the sum passes 2^31 or goes negative). An add
// that never committed within testDuration fails the check with a warning (Severity 30), as faultline
// treats every workload's rate shortfall: it says the cluster was slow, not that it lost data.
import { type Bytes, bytes, defineWorkload, FdbError, type Metric, opt, printable } from '../src/index.js';

const options = {
  testDuration: opt.number({
    default: 10,
    min: 0,
    unit: 's',
    doc: 'How long each add is retried before it is given up (FoundationDB wraps each in a timeout).',
  }),
  addValue: opt.int({
    default: 1,
    min: -2147483648,
    max: 2147483647,
    doc: 'The value each transaction adds, as a 4-byte little-endian integer.',
  }),
  iterations: opt.int({
    default: 100,
    min: 0,
    max: 100_000,
    unit: 'transactions',
    doc: 'How many add transactions client 0 runs, all at once.',
  }),
  initialize: opt.bool({
    default: false,
    doc: 'Set the key to initialValue before the adds (else the sum starts from what the key holds).',
  }),
  initialValue: opt.int({
    default: 0,
    min: -2147483648,
    max: 2147483647,
    doc: 'The value written when initialize is true, as a 4-byte little-endian integer.',
  }),
  sumKey: opt.string({ default: 'sumKey', doc: 'The key the adds go to.' }),
};

/** The width of the stored value: FoundationDB's `sizeof(int)`. */
const WIDTH = 4;
const MODULUS = 1n << BigInt(8 * WIDTH);

/** `n` as FoundationDB's 4-byte little-endian int. */
export function encodeInt32LE(n: number): Bytes {
  const out = new Uint8Array(WIDTH);
  new DataView(out.buffer).setInt32(0, n, true);
  return out;
}

/** A stored value read as an unsigned little-endian integer (FoundationDB memcpys it into a uint64). */
export function decodeUnsignedLE(value: Bytes | undefined): bigint {
  let n = 0n;
  const v = value ?? new Uint8Array(0);
  for (let i = Math.min(v.length, 8) - 1; i >= 0; i--) n = (n << 8n) | BigInt(v[i]!);
  return n;
}

/** Every value the key may hold: `base + addValue x k` modulo 2^32, for k in 0..ambiguous. */
export function acceptableSums(base: bigint, addValue: number, ambiguous: number): bigint[] {
  const out: bigint[] = [];
  for (let k = 0; k <= ambiguous; k++) {
    out.push((((base + BigInt(addValue) * BigInt(k)) % MODULUS) + MODULUS) % MODULUS);
  }
  return out;
}

export default defineWorkload({
  name: 'SimpleAtomicAdd',
  description:
    'Client 0 adds addValue to one key in `iterations` concurrent transactions; checks the key holds ' +
    'initialValue + addValue x iterations (an add retried after commit_unknown_result may count twice).',
  kind: 'application',
  options,
  create(ctx) {
    const o = ctx.options;
    const key = bytes(o.sumKey);
    let committed = 0;
    let unknownResults = 0;
    let retries = 0;

    /** FoundationDB's setInitialValue: a plain set, retried until it commits. */
    const setInitialValue = async (): Promise<void> => {
      const tr = ctx.db.createTransaction();
      for (;;) {
        try {
          tr.set(key, encodeInt32LE(o.initialValue));
          await tr.commit();
          return;
        } catch (e) {
          await tr.onError(e);
        }
      }
    };

    /** One add, retried until it commits or `deadline` passes (FoundationDB's timeout cancels it). */
    const applyAtomicAdd = async (deadline: number): Promise<void> => {
      const tr = ctx.db.createTransaction();
      while (ctx.now() < deadline) {
        try {
          tr.add(key, encodeInt32LE(o.addValue));
          await tr.commit();
          committed++;
          return;
        } catch (e) {
          if (e instanceof FdbError && e.maybeCommitted) unknownResults++;
          await tr.onError(e);
          retries++;
        }
      }
    };

    /** What the key holds before the adds: initialValue once written, else whatever it held. */
    let base = 0n;

    /** Reads the key until a read succeeds. */
    const readSum = async (): Promise<{ value: Bytes | undefined; version: number }> => {
      const tr = ctx.db.createTransaction();
      for (;;) {
        try {
          const value = await tr.get(key);
          return { value, version: await tr.getReadVersion() };
        } catch (e) {
          await tr.onError(e);
        }
      }
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        if (o.initialize) {
          await setInitialValue();
          base = BigInt(o.initialValue);
        } else {
          base = decodeUnsignedLE((await readSum()).value);
        }
        const deadline = ctx.now() + o.testDuration;
        await Promise.all(Array.from({ length: o.iterations }, () => applyAtomicAdd(deadline)));
      },

      async check() {
        if (ctx.clientId !== 0) return true;
        const { value, version } = await readSum();
        const actual = decodeUnsignedLE(value);
        const acceptable = acceptableSums(
          base + BigInt(o.addValue) * BigInt(committed),
          o.addValue,
          unknownResults,
        );
        const expected = acceptableSums(base + BigInt(o.addValue) * BigInt(o.iterations), o.addValue, 0)[0]!;
        ctx.trace('SAACheckEqual', {
          ExpectedValue: String(expected),
          ActualValue: String(actual),
          Committed: committed,
          UnknownResults: unknownResults,
          Version: version,
        });
        if (!acceptable.includes(actual)) {
          ctx.fail('SimpleAtomicAdd: the sum differs from the adds that committed', {
            Key: printable(key),
            ActualValue: String(actual),
            ExpectedValue: String(acceptable[0]),
            Committed: committed,
            UnknownResults: unknownResults,
            Version: version,
          });
          return false;
        }
        if (committed < o.iterations) {
          ctx.trace(
            'TestFailure',
            {
              Reason: 'SimpleAtomicAdd: adds did not commit within testDuration',
              Committed: committed,
              Iterations: o.iterations,
              ExpectedValue: String(expected),
              ActualValue: String(actual),
            },
            30,
          );
          return false;
        }
        return true;
      },

      metrics(): Metric[] {
        return [
          { name: 'Adds committed', value: committed },
          { name: 'Retries', value: retries },
          { name: 'Unknown results', value: unknownResults },
        ];
      },
    };
  },
});
