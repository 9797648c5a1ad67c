// The binary form of the data records (mutations and snapshots on logs' and storage servers' simulated
// disks): every byte of a key or value, every mutation type and every version reads back exactly, and a
// record log holding both binary and JSON records reopens to the same records, stopping at one it
// cannot read.
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../../src/cluster/byte-codec.js';
import { type Mutation, readMutations, writeMutations } from '../../../src/cluster/mutation.js';
import { encodeBinaryRecord, openRecordLog, RecordLog } from '../../../src/cluster/record-file.js';
import { Random } from '../../../src/core/random.js';
import { World } from '../../../src/sim/world.js';

function roundTrip<T>(write: (w: ByteWriter) => void, read: (r: ByteReader) => T): T {
  const w = new ByteWriter();
  w.reset(0);
  write(w);
  const r = new ByteReader(w.bytes());
  const out = read(r);
  expect(r.done).toBe(true);
  return out;
}

function binaryString(r: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.int(0, 256));
  return s;
}

describe('byte codec', () => {
  it('reads back every byte value, empty and long strings, varint edges and large versions', () => {
    const r = new Random(3);
    const strings = ['', '\x00', '\xff', '"\\', binaryString(r, 300), binaryString(r, 10_000), 'ab'];
    const uints = [0, 1, 127, 128, 16_383, 16_384, 2 ** 32 + 5, 2 ** 53 - 1];
    const floats = [0, 1.5, 123_456_789_012, 2 ** 52 + 1];
    const out = roundTrip(
      (w) => {
        for (const s of strings) w.bstr(s);
        for (const n of uints) w.uint(n);
        for (const f of floats) w.f64(f);
      },
      (rd) => ({
        strings: strings.map(() => rd.bstr()),
        uints: uints.map(() => rd.uint()),
        floats: floats.map(() => rd.f64()),
      }),
    );
    expect(out).toEqual({ strings, uints, floats });
  });

  it('refuses a string with a char above 0xff rather than writing a wrong byte', () => {
    const w = new ByteWriter();
    w.reset(0);
    expect(() => w.bstr('caf\u00e9\u20ac')).toThrow(RangeError);
    expect(() => w.uint(-1)).toThrow(RangeError);
    expect(() => w.uint(1.5)).toThrow(RangeError);
  });

  it('reads back every kind of mutation as the same object', () => {
    const r = new Random(9);
    const muts: Mutation[] = [];
    for (let i = 0; i < 200; i++) {
      const key = binaryString(r, r.int(0, 20));
      const value = binaryString(r, r.int(0, 50));
      const kind = r.int(0, 3);
      if (kind === 0) muts.push({ type: 'set', key, value });
      else if (kind === 1) muts.push({ type: 'clearRange', key, end: `${key}\x00` });
      else muts.push({ type: 'atomic', op: r.pick(['add', 'max', 'compareAndClear'] as const), key, value });
    }
    expect(
      roundTrip(
        (w) => writeMutations(w, muts),
        (rd) => readMutations(rd),
      ),
    ).toEqual(muts);
  });

  it('a reader past the end of a cut record throws instead of inventing data', () => {
    const w = new ByteWriter();
    w.reset(0);
    w.bstr('abcdef');
    const cut = w.bytes().subarray(0, 4);
    expect(() => new ByteReader(cut).bstr()).toThrow(RangeError);
  });
});

describe('record logs with binary records', () => {
  function setup(): { world: World; open: () => ReturnType<World['open']> } {
    const world = new World({ seed: 1, buggify: false, sink: { emit: () => {} }, knobs: [] });
    const m = world.addMachine(
      { dcId: '0', dataHall: '0', zoneId: 'z1', machineId: 'm1' },
      '2.0.1.1',
      1,
      'storage',
    );
    world.lifecycle.bootMachine(m);
    const p = m.processes[0]!;
    return { world, open: () => world.open(p, 'log') };
  }

  const binary = (n: number, tail: string) =>
    encodeBinaryRecord((w) => {
      w.u8(1);
      w.uint(n);
      w.bstr(tail);
    });
  const readBinary = (r: ByteReader) => {
    if (r.u8() !== 1) throw new RangeError('kind');
    return { n: r.uint(), tail: r.bstr() };
  };

  it('reopens to the JSON and binary records in order', async () => {
    const { world, open } = setup();
    const out = await world.kernel.run(async () => {
      const log = new RecordLog(open(), 0);
      void log.append({ n: 0, tail: 'json' });
      void log.appendEncoded(binary(1, '\x00\xff'));
      void log.append({ n: 2, tail: 'json' });
      await log.sync();
      return openRecordLog(open(), readBinary);
    });
    expect(out.kind).toBe('finished');
    if (out.kind !== 'finished') return;
    expect(out.value.records).toEqual([
      { n: 0, tail: 'json' },
      { n: 1, tail: '\x00\xff' },
      { n: 2, tail: 'json' },
    ]);
    expect(out.value.cut).toBe(false);
  });

  it('stops at a binary record it cannot read and cuts the log there', async () => {
    const { world, open } = setup();
    const out = await world.kernel.run(async () => {
      const log = new RecordLog(open(), 0);
      void log.append({ n: 0, tail: 'json' });
      // A checksummed record of an unknown kind, then one its reader would accept.
      void log.appendEncoded(encodeBinaryRecord((w) => w.u8(7)));
      void log.appendEncoded(binary(2, 'after'));
      await log.sync();
      const withReader = await openRecordLog(open(), readBinary);
      return { withReader, size: open().size };
    });
    expect(out.kind).toBe('finished');
    if (out.kind !== 'finished') return;
    expect(out.value.withReader.records).toEqual([{ n: 0, tail: 'json' }]);
    expect(out.value.withReader.cut).toBe(true);
    expect(out.value.size).toBe(out.value.withReader.end);
  });

  it('lets a bug in a reader surface instead of passing it off as damage and cutting the log', async () => {
    const { world, open } = setup();
    const out = await world.kernel.run(async () => {
      const log = new RecordLog(open(), 0);
      void log.appendEncoded(binary(1, 'x'));
      await log.sync();
      const buggy = (): never => {
        throw new TypeError('a bug');
      };
      return openRecordLog(open(), buggy).then(
        () => 'read',
        (e: unknown) => (e instanceof TypeError ? 'threw' : 'other'),
      );
    });
    expect(out).toEqual({ kind: 'finished', value: 'threw' });
  });
});
