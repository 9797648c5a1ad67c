// Tests of the reference model database: the FoundationDB client semantics workloads rely on.
import { describe, expect, it } from 'vitest';
import { bytes, decodeInt64LE, encodeInt64LE, str } from '../../../src/cluster/bytes.js';
import { ErrorCodes, FdbError, type Transaction } from '../../../src/cluster/client-api.js';
import {
  firstGreaterOrEqual,
  firstGreaterThan,
  lastLessOrEqual,
  lastLessThan,
} from '../../../src/cluster/selectors.js';
import { seconds } from '../../../src/core/time.js';
import { Kernel } from '../../../src/sim/kernel.js';
import { applyAtomicOp, ModelDatabase, type ModelDatabaseOptions } from '../../support/model-db.js';

/** Runs `body` with a fresh model (zero latency unless given) inside a kernel. */
async function withDb<T>(
  body: (db: ModelDatabase, k: Kernel) => Promise<T>,
  opts: Partial<ModelDatabaseOptions> = {},
): Promise<T> {
  const k = new Kernel(7);
  const db = new ModelDatabase({
    now: () => k.now(),
    random: k.random.fork('model'),
    delay: (s) => k.delay(seconds(s)),
    latency: { grv: 0, read: 0, commit: 0 },
    ...opts,
  });
  const out = await k.run(() => body(db, k));
  if (out.kind !== 'finished') throw new Error(`did not finish: ${out.reason}`);
  return out.value;
}

const b = bytes;
/** The end of the normal keyspace (a raw 0xff byte: `bytes('\xff')` would be UTF-8). */
const END = new Uint8Array([0xff]);
const hex = (x: Uint8Array | undefined): string | undefined =>
  x === undefined ? undefined : Buffer.from(x).toString('hex');

async function codeOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof FdbError) return e.code;
    throw e;
  }
}

function codeOfSync(f: () => unknown): number | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof FdbError) return e.code;
    throw e;
  }
}

async function put(db: ModelDatabase, pairs: Record<string, string>): Promise<void> {
  await db.run(async (tr) => {
    for (const k of Object.keys(pairs).sort()) tr.set(b(k), b(pairs[k]!));
  });
}

const keysOf = (kvs: { key: Uint8Array }[]): string[] => kvs.map((kv) => str(kv.key));

describe('ModelDatabase: versions and reads', () => {
  it('gives later transactions a read version at or after every earlier commit', async () => {
    await withDb(async (db) => {
      const t1 = db.createTransaction();
      t1.set(b('a'), b('1'));
      await t1.commit();
      const v1 = t1.getCommittedVersion();
      const t2 = db.createTransaction();
      expect(await t2.getReadVersion()).toBeGreaterThanOrEqual(v1);
      expect(str((await t2.get(b('a')))!)).toBe('1');
      const t3 = db.createTransaction();
      t3.set(b('a'), b('2'));
      await t3.commit();
      expect(t3.getCommittedVersion()).toBeGreaterThan(v1);
      // t2 keeps reading at its snapshot
      expect(str((await t2.get(b('a')))!)).toBe('1');
    });
  });

  it('reports -1 as the committed version of a read-only transaction', async () => {
    await withDb(async (db) => {
      const t = db.createTransaction();
      await t.get(b('x'));
      await t.commit();
      expect(t.getCommittedVersion()).toBe(-1);
    });
  });

  it('fails reads and commits with transaction_too_old once the read version is 5 s behind', async () => {
    await withDb(async (db, k) => {
      await put(db, { a: '1' });
      const t = db.createTransaction();
      await t.get(b('a'));
      await k.delay(seconds(4.9));
      expect(await codeOf(t.get(b('a')))).toBeUndefined();
      await k.delay(seconds(0.2));
      expect(await codeOf(t.get(b('a')))).toBe(ErrorCodes.transaction_too_old);
      const t2 = db.createTransaction();
      await t2.get(b('a'));
      t2.set(b('b'), b('2'));
      await k.delay(seconds(6));
      expect(await codeOf(t2.commit())).toBe(ErrorCodes.transaction_too_old);
    });
  });
});

describe('ModelDatabase: conflicts', () => {
  it('aborts a transaction whose point read was overwritten after its read version', async () => {
    await withDb(async (db) => {
      await put(db, { a: '1' });
      const t1 = db.createTransaction();
      await t1.get(b('a'));
      t1.set(b('b'), b('x'));
      const t2 = db.createTransaction();
      t2.set(b('a'), b('2'));
      await t2.commit();
      expect(await codeOf(t1.commit())).toBe(ErrorCodes.not_committed);
      expect(db.stats.conflicts).toBe(1);
    });
  });

  it('does not abort on writes to keys it did not read, nor on snapshot reads, nor blind writes', async () => {
    await withDb(async (db) => {
      await put(db, { a: '1', c: '1' });
      const t1 = db.createTransaction();
      await t1.get(b('a'));
      await t1.get(b('c'), { snapshot: true });
      t1.set(b('a'), b('mine'));
      const t2 = db.createTransaction();
      t2.set(b('b'), b('2'));
      t2.set(b('c'), b('2'));
      await t2.commit();
      await t1.commit();
      expect(str(db.rawGet(b('a'))!)).toBe('mine');
    });
  });

  it('aborts on a phantom: an insert into a range it read, even though the key was absent', async () => {
    await withDb(async (db) => {
      await put(db, { k1: '1', k3: '3' });
      const t1 = db.createTransaction();
      expect(keysOf(await t1.getRange(b('k'), b('l')))).toEqual(['k1', 'k3']);
      t1.set(b('z'), b('done'));
      const t2 = db.createTransaction();
      t2.set(b('k2'), b('new'));
      await t2.commit();
      expect(await codeOf(t1.commit())).toBe(ErrorCodes.not_committed);
    });
  });

  it('limits the read-conflict range of a limited range read to the rows it returned', async () => {
    await withDb(async (db) => {
      await put(db, { k1: '1', k2: '2', k3: '3', k4: '4' });
      const t1 = db.createTransaction();
      expect(keysOf(await t1.getRange(b('k'), b('l'), { limit: 2 }))).toEqual(['k1', 'k2']);
      t1.set(b('z'), b('done'));
      const t2 = db.createTransaction();
      t2.set(b('k3'), b('changed'));
      await t2.commit();
      await t1.commit(); // k3 was beyond the limit: no conflict
      const t3 = db.createTransaction();
      expect(keysOf(await t3.getRange(b('k'), b('l'), { limit: 2, reverse: true }))).toEqual(['k4', 'k3']);
      t3.set(b('z'), b('again'));
      const t4 = db.createTransaction();
      t4.set(b('k3'), b('changed again'));
      await t4.commit();
      expect(await codeOf(t3.commit())).toBe(ErrorCodes.not_committed);
    });
  });

  it('honours explicit read and write conflict ranges', async () => {
    await withDb(async (db) => {
      const t1 = db.createTransaction();
      await t1.getReadVersion();
      t1.addReadConflictRange(b('m'), b('n'));
      t1.set(b('z'), b('1'));
      const t2 = db.createTransaction();
      t2.addWriteConflictKey(b('mm')); // no mutation at all, but it still conflicts
      await t2.commit();
      expect(t2.getCommittedVersion()).toBeGreaterThan(0);
      expect(await codeOf(t1.commit())).toBe(ErrorCodes.not_committed);
    });
  });

  it('conflicts on a key cleared by a concurrent range clear', async () => {
    await withDb(async (db) => {
      await put(db, { q: '1' });
      const t1 = db.createTransaction();
      await t1.get(b('q'));
      t1.set(b('z'), b('1'));
      const t2 = db.createTransaction();
      t2.clearRange(b('p'), b('r'));
      await t2.commit();
      expect(await codeOf(t1.commit())).toBe(ErrorCodes.not_committed);
      expect(db.rawGet(b('q'))).toBeUndefined();
    });
  });

  it('lets exactly one of two read-modify-write transactions on the same key commit', async () => {
    await withDb(async (db) => {
      await put(db, { n: '0' });
      const incr = async (tr: Transaction) => {
        const v = Number(str((await tr.get(b('n')))!));
        tr.set(b('n'), b(String(v + 1)));
      };
      const t1 = db.createTransaction();
      const t2 = db.createTransaction();
      await incr(t1);
      await incr(t2);
      const codes = [await codeOf(t1.commit()), await codeOf(t2.commit())];
      expect(codes).toEqual([undefined, ErrorCodes.not_committed]);
      expect(str(db.rawGet(b('n'))!)).toBe('1');
    });
  });

  it('keeps a counter exact under concurrent retried increments with latency', async () => {
    await withDb(
      async (db) => {
        await put(db, { n: '0' });
        const worker = async () => {
          for (let i = 0; i < 20; i++) {
            await db.run(async (tr) => {
              const v = Number(str((await tr.get(b('n')))!));
              tr.set(b('n'), b(String(v + 1)));
            });
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        expect(str(db.rawGet(b('n'))!)).toBe('80');
        expect(db.stats.conflicts).toBeGreaterThan(0);
      },
      { latency: { grv: 0.001, read: 0.002, commit: 0.004 } },
    );
  });
});

describe('ModelDatabase: read-your-writes', () => {
  it('shows a transaction its own sets, clears and range clears in gets and range reads', async () => {
    await withDb(async (db) => {
      await put(db, { a: '1', b: '2', c: '3', d: '4' });
      const t = db.createTransaction();
      t.set(b('bb'), b('new'));
      t.clear(b('a'));
      t.clearRange(b('c'), b('d'));
      t.set(b('c2'), b('after clear'));
      expect(await t.get(b('a'))).toBeUndefined();
      expect(str((await t.get(b('bb')))!)).toBe('new');
      expect(await t.get(b('c'))).toBeUndefined();
      expect(keysOf(await t.getRange(b(''), END))).toEqual(['b', 'bb', 'c2', 'd']);
      expect(keysOf(await t.getRange(b(''), END, { reverse: true, limit: 3 }))).toEqual(['d', 'c2', 'bb']);
      // the database is untouched until commit
      expect(str(db.rawGet(b('a'))!)).toBe('1');
      await t.commit();
      expect(db.rawDump().map((kv) => str(kv.key))).toEqual(['b', 'bb', 'c2', 'd']);
    });
  });

  it('folds atomic operations over the database value when read in the same transaction', async () => {
    await withDb(async (db) => {
      await db.run(async (tr) => tr.set(b('n'), encodeInt64LE(5)));
      const t = db.createTransaction();
      t.add(b('n'), encodeInt64LE(3));
      t.add(b('n'), encodeInt64LE(2));
      t.add(b('fresh'), encodeInt64LE(7));
      expect(decodeInt64LE(await t.get(b('n')))).toBe(10n);
      expect(decodeInt64LE(await t.get(b('fresh')))).toBe(7n);
      await t.commit();
      expect(decodeInt64LE(db.rawGet(b('n')))).toBe(10n);
    });
  });

  it('resolves key selectors over the merged view', async () => {
    await withDb(async (db) => {
      await put(db, { b: '', d: '', f: '' });
      const t = db.createTransaction();
      t.set(b('e'), b(''));
      t.clear(b('f'));
      expect(str(await t.getKey(firstGreaterOrEqual(b('d'))))).toBe('d');
      expect(str(await t.getKey(firstGreaterThan(b('d'))))).toBe('e');
      expect(str(await t.getKey(lastLessThan(b('d'))))).toBe('b');
      expect(str(await t.getKey(lastLessOrEqual(b('d'))))).toBe('d');
      expect(str(await t.getKey({ key: b('b'), orEqual: false, offset: 3 }))).toBe('e');
      expect(hex(await t.getKey(firstGreaterThan(b('e'))))).toBe('ff');
      expect(str(await t.getKey(lastLessThan(b('b'))))).toBe('');
      expect(
        keysOf(await t.getRange(firstGreaterThan(b('b')), { key: b('e'), orEqual: false, offset: 2 })),
      ).toEqual(['d', 'e']);
    });
  });

  it('answers a read with the writes issued before it, not those issued while it was outstanding', async () => {
    await withDb(
      async (db) => {
        await put(db, { a: 'db', c: 'db', n: '' });
        await db.run(async (tr) => tr.set(b('n'), encodeInt64LE(5)));
        const t = db.createTransaction();
        t.set(b('b'), b('before'));
        t.add(b('n'), encodeInt64LE(1));
        const get = t.get(b('a'));
        const sum = t.get(b('n'));
        const range = t.getRange(b('a'), b('z'));
        const after = t.getKey(firstGreaterThan(b('b')));
        // Issued while the reads above are outstanding:
        t.set(b('a'), b('mine'));
        t.clear(b('b'));
        t.set(b('bb'), b('mine'));
        t.add(b('n'), encodeInt64LE(10));
        t.clearRange(b('c'), b('d'));
        expect(str((await get)!)).toBe('db');
        expect(decodeInt64LE(await sum)).toBe(6n);
        expect(keysOf(await range)).toEqual(['a', 'b', 'c', 'n']);
        expect(str(await after)).toBe('c');
        // A read issued after the writes sees them all.
        expect(str((await t.get(b('a')))!)).toBe('mine');
        expect(decodeInt64LE(await t.get(b('n')))).toBe(16n);
        expect(keysOf(await t.getRange(b('a'), b('z')))).toEqual(['a', 'bb', 'n']);
      },
      { latency: { grv: 0.001, read: 0.005, commit: 0 } },
    );
  });

  it('adds a read conflict for a read issued before the transaction wrote the key', async () => {
    await withDb(async (db) => {
      await put(db, { a: '1' });
      const t1 = db.createTransaction();
      const read = t1.get(b('a'));
      t1.set(b('a'), b('t1')); // issued while the read is outstanding: the read still depends on the database
      expect(str((await read)!)).toBe('1');
      await put(db, { a: 'other' });
      expect(await codeOf(t1.commit())).toBe(ErrorCodes.not_committed);
      // Written first, then read: the read does not depend on the database and adds no conflict.
      const t2 = db.createTransaction();
      t2.set(b('a'), b('t2'));
      expect(str((await t2.get(b('a')))!)).toBe('t2');
      await put(db, { a: 'other again' });
      await t2.commit();
      expect(str(db.rawGet(b('a'))!)).toBe('t2');
    });
  });
});

describe('ModelDatabase: atomic operations', () => {
  const le = (...xs: number[]) => new Uint8Array(xs);
  it('add is little-endian with carry, sized by the operand', () => {
    expect(hex(applyAtomicOp('add', le(0xff, 0x01), le(0x01, 0x00)))).toBe('0002');
    expect(hex(applyAtomicOp('add', le(0xff, 0xff), le(0x01, 0x00)))).toBe('0000');
    expect(hex(applyAtomicOp('add', le(0xff, 0xff, 0x05), le(0x01)))).toBe('00');
    expect(hex(applyAtomicOp('add', le(0xff), le(0x01, 0x00, 0x00)))).toBe('000100');
    expect(hex(applyAtomicOp('add', undefined, le(0x07)))).toBe('07');
  });
  it('bitAnd/bitOr/bitXor follow FoundationDB length rules', () => {
    expect(hex(applyAtomicOp('bitAnd', undefined, le(0x0f)))).toBe('0f');
    expect(hex(applyAtomicOp('bitAnd', le(0x3c), le(0x0f, 0xff)))).toBe('0c00');
    expect(hex(applyAtomicOp('bitOr', le(0x30), le(0x0f, 0x01)))).toBe('3f01');
    expect(hex(applyAtomicOp('bitOr', le(0x30, 0x44), le(0x0f)))).toBe('3f');
    expect(hex(applyAtomicOp('bitXor', le(0xff), le(0x0f, 0x0f)))).toBe('f00f');
    expect(hex(applyAtomicOp('bitXor', undefined, le(0x0f)))).toBe('0f');
  });
  it('max and min compare little-endian unsigned at the operand length', () => {
    expect(hex(applyAtomicOp('max', le(0x00, 0x02), le(0xff, 0x01)))).toBe('0002');
    expect(hex(applyAtomicOp('max', le(0x00, 0x01), le(0xff, 0x01)))).toBe('ff01');
    expect(hex(applyAtomicOp('max', le(0x05), le(0x01, 0x00)))).toBe('0500');
    expect(hex(applyAtomicOp('max', undefined, le(0x01)))).toBe('01');
    expect(hex(applyAtomicOp('min', le(0x00, 0x02), le(0xff, 0x01)))).toBe('ff01');
    expect(hex(applyAtomicOp('min', le(0x05), le(0x01, 0x01)))).toBe('0500');
    expect(hex(applyAtomicOp('min', undefined, le(0x09)))).toBe('09');
    expect(hex(applyAtomicOp('min', new Uint8Array(0), le(0x09)))).toBe('00');
  });
  it('byteMin and byteMax compare lexicographically', () => {
    expect(str(applyAtomicOp('byteMin', b('abc'), b('abd'))!)).toBe('abc');
    expect(str(applyAtomicOp('byteMin', b('ab'), b('a'))!)).toBe('a');
    expect(str(applyAtomicOp('byteMax', b('ab'), b('a'))!)).toBe('ab');
    expect(str(applyAtomicOp('byteMax', undefined, b('q'))!)).toBe('q');
  });
  it('appendIfFits appends up to 100000 bytes and leaves the value alone beyond', () => {
    expect(str(applyAtomicOp('appendIfFits', b('ab'), b('cd'))!)).toBe('abcd');
    const big = new Uint8Array(99_999);
    expect(applyAtomicOp('appendIfFits', big, b('x'))!.length).toBe(100_000);
    expect(applyAtomicOp('appendIfFits', new Uint8Array(100_000), b('x'))!.length).toBe(100_000);
  });
  it('compareAndClear clears only on an equal value', () => {
    expect(applyAtomicOp('compareAndClear', b('v'), b('v'))).toBeUndefined();
    expect(str(applyAtomicOp('compareAndClear', b('v'), b('w'))!)).toBe('v');
  });
  it('applies atomic ops at commit against the latest value, without read conflicts', async () => {
    await withDb(async (db) => {
      const t1 = db.createTransaction();
      await t1.getReadVersion();
      t1.add(b('c'), encodeInt64LE(1));
      const t2 = db.createTransaction();
      t2.add(b('c'), encodeInt64LE(10));
      await t2.commit();
      await t1.commit();
      expect(decodeInt64LE(db.rawGet(b('c')))).toBe(11n);
    });
  });
});

describe('ModelDatabase: versionstamps', () => {
  it('fills the placeholder with the 8-byte big-endian commit version and 2-byte batch order', async () => {
    await withDb(async (db, k) => {
      await k.delay(seconds(1));
      const t = db.createTransaction();
      const key = new Uint8Array([...b('vs/'), ...new Uint8Array(10), 3, 0, 0, 0]);
      t.setVersionstampedKey(key, b('k'));
      const value = new Uint8Array([...b('pre'), ...new Uint8Array(10), 3, 0, 0, 0]);
      t.setVersionstampedValue(b('v'), value);
      expect(await codeOf(t.get(b('v')))).toBe(1036);
      await t.commit();
      const stamp = await t.getVersionstamp();
      expect(stamp.length).toBe(10);
      const version = new DataView(stamp.buffer, stamp.byteOffset).getBigUint64(0, false);
      expect(Number(version)).toBe(t.getCommittedVersion());
      expect(hex(stamp.subarray(8))).toBe('0000');
      const dump = db.rawDump();
      expect(dump.map((kv) => hex(kv.key))).toContain(hex(new Uint8Array([...b('vs/'), ...stamp])));
      expect(hex(db.rawGet(b('v')))).toBe(hex(new Uint8Array([...b('pre'), ...stamp])));
    });
  });

  it('applies versionstamped mutations in issue order with the others', async () => {
    await withDb(async (db, k) => {
      await k.delay(seconds(1));
      const t = db.createTransaction();
      const stampedValue = new Uint8Array([...b('pre'), ...new Uint8Array(10), 3, 0, 0, 0]);
      const stampedKey = (prefix: string) =>
        new Uint8Array([...b(prefix), ...new Uint8Array(10), prefix.length, 0, 0, 0]);
      // A set after a versionstamped value wins; a versionstamped value after a set wins.
      t.setVersionstampedValue(b('v1'), stampedValue);
      t.set(b('v1'), b('plain'));
      t.set(b('v2'), b('plain'));
      t.setVersionstampedValue(b('v2'), stampedValue);
      // A clear after a versionstamped key removes it; a clear before it does not.
      t.setVersionstampedKey(stampedKey('x/'), b('gone'));
      t.clearRange(b('x/'), b('x0'));
      t.clearRange(b('y/'), b('y0'));
      t.setVersionstampedKey(stampedKey('y/'), b('kept'));
      await t.commit();
      const stamp = await t.getVersionstamp();
      expect(str(db.rawGet(b('v1'))!)).toBe('plain');
      expect(hex(db.rawGet(b('v2')))).toBe(hex(new Uint8Array([...b('pre'), ...stamp])));
      expect(db.rawDump(b('x/'), b('x0'))).toEqual([]);
      expect(db.rawDump(b('y/'), b('y0')).map((kv) => [hex(kv.key), str(kv.value)])).toEqual([
        [hex(new Uint8Array([...b('y/'), ...stamp])), 'kept'],
      ]);
    });
  });

  it('rejects a placeholder offset that does not fit', async () => {
    await withDb(async (db) => {
      const t = db.createTransaction();
      expect(codeOfSync(() => t.setVersionstampedKey(new Uint8Array([1, 2, 3, 0, 0, 0, 0]), b('x')))).toBe(
        ErrorCodes.client_invalid_operation,
      );
    });
  });
});

describe('ModelDatabase: limits', () => {
  it('enforces key, value and transaction size limits', async () => {
    await withDb(async (db) => {
      const t = db.createTransaction();
      expect(codeOfSync(() => t.set(new Uint8Array(10_001), b('v')))).toBe(ErrorCodes.key_too_large);
      expect(codeOfSync(() => t.set(b('k'), new Uint8Array(100_001)))).toBe(ErrorCodes.value_too_large);
      for (let i = 0; i < 101; i++) t.set(b(`k${i}`), new Uint8Array(100_000));
      expect(await codeOf(t.commit())).toBe(ErrorCodes.transaction_too_large);
    });
  });

  it('fails operations with transaction_timed_out after the transaction timeout', async () => {
    await withDb(async (db, k) => {
      const t = db.createTransaction();
      t.setTimeout(100);
      await t.get(b('a'));
      await k.delay(seconds(0.2));
      expect(await codeOf(t.get(b('a')))).toBe(ErrorCodes.transaction_timed_out);
      // not retryable: onError rethrows it
      expect(await codeOf(t.onError(new FdbError(1031, 'transaction_timed_out')))).toBe(1031);
    });
  });

  it('rejects an inverted clear range', async () => {
    await withDb(async (db) => {
      const t = db.createTransaction();
      expect(codeOfSync(() => t.clearRange(b('b'), b('a')))).toBe(ErrorCodes.inverted_range);
    });
  });
});

describe('ModelDatabase: watches', () => {
  it('fires when the value changes after the watching transaction commits, not before', async () => {
    await withDb(async (db, k) => {
      await put(db, { w: '1' });
      const t = db.createTransaction();
      await t.get(b('w'));
      let fired = false;
      const w = t.watch(b('w'));
      void w.then(() => {
        fired = true;
      });
      await t.commit();
      await put(db, { other: 'x', w: '1' }); // same value: no change
      await k.delay(seconds(1));
      expect(fired).toBe(false);
      await put(db, { w: '2' });
      await w;
      expect(fired).toBe(true);
    });
  });

  it('watches a key the transaction itself wrote, against the written value', async () => {
    await withDb(async (db) => {
      const t = db.createTransaction();
      t.set(b('w'), b('mine'));
      const w = t.watch(b('w'));
      await t.commit();
      let fired = false;
      void w.then(() => {
        fired = true;
      });
      await put(db, { w: 'mine' });
      expect(fired).toBe(false);
      await put(db, { w: 'theirs' });
      await w;
      expect(fired).toBe(true);
    });
  });

  it('compares with the value seen at watch(): a later write of the transaction that changes it fires', async () => {
    await withDb(async (db, k) => {
      await put(db, { w: '1', s: '1' });
      const t = db.createTransaction();
      const changed = t.watch(b('w'));
      const same = t.watch(b('s'));
      t.set(b('w'), b('2'));
      t.set(b('s'), b('1'));
      const fired = { changed: false, same: false };
      void changed.then(() => {
        fired.changed = true;
      });
      void same.then(() => {
        fired.same = true;
      });
      await t.commit();
      await k.delay(seconds(1));
      expect(fired).toEqual({ changed: true, same: false });
      await put(db, { s: '3' });
      await same;
    });
  });

  it('fails a watch on a key holding a versionstamped value of its own transaction', async () => {
    await withDb(async (db) => {
      const t = db.createTransaction();
      t.setVersionstampedValue(b('v'), new Uint8Array([...new Uint8Array(10), 0, 0, 0, 0]));
      expect(await codeOf(t.watch(b('v')))).toBe(1036);
    });
  });

  it('fails a watch whose transaction did not commit', async () => {
    await withDb(async (db) => {
      await put(db, { w: '1' });
      const t = db.createTransaction();
      await t.get(b('w'));
      t.set(b('z'), b('1'));
      const w = t.watch(b('w'));
      await put(db, { w: '2' });
      await codeOf(t.commit());
      expect(await codeOf(w)).toBe(ErrorCodes.not_committed);
    });
  });
});

describe('ModelDatabase: retry loop and injected faults', () => {
  it('tells the body maybeCommitted after commit_unknown_result, when the first attempt did commit', async () => {
    await withDb(async (db) => {
      db.injectCommitUnknownResult(1);
      const seen: boolean[] = [];
      let attempts = 0;
      await db.run(async (tr, info) => {
        seen.push(info.maybeCommitted);
        if (++attempts === 2) db.injectCommitUnknownResult(0);
        tr.add(b('n'), encodeInt64LE(1));
      });
      expect(seen).toEqual([false, true]);
      // both attempts applied: the non-idempotent add shows why workloads must handle maybeCommitted
      expect(decodeInt64LE(db.rawGet(b('n')))).toBe(2n);
      expect(db.stats.unknownResults).toBe(1);
    });
  });

  it('drops the commit for the dropped fraction of injected unknown results', async () => {
    await withDb(async (db) => {
      db.injectCommitUnknownResult(1, 1);
      const t = db.createTransaction();
      t.set(b('a'), b('1'));
      expect(await codeOf(t.commit())).toBe(ErrorCodes.commit_unknown_result);
      expect(db.rawGet(b('a'))).toBeUndefined();
    });
  });

  it('rethrows non-retryable errors from onError', async () => {
    await withDb(async (db) => {
      const t = db.createTransaction();
      expect(await codeOf(t.onError(new FdbError(2102, 'key_too_large')))).toBe(2102);
      await expect(db.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    });
  });

  it('rawSet, rawClear and rawDump bypass transactions', async () => {
    await withDb(async (db) => {
      db.rawSet(b('x'), b('1'));
      db.rawSet(b('y'), b('2'));
      db.rawClear(b('x'));
      expect(db.rawDump().map((kv) => `${str(kv.key)}=${str(kv.value)}`)).toEqual(['y=2']);
      const t = db.createTransaction();
      expect(str((await t.get(b('y')))!)).toBe('2');
    });
  });
});
