// Simulated disks: unsynced writes can be lost on a kill while synced ones never are, damage (torn
// sectors, bit flips) is always detected by checksum and never returned as data, FailDisk hangs,
// InjectFaults throws injected errors (never in speed-up mode), stalls and throttles delay operations.
import { describe, expect, it } from 'vitest';
import { openRecordLog, RecordLog } from '../../../src/cluster/record-file.js';
import { Random } from '../../../src/core/random.js';
import { millis, seconds, toSeconds } from '../../../src/core/time.js';
import {
  BLOCK_SIZE,
  DataFolder,
  DiskError,
  discardFrontNow,
  SECTOR_SIZE,
  SPEED_UP_SYNC_LATENCY,
  StoredFile,
} from '../../../src/sim/disk.js';
import type { SimMachine, SimProcess } from '../../../src/sim/process.js';
import { World } from '../../../src/sim/world.js';
import type { TraceEvent, TraceSink } from '../../../src/trace/event.js';

class Sink implements TraceSink {
  readonly events: TraceEvent[] = [];
  emit(e: TraceEvent): void {
    this.events.push(e);
  }
  ofType(type: string): TraceEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}

function setup(seed: number, buggify = false): { world: World; sink: Sink; m: SimMachine; p: SimProcess } {
  const sink = new Sink();
  const world = new World({ seed, buggify, sink, knobs: [] });
  const m = world.addMachine(
    { dcId: '0', dataHall: '0', zoneId: 'z1', machineId: 'm1' },
    '2.0.1.1',
    1,
    'storage',
  );
  world.lifecycle.bootMachine(m);
  return { world, sink, m, p: m.processes[0]! };
}

function pattern(len: number, salt: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = ((i * 31 + salt * 7) % 251) + 1; // never zero
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('crash resolution of unsynced writes', () => {
  it('may lose an unsynced write on a kill but never loses synced data or returns garbage', async () => {
    const synced = pattern(BLOCK_SIZE, 1);
    const unsynced = pattern(BLOCK_SIZE, 2);
    let lostSomewhere = 0;
    let keptSomewhere = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { world, sink, m, p } = setup(seed);
      const out = await world.kernel.run(async () => {
        const f = world.open(p, 'log');
        await f.write(0, synced);
        await f.sync();
        await f.write(BLOCK_SIZE, unsynced);
        expect(world.lifecycle.killMachine(m, 'Reboot', { forced: true })).toBe('Reboot');
        await world.kernel.delay(seconds(20));
        expect(p.alive).toBe(true);
        const g = world.open(p, 'log');
        expect(equal(await g.read(0, BLOCK_SIZE), synced)).toBe(true);
        try {
          const got = await g.read(BLOCK_SIZE, BLOCK_SIZE);
          // Each sector is either what was written or never written (zeros): never garbage.
          for (let s = 0; s < got.length; s += SECTOR_SIZE) {
            const sec = got.subarray(s, s + SECTOR_SIZE);
            const ok = equal(sec, unsynced.subarray(s, s + sec.length)) || sec.every((b) => b === 0);
            expect(ok).toBe(true);
          }
          if (equal(got, unsynced)) keptSomewhere++;
          else lostSomewhere++;
        } catch (e) {
          expect(e).toBeInstanceOf(DiskError);
          expect((e as DiskError).errorName).toBe('checksum_failed');
          lostSomewhere++;
        }
      });
      expect(out.kind).toBe('finished');
      const kills = sink.ofType('AsyncFileNonDurable_Kill');
      expect(kills).toHaveLength(1);
      expect(kills[0]!.details.Filename).toBe('log');
      expect(kills[0]!.details.PendingWrites).toBe(1);
    }
    expect(lostSomewhere).toBeGreaterThan(0);
    expect(keptSomewhere).toBeGreaterThan(0);
  });

  it('detects torn sectors by checksum, and a later partial write does not launder them', () => {
    const synced = pattern(BLOCK_SIZE, 3);
    const unsynced = pattern(2 * BLOCK_SIZE, 4);
    let tornSeen = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { world, sink } = setup(seed);
      const folder = new DataFolder('f');
      const file = new StoredFile('log');
      folder.files.set('log', file);
      file.applyDurable(0, synced);
      file.syncNow();
      file.pending.push({ offset: BLOCK_SIZE, data: unsynced });
      file.pendingSize = 3 * BLOCK_SIZE;
      const [report] = world.disks.crash(folder, new Random(seed), '2.0.1.1:1');
      expect(file.pending).toEqual([]);
      expect(equal(file.read(0, BLOCK_SIZE), synced)).toBe(true);
      if (!report || report.tornSectors === 0) continue;
      tornSeen++;
      expect(sink.ofType('AsyncFileNonDurable_BadWrite')[0]?.details).toEqual({
        Filename: 'log',
        Sectors: report.tornSectors,
      });
      expect(() => file.read(BLOCK_SIZE, 2 * BLOCK_SIZE)).toThrow(/checksum mismatch/);
      // Rewriting a few bytes of each damaged block must keep the damage visible.
      for (const bi of [...file.damaged]) file.applyDurable(bi * BLOCK_SIZE, new Uint8Array([9, 9, 9]));
      expect(() => file.read(BLOCK_SIZE, 2 * BLOCK_SIZE)).toThrow(/checksum mismatch/);
      // Rewriting whole blocks replaces the damage.
      file.applyDurable(BLOCK_SIZE, unsynced);
      expect(equal(file.read(BLOCK_SIZE, 2 * BLOCK_SIZE), unsynced)).toBe(true);
    }
    expect(tornSeen).toBeGreaterThan(0);
  });

  it('makes a never-synced file vanish on some crashes, with the kill traced', () => {
    let vanished = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const { world, sink } = setup(seed);
      const folder = new DataFolder('f');
      const file = new StoredFile('new-file');
      folder.files.set('new-file', file);
      file.pending.push({ offset: 0, data: pattern(100, 5) });
      file.pendingSize = 100;
      world.disks.crash(folder, new Random(seed));
      if (!folder.files.has('new-file')) {
        vanished++;
        expect(sink.ofType('AsyncFileNonDurable_Kill')[0]?.details.Vanished).toBe(true);
      }
    }
    expect(vanished).toBeGreaterThan(0);
    expect(vanished).toBeLessThan(30);
  });
});

describe('discarding a file front', () => {
  it('frees the blocks before the front, keeps offsets, and a reopened record log starts there', async () => {
    const { world, p } = setup(4);
    const out = await world.kernel.run(async () => {
      const log = new RecordLog(world.open(p, 'storage-1'), 0);
      for (let i = 0; i < 20; i++) void log.append({ n: i, pad: 'y'.repeat(300) });
      await log.sync();
      const at = log.end;
      void log.append({ n: 'checkpoint' });
      void log.append({ n: 20 });
      await log.sync();
      const file = p.folder.files.get('storage-1')!;
      const blocksBefore = file.blocks.size;
      // A bit flipped in a discarded block goes with it.
      file.flipBit(0, 3);
      await log.discardBefore(at);
      const scan = await openRecordLog<{ n: number | string }>(world.open(p, 'storage-1'));
      return {
        at,
        blocksBefore,
        blocksAfter: file.blocks.size,
        front: file.front,
        flipped: file.flipped.size,
        scan,
      };
    });
    expect(out.kind).toBe('finished');
    if (out.kind !== 'finished') return;
    const r = out.value;
    expect(r.front).toBe(r.at);
    expect(r.blocksAfter).toBeLessThan(r.blocksBefore);
    expect(r.blocksAfter).toBeLessThanOrEqual(3);
    expect(r.flipped).toBe(0);
    expect(r.scan.records.map((x) => x.n)).toEqual(['checkpoint', 20]);
    expect(r.scan.offsets[0]).toBe(r.at);
    expect(r.scan.cut).toBe(false);
  });

  it('appends kept as written read back after a front discard, and a torn tail stays detectable after more appends', () => {
    // Durable appends are kept as written until something looks at blocks: the model is a plain array.
    const f = new StoredFile('log');
    const model: number[] = [];
    for (let i = 0; i < 12; i++) {
      const chunk = pattern(300, i + 1);
      f.applyDurable(model.length, chunk);
      model.push(...chunk);
    }
    const front = 2000; // inside block 3
    discardFrontNow(f, front);
    expect(equal(f.read(front, model.length - front), Uint8Array.from(model.slice(front)))).toBe(true);
    expect(Math.min(...f.blocks.keys())).toBe(3);
    // Damage makes later appends go straight into blocks, so a torn tail stays detectable.
    f.applyDurable(model.length, new Uint8Array(10), false);
    expect(f.damaged.size).toBe(1);
    f.applyDurable(model.length, new Uint8Array([1, 2, 3]));
    expect(() => f.read(front, model.length + 3 - front)).toThrow(/checksum mismatch/);
  });

  it('a file truncated below its front starts over at the new end', () => {
    const f = new StoredFile('log');
    f.applyDurable(0, new Uint8Array(4 * BLOCK_SIZE).fill(7));
    discardFrontNow(f, 3 * BLOCK_SIZE);
    expect([...f.blocks.keys()]).toEqual([3]);
    f.truncateNow(BLOCK_SIZE);
    expect(f.front).toBe(BLOCK_SIZE);
    expect(f.size).toBe(BLOCK_SIZE);
  });
});

describe('bit flips', () => {
  it('flip bits in durable blocks so that reads fail with checksum_failed until the block is rewritten', async () => {
    const { world, sink, p } = setup(7);
    const data = pattern(2 * BLOCK_SIZE, 6);
    await world.kernel.run(async () => {
      const f = world.open(p, 'storage-1');
      await f.write(0, data);
      await f.sync();
      expect(world.disks.flipBits(p.folder, 0, new Random('none'))).toBe(0);
      expect(equal(await f.read(0, data.length), data)).toBe(true);

      const flipped = world.disks.flipBits(p.folder, 100, new Random('all'), { machine: p.address });
      expect(flipped).toBe(2);
      expect(p.folder.bitFlips).toBe(2);
      expect(sink.ofType('CorruptedBlock').map((e) => e.details)).toEqual([
        { Filename: 'storage-1', Block: 0 },
        { Filename: 'storage-1', Block: 1 },
      ]);
      expect(world.disks.corruptedBlocks(p.folder)).toEqual([
        { file: 'storage-1', block: 0 },
        { file: 'storage-1', block: 1 },
      ]);
      const e = await rejection(f.read(0, 10));
      expect(e).toBeInstanceOf(DiskError);
      expect((e as DiskError).errorName).toBe('checksum_failed');
      expect((e as DiskError).errorCode).toBe(1601);

      // A partial rewrite plus sync must not make the flipped block readable again.
      await f.write(10, new Uint8Array([1, 2, 3]));
      await f.sync();
      expect(await rejection(f.read(0, 10))).toBeInstanceOf(DiskError);

      // A full-block rewrite replaces it; the other block stays corrupt.
      await f.write(0, data.subarray(0, BLOCK_SIZE));
      await f.sync();
      expect(equal(await f.read(0, BLOCK_SIZE), data.subarray(0, BLOCK_SIZE))).toBe(true);
      expect(await rejection(f.read(BLOCK_SIZE, 10))).toBeInstanceOf(DiskError);
      expect(world.disks.corruptedBlocks(p.folder)).toEqual([{ file: 'storage-1', block: 1 }]);
    });
  });

  it('only hits the files the filter selects', async () => {
    const { world, p } = setup(8);
    await world.kernel.run(async () => {
      for (const name of ['storage-1', 'log-1']) {
        const f = world.open(p, name);
        await f.write(0, pattern(BLOCK_SIZE, 1));
        await f.sync();
      }
      world.disks.flipBits(p.folder, 100, new Random(1), { files: (n) => n.startsWith('storage-') });
      expect(await rejection(world.open(p, 'storage-1').read(0, 1))).toBeInstanceOf(DiskError);
      expect(await world.open(p, 'log-1').read(0, 1)).toHaveLength(1);
    });
  });
});

describe('FailDisk and InjectFaults', () => {
  it('FailDisk: no disk operation ever completes, including one already in flight', async () => {
    const { world, sink, p } = setup(9);
    let settled = 0;
    const out = await world.kernel.run(async () => {
      const f = world.open(p, 'data');
      await f.write(0, pattern(10, 1));
      f.sync().then(
        () => settled++,
        () => settled++,
      );
      expect(world.lifecycle.killProcess(p, 'FailDisk', { forced: true })).toBe('FailDisk');
      for (const op of [f.write(0, pattern(10, 2)), f.read(0, 10), f.sync(), f.truncate(0)]) {
        op.then(
          () => settled++,
          () => settled++,
        );
      }
      await world.kernel.delay(seconds(120));
      // The process itself keeps running.
      expect(p.alive).toBe(true);
      await p.delay(seconds(1));
    });
    expect(out.kind).toBe('finished');
    expect(settled).toBe(0);
    expect(sink.ofType('KillType::FailDiskMachine')[0]?.severity).toBe(20);
  });

  it('InjectFaults: operations fail with injected io_error/io_timeout, traced FaultInjected', async () => {
    const { world, sink, p } = setup(10);
    const names = new Set<string>();
    let failures = 0;
    const ops = 2000;
    await world.kernel.run(async () => {
      const f = world.open(p, 'data');
      for (let i = 0; i < 200; i++) await f.write(i, new Uint8Array([i & 0xff])); // no faults yet
      expect(world.lifecycle.killMachine(p.machine, 'InjectFaults', { forced: true })).toBe('InjectFaults');
      expect(p.alive).toBe(true);
      expect(p.faultInjection).toBe(true);
      for (let i = 0; i < ops; i++) {
        const e = await rejection(i % 2 ? f.write(0, new Uint8Array([1])) : f.read(0, 1));
        if (e === undefined) continue;
        expect(e).toBeInstanceOf(DiskError);
        expect((e as DiskError).injected).toBe(true);
        names.add((e as DiskError).errorName);
        failures++;
      }
    });
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThan(ops * 0.2); // a small probability, not every operation
    expect([...names].every((n) => n === 'io_error' || n === 'io_timeout')).toBe(true);
    const traced = sink.ofType('FaultInjected');
    expect(traced).toHaveLength(failures);
    expect(traced.every((e) => e.severity === 20 && e.machine === p.address)).toBe(true);
    expect(sink.ofType('FaultMachine')).toHaveLength(1);
  });

  it('InjectFaults never fires in speed-up mode', async () => {
    const { world, p } = setup(11);
    let failures = 0;
    await world.kernel.run(async () => {
      const f = world.open(p, 'data');
      world.lifecycle.killProcess(p, 'InjectFaults', { forced: true });
      world.speedUp = true;
      for (let i = 0; i < 2000; i++)
        if ((await rejection(f.write(0, new Uint8Array([1])))) !== undefined) failures++;
    });
    expect(failures).toBe(0);
  });
});

describe('timing, stalls and throttling', () => {
  it('syncs take 5-15 ms normally and at most 1 ms in speed-up mode', async () => {
    const { world, p } = setup(12);
    await world.kernel.run(async () => {
      const f = world.open(p, 'data');
      for (let i = 0; i < 20; i++) {
        await f.write(0, new Uint8Array([i]));
        const t = world.now();
        await f.sync();
        expect(world.now() - t).toBeGreaterThanOrEqual(millis(5));
        expect(world.now() - t).toBeLessThanOrEqual(millis(15));
      }
      world.speedUp = true;
      for (let i = 0; i < 20; i++) {
        await f.write(0, new Uint8Array([i]));
        const t = world.now();
        await f.sync();
        expect(world.now() - t).toBeLessThanOrEqual(SPEED_UP_SYNC_LATENCY);
      }
    });
  });

  it('a stall holds operations until it ends; throttling adds 1-2 ms per operation; both traced', async () => {
    const { world, sink, p } = setup(13);
    await world.kernel.run(async () => {
      const f = world.open(p, 'data');
      await world.kernel.delay(seconds(1));
      const t0 = world.now();
      const st = world.disks.setDiskFailure(
        p.folder,
        { stallInterval: 0, stallPeriod: 5, throttlePeriod: 10 },
        p.address,
      );
      expect(st.stallUntil).toBe(t0 + seconds(5));
      expect(sink.ofType('SetDiskFailure')[0]?.details).toMatchObject({
        StallInterval: 0,
        StallPeriod: 5,
        StallUntil: toSeconds(t0 + seconds(5)),
        ThrottlePeriod: 10,
        ThrottleUntil: toSeconds(t0 + seconds(10)),
      });
      await f.write(0, new Uint8Array([1]));
      expect(world.now()).toBeGreaterThanOrEqual(t0 + seconds(5));
      // Stall over, throttle still on: every op takes at least 1 ms (a cached write is < 0.1 ms).
      for (let i = 0; i < 10; i++) {
        const t = world.now();
        await f.write(0, new Uint8Array([i]));
        expect(world.now() - t).toBeGreaterThanOrEqual(millis(1));
        expect(world.now() - t).toBeLessThanOrEqual(millis(2) + 100);
      }
      await world.kernel.delay(seconds(10));
      const t = world.now();
      await f.write(0, new Uint8Array([1]));
      expect(world.now() - t).toBeLessThan(millis(1));
      expect(p.folder.diskDelays).toBe(11);
    });
  });

  it('a periodic stall delays operations issued just after each multiple of the stall interval', async () => {
    const { world, p } = setup(14);
    await world.kernel.run(async () => {
      const f = world.open(p, 'data');
      await world.kernel.delay(seconds(1));
      const st = world.disks.setDiskFailure(p.folder, {
        stallInterval: 1,
        stallPeriod: 30,
        throttlePeriod: 0,
      });
      expect(st.stallDuration).toBeGreaterThanOrEqual(millis(1));
      expect(st.stallDuration).toBeLessThanOrEqual(millis(4));
      await world.kernel.delay(seconds(1) - (world.now() % seconds(1)));
      const t = world.now();
      await f.write(0, new Uint8Array([1]));
      expect(world.now() - t).toBeGreaterThanOrEqual(st.stallDuration);
      await world.kernel.delay(millis(500));
      const u = world.now();
      await f.write(0, new Uint8Array([1]));
      expect(world.now() - u).toBeLessThan(millis(1));
    });
  });

  it('a reboot forgets disk-failure commands', async () => {
    const { world, p } = setup(15);
    await world.kernel.run(async () => {
      world.disks.setDiskFailure(p.folder, { stallInterval: 0, stallPeriod: 1000, throttlePeriod: 0 });
      expect(world.lifecycle.rebootProcess(p, { forced: true })).toBe('RebootProcess');
      await world.kernel.delay(seconds(6));
      expect(p.alive).toBe(true);
      expect(p.folder.failure).toBeUndefined();
      const t = world.now();
      await world.open(p, 'data').write(0, new Uint8Array([1]));
      expect(world.now() - t).toBeLessThan(millis(1));
    });
  });
});

describe('disk operations in flight, as the process sees them', () => {
  it('a completed operation leaves none; under FailDisk the first one stays, with the time it was issued', async () => {
    const { world, p } = setup(5);
    const out = await world.kernel.run(async () => {
      const f = world.open(p, 'storage-1');
      await f.write(0, new Uint8Array(10));
      await f.sync();
      const idle = p.oldestDiskOpSince();
      p.diskFailed = true;
      const issued = world.kernel.now();
      void f.sync();
      await world.kernel.delay(seconds(30));
      void f.read(0, 10);
      return { idle, issued, oldest: p.oldestDiskOpSince(), inFlight: p.diskOpsInFlight.size };
    });
    expect(out.kind).toBe('finished');
    if (out.kind !== 'finished') return;
    expect(out.value.idle).toBeUndefined();
    expect(out.value.oldest).toBe(out.value.issued);
    expect(out.value.inFlight).toBe(2);
  });
});
