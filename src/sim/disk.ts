// Simulated disks: files whose writes stay pending until sync, with per-block checksums.
//
// A file's durable content is a list of 4 KiB blocks, each with a checksum of its content. Writes
// land in a pending list (visible to reads, like a page cache) and become durable only on sync. When
// the owning process is killed or rebooted, pending writes are resolved sector by sector (kept,
// dropped, or torn), so code that trusts unsynced data loses it, as on a real machine.
import { checksum32 } from '../core/hash.js';
import type { Random } from '../core/random.js';
import { type Time, millis } from '../core/time.js';
import type { SimProcess } from './process.js';

/** Block size of durable storage; checksums cover one block. */
export const BLOCK_SIZE = 4096;
/** Sector size: the granularity at which a crash keeps, drops or tears a pending write. */
export const SECTOR_SIZE = 512;

/** An I/O error seen by code using a simulated file, with FoundationDB's error names. */
export class DiskError extends Error {
  constructor(
    readonly errorName: 'io_error' | 'io_timeout' | 'checksum_failed' | 'file_not_found',
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'DiskError';
  }
}

interface PendingWrite {
  readonly offset: number;
  readonly data: Uint8Array;
}

/** The stored state of one file. Durable blocks plus pending (unsynced) writes. */
export class StoredFile {
  readonly blocks = new Map<number, Uint8Array>();
  readonly sums = new Map<number, number>();
  durableSize = 0;
  pending: PendingWrite[] = [];
  pendingSize = 0;
  /** Ever synced? A file never synced may vanish entirely on a crash. */
  everSynced = false;

  constructor(readonly name: string) {}

  /** Logical size including pending writes. */
  get size(): number {
    return Math.max(this.durableSize, this.pendingSize);
  }

  /** Writes bytes into durable blocks, updating checksums (`intended` lets a torn write keep the old sum). */
  applyDurable(offset: number, data: Uint8Array, updateSums = true): void {
    let pos = 0;
    while (pos < data.length) {
      const abs = offset + pos;
      const bi = Math.floor(abs / BLOCK_SIZE);
      const inBlock = abs % BLOCK_SIZE;
      const n = Math.min(BLOCK_SIZE - inBlock, data.length - pos);
      let block = this.blocks.get(bi);
      if (!block) {
        block = new Uint8Array(BLOCK_SIZE);
        this.blocks.set(bi, block);
        this.sums.set(bi, checksum32(block));
      }
      block.set(data.subarray(pos, pos + n), inBlock);
      if (updateSums) this.sums.set(bi, checksum32(block));
      pos += n;
    }
    this.durableSize = Math.max(this.durableSize, offset + data.length);
  }

  /** Reads bytes, overlaying pending writes on durable blocks. Throws on a checksum mismatch. */
  read(offset: number, length: number): Uint8Array {
    const end = Math.min(offset + length, this.size);
    const out = new Uint8Array(Math.max(0, end - offset));
    if (out.length === 0) return out;
    const first = Math.floor(offset / BLOCK_SIZE);
    const last = Math.floor((end - 1) / BLOCK_SIZE);
    for (let bi = first; bi <= last; bi++) {
      const block = this.blocks.get(bi);
      if (!block) continue;
      if (checksum32(block) !== this.sums.get(bi)) {
        throw new DiskError('checksum_failed', 1601, `checksum mismatch in ${this.name} block ${bi}`);
      }
      const bStart = bi * BLOCK_SIZE;
      const from = Math.max(offset, bStart);
      const to = Math.min(end, bStart + BLOCK_SIZE);
      out.set(block.subarray(from - bStart, to - bStart), from - offset);
    }
    for (const w of this.pending) {
      const from = Math.max(offset, w.offset);
      const to = Math.min(end, w.offset + w.data.length);
      if (from < to) out.set(w.data.subarray(from - w.offset, to - w.offset), from - offset);
    }
    return out;
  }

  /** Makes all pending writes durable. */
  syncNow(): void {
    for (const w of this.pending) this.applyDurable(w.offset, w.data);
    this.pending = [];
    this.pendingSize = this.durableSize;
    this.everSynced = true;
  }

  /** Truncates durable and pending content to `size` bytes. */
  truncateNow(size: number): void {
    this.syncNow();
    for (const bi of [...this.blocks.keys()]) {
      if (bi * BLOCK_SIZE >= size) {
        this.blocks.delete(bi);
        this.sums.delete(bi);
      }
    }
    const lastBi = Math.floor(size / BLOCK_SIZE);
    const last = this.blocks.get(lastBi);
    if (last && size % BLOCK_SIZE !== 0) {
      last.fill(0, size % BLOCK_SIZE);
      this.sums.set(lastBi, checksum32(last));
    }
    this.durableSize = size;
    this.pendingSize = size;
  }
}

/** What happened to a file's pending writes when its process crashed. */
export interface CrashReport {
  readonly file: string;
  readonly keptSectors: number;
  readonly droppedSectors: number;
  readonly tornSectors: number;
  readonly vanished: boolean;
}

/**
 * A process's data folder: its files plus the performance state of the disk under them. Folders
 * belong to machines' slots and can be wiped or swapped on reboot.
 */
export class DataFolder {
  readonly files = new Map<string, StoredFile>();
  /** The disk is busy until this time (operations are serialized). */
  nextFree: Time = 0;

  constructor(readonly id: string) {}

  /** Resolves every file's pending writes as a crash would. Returns what happened, per file. */
  crash(random: Random): CrashReport[] {
    const reports: CrashReport[] = [];
    for (const [name, f] of [...this.files]) {
      if (f.pending.length === 0) continue;
      if (!f.everSynced && random.chance(0.5)) {
        this.files.delete(name);
        reports.push({ file: name, keptSectors: 0, droppedSectors: 0, tornSectors: 0, vanished: true });
        continue;
      }
      let kept = 0;
      let dropped = 0;
      let torn = 0;
      if (random.chance(0.1)) {
        for (const w of f.pending) kept += Math.ceil(w.data.length / SECTOR_SIZE);
        f.syncNow();
      } else {
        const fullCorruption = random.chance(0.5);
        for (const w of f.pending) {
          for (let s = 0; s < w.data.length; s += SECTOR_SIZE) {
            const piece = w.data.subarray(s, Math.min(w.data.length, s + SECTOR_SIZE));
            const r = random.next();
            if (r < 0.5) {
              f.applyDurable(w.offset + s, piece);
              kept++;
            } else if (fullCorruption && r < 0.6) {
              const garbage = new Uint8Array(piece.length);
              for (let i = 0; i < garbage.length; i++) garbage[i] = random.int(0, 256);
              // The block's checksum still describes what should have been written: detectable.
              f.applyDurable(w.offset + s, piece);
              f.applyDurable(w.offset + s, garbage, false);
              torn++;
            } else {
              dropped++;
            }
          }
        }
        f.pending = [];
        f.pendingSize = f.durableSize;
      }
      reports.push({ file: name, keptSectors: kept, droppedSectors: dropped, tornSectors: torn, vanished: false });
    }
    return reports;
  }

  /** Deletes every file (RebootAndDelete). */
  wipe(): void {
    this.files.clear();
  }
}

/** Disk timing: write (to cache) and read latencies, sync latency. */
export interface DiskTiming {
  readonly writeLatency: () => Time;
  readonly readLatency: () => Time;
  readonly syncLatency: () => Time;
}

/** FoundationDB-like disk timing drawn from a stream: sync 5–15 ms, reads and cached writes sub-ms. */
export function defaultDiskTiming(random: Random): DiskTiming {
  return {
    writeLatency: () => random.int(10, 100),
    readLatency: () => random.int(50, 300),
    syncLatency: () => random.int(millis(5), millis(15)),
  };
}

/** A file opened by a process: every operation completes in simulated time, or never if the process dies. */
export class SimFile {
  constructor(
    private readonly proc: SimProcess,
    private readonly folder: DataFolder,
    private readonly stored: StoredFile,
    private readonly timing: DiskTiming,
  ) {}

  get name(): string {
    return this.stored.name;
  }

  /** Logical size in bytes (including unsynced writes). */
  get size(): number {
    return this.stored.size;
  }

  private op<T>(latency: Time, label: string, action: () => T): Promise<T> {
    const f = this.proc.future<T>(`disk ${label} ${this.stored.name}`);
    if (this.proc.diskFailed) return f.promise; // FailDisk: never completes
    const now = this.proc.kernel.now();
    const start = Math.max(now, this.folder.nextFree);
    const done = start + latency;
    this.folder.nextFree = done;
    this.proc.after(done - now, () => {
      if (this.proc.diskFailed) return;
      try {
        f.resolve(action());
      } catch (e) {
        f.reject(e);
      }
    });
    return f.promise;
  }

  /** Writes bytes at `offset`; not durable until `sync`. */
  write(offset: number, data: Uint8Array): Promise<void> {
    const copy = data.slice();
    return this.op(this.timing.writeLatency(), 'write', () => {
      this.stored.pending.push({ offset, data: copy });
      this.stored.pendingSize = Math.max(this.stored.pendingSize, offset + copy.length);
    });
  }

  /** Appends bytes at the current end. */
  append(data: Uint8Array): Promise<void> {
    return this.write(this.stored.size, data);
  }

  /** Reads up to `length` bytes at `offset`; rejects with `checksum_failed` on corruption. */
  read(offset: number, length: number): Promise<Uint8Array> {
    return this.op(this.timing.readLatency(), 'read', () => this.stored.read(offset, length));
  }

  /** Makes every earlier write durable. */
  sync(): Promise<void> {
    return this.op(this.timing.syncLatency(), 'sync', () => this.stored.syncNow());
  }

  /** Truncates the file to `size` bytes, durably. */
  truncate(size: number): Promise<void> {
    return this.op(this.timing.syncLatency(), 'truncate', () => this.stored.truncateNow(size));
  }
}

/** Opens (creating if needed) a file in the process's current folder. */
export function openFile(proc: SimProcess, name: string, timing: DiskTiming): SimFile {
  const folder = proc.folder;
  let stored = folder.files.get(name);
  if (!stored) {
    stored = new StoredFile(name);
    folder.files.set(name, stored);
  }
  return new SimFile(proc, folder, stored, timing);
}
