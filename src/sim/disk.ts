// Simulated disks: files whose writes stay pending until sync, with per-block checksums, and the disk
// faults FoundationDB's simulator injects (InjectFaults I/O errors, FailDisk hangs, stalls, throttling,
// bit flips, and what a crash does to unsynced writes).
//
// A file's durable content is a list of 512-byte blocks (one sector each), each with a checksum of its
// content; durable appends are kept as written until something looks at blocks. Writes
// land in a pending list (visible to reads, like a page cache) and become durable only on sync. When
// the owning process is killed or rebooted, pending writes are resolved sector by sector (kept,
// dropped, or torn), so code that trusts unsynced data loses it, as on a real machine. Damage (a torn
// sector, a flipped bit) leaves the block's checksum describing the intended content, so a later read
// fails with `checksum_failed` instead of returning corrupt bytes.
import { assert } from '../core/errors.js';
import { checksum32 } from '../core/hash.js';
import type { Random } from '../core/random.js';
import { millis, seconds, type Time, toSeconds } from '../core/time.js';
import { type Details, type Severity, SevWarn } from '../trace/event.js';
import type { SimProcess } from './process.js';

/**
 * Checksum unit of durable storage: one sector. A disk writes sectors atomically, so a torn write damages
 * only the sectors it touched; sectors synced earlier, even in the same 4 KiB page, stay intact.
 */
export const BLOCK_SIZE = 512;
/** Blocks in a file's first slab of block memory, and the most in any slab (see StoredFile.newBlock). */
const SLAB_MIN_BLOCKS = 4;
const SLAB_MAX_BLOCKS = 64;
/** Sector size: the granularity at which a crash keeps, drops or tears a pending write. */
export const SECTOR_SIZE = 512;

/** FoundationDB's error codes of the disk errors the simulator produces. */
export const DISK_ERROR_CODES = {
  io_error: 1510,
  io_timeout: 1521,
  checksum_failed: 1601,
  file_not_found: 1511,
} as const;

/** An I/O error seen by code using a simulated file, with FoundationDB's error names. */
export class DiskError extends Error {
  constructor(
    readonly errorName: 'io_error' | 'io_timeout' | 'checksum_failed' | 'file_not_found',
    readonly errorCode: number,
    message: string,
    /**
     * True for errors thrown by fault injection (the InjectFaults kill type). As in FoundationDB, code
     * that logs such an error should lower a Severity-40 event to 30: the fault was planted. Default false.
     */
    readonly injected = false,
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
  private readonly blockMap = new Map<number, Uint8Array>();
  /**
   * Durable appends not yet copied into blocks, in offset order, each at or past everything durable
   * before it. Most bytes a log appends are discarded by a checkpoint before anything reads them, so
   * they are kept as written (never changed: see `SimFile.writeShared`) and copied into blocks only
   * when something looks at blocks: a read, damage, a truncation, a bit flip.
   */
  private appended: PendingWrite[] = [];
  /**
   * The checksum each damaged block should have: its content's checksum when it was damaged. An
   * undamaged block's checksum always matches its content, so it is not stored (nor computed on every
   * write); reading a damaged block compares.
   */
  readonly sums = new Map<number, number>();
  durableSize = 0;
  pending: PendingWrite[] = [];
  pendingSize = 0;
  /** Ever synced? A file never synced may vanish entirely on a crash. */
  everSynced = false;
  /**
   * Where the file's content begins: everything before it was discarded (see `discardFrontNow`). A
   * log whose old records were superseded by a checkpoint moves its front past them, as FoundationDB's
   * DiskQueue pops the pages behind its readers, so disk use follows the live data, not all data ever written.
   */
  front = 0;
  /**
   * Blocks whose checksum may no longer match their content (a torn sector or a flipped bit). A partial
   * write to such a block keeps the stale checksum, so the damage stays detectable; only a write that
   * covers the whole block replaces it.
   */
  readonly damaged = new Set<number>();
  /** Blocks damaged by `flipBits` (FoundationDB's remembered corrupted blocks), until fully rewritten. */
  readonly flipped = new Set<number>();
  /**
   * New blocks are views into slabs of several blocks: one zeroed allocation per slab instead of one per
   * 512-byte block (each a backing store of its own, a measurable share of a run's allocation cost).
   * Slabs grow from SLAB_MIN_BLOCKS to SLAB_MAX_BLOCKS blocks, so a small file stays small.
   */
  private slab: Uint8Array | undefined;
  private slabUsed = 0;

  constructor(readonly name: string) {}

  /** A zeroed block of BLOCK_SIZE bytes, carved from the current slab. */
  private newBlock(): Uint8Array {
    const blocks = this.slab === undefined ? 0 : this.slab.length / BLOCK_SIZE;
    if (this.slab === undefined || this.slabUsed === blocks) {
      this.slab = new Uint8Array(
        BLOCK_SIZE * Math.min(SLAB_MAX_BLOCKS, Math.max(SLAB_MIN_BLOCKS, 2 * blocks)),
      );
      this.slabUsed = 0;
    }
    const from = this.slabUsed++ * BLOCK_SIZE;
    return this.slab.subarray(from, from + BLOCK_SIZE);
  }

  /** The durable blocks by index (every durable append copied in first). */
  get blocks(): Map<number, Uint8Array> {
    this.settle();
    return this.blockMap;
  }

  /** Copies the durable appends into blocks, skipping what lies before the front's block. */
  private settle(): void {
    if (this.appended.length === 0) return;
    const appended = this.appended;
    this.appended = [];
    const floor = Math.floor(this.front / BLOCK_SIZE) * BLOCK_SIZE;
    for (const w of appended) {
      const end = w.offset + w.data.length;
      if (end <= floor) continue;
      if (w.offset >= floor) this.copyIn(w.offset, w.data, true);
      else this.copyIn(floor, w.data.subarray(floor - w.offset), true);
    }
  }

  /** Drops the blocks before block `keep`, and the durable appends that lie wholly before it. */
  discardBlocksBefore(keep: number): void {
    const floor = keep * BLOCK_SIZE;
    this.appended = this.appended.filter((w) => w.offset + w.data.length > floor);
    for (const bi of [...this.blockMap.keys()]) if (bi < keep) this.dropBlock(bi);
  }

  /** Forgets block `bi` with its checksum and damage. */
  private dropBlock(bi: number): void {
    this.blockMap.delete(bi);
    this.sums.delete(bi);
    this.damaged.delete(bi);
    this.flipped.delete(bi);
  }

  /** Logical size including pending writes. */
  get size(): number {
    return Math.max(this.durableSize, this.pendingSize);
  }

  /**
   * Writes bytes into durable blocks, updating checksums. With `updateSums` false (a torn write) the
   * blocks keep their old checksums and are marked damaged, so reading them fails.
   */
  applyDurable(offset: number, data: Uint8Array, updateSums = true): void {
    // Only while nothing is damaged, so that the damage sets, which kill safety reads directly, never lag
    // behind appends still to be copied in (damage is only ever added after the appends are settled).
    if (updateSums && offset >= this.durableSize && this.damaged.size === 0) {
      this.appended.push({ offset, data });
      this.durableSize = offset + data.length;
      return;
    }
    this.settle();
    this.copyIn(offset, data, updateSums);
    this.durableSize = Math.max(this.durableSize, offset + data.length);
  }

  private copyIn(offset: number, data: Uint8Array, updateSums: boolean): void {
    const blocks = this.blockMap;
    let pos = 0;
    while (pos < data.length) {
      const abs = offset + pos;
      const bi = Math.floor(abs / BLOCK_SIZE);
      const inBlock = abs % BLOCK_SIZE;
      const n = Math.min(BLOCK_SIZE - inBlock, data.length - pos);
      let block = blocks.get(bi);
      if (!block) {
        block = this.newBlock();
        blocks.set(bi, block);
      }
      if (!updateSums) this.markDamaged(bi, block);
      // Most writes fall in one block: no subarray view for them.
      block.set(n === data.length ? data : data.subarray(pos, pos + n), inBlock);
      if (updateSums && n === BLOCK_SIZE) {
        // A whole-block write replaces whatever damage was there.
        this.damaged.delete(bi);
        this.flipped.delete(bi);
        this.sums.delete(bi);
      }
      pos += n;
    }
  }

  /** Remembers the checksum a block has before it is damaged (kept if it already was). */
  private markDamaged(bi: number, block: Uint8Array): void {
    if (this.damaged.has(bi)) return;
    this.sums.set(bi, checksum32(block));
    this.damaged.add(bi);
  }

  /** True when block `bi` exists and its content fails its checksum. */
  private corrupt(bi: number): boolean {
    if (!this.damaged.has(bi)) return false;
    const block = this.blocks.get(bi);
    return block !== undefined && checksum32(block) !== this.sums.get(bi);
  }

  /**
   * Flips one bit of a durable block without touching its checksum. Returns false when the block does
   * not exist.
   */
  flipBit(bi: number, bit: number): boolean {
    const block = this.blocks.get(bi);
    if (!block) return false;
    this.markDamaged(bi, block);
    const byte = Math.floor(bit / 8) % BLOCK_SIZE;
    block[byte] = (block[byte] ?? 0) ^ (1 << (bit % 8));
    this.flipped.add(bi);
    return true;
  }

  /** Offset of the first damaged block at or after `offset`, or the file size when none is. */
  intactUntil(offset: number): number {
    const first = Math.floor(offset / BLOCK_SIZE);
    const last = Math.floor((this.size - 1) / BLOCK_SIZE);
    let bad = Number.POSITIVE_INFINITY;
    for (const bi of this.damaged) if (bi >= first && bi <= last && bi < bad && this.corrupt(bi)) bad = bi;
    return bad === Number.POSITIVE_INFINITY ? this.size : Math.max(offset, bad * BLOCK_SIZE);
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
      if (this.corrupt(bi)) {
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
    for (const bi of [...this.blocks.keys()]) if (bi * BLOCK_SIZE >= size) this.dropBlock(bi);
    const last = this.blockMap.get(Math.floor(size / BLOCK_SIZE));
    // A damaged block keeps its stale checksum: recomputing it would launder the corruption.
    if (last && size % BLOCK_SIZE !== 0) last.fill(0, size % BLOCK_SIZE);
    this.durableSize = size;
    this.pendingSize = size;
    this.front = Math.min(this.front, size);
  }
}

/**
 * Discards the whole blocks before `offset` and moves the file's front there, durably (a metadata change,
 * like punching a hole). Offsets do not move: the block holding `offset` is kept, and pending writes are
 * untouched (they all lie after the front: logs only append).
 */
export function discardFrontNow(file: StoredFile, offset: number): void {
  if (offset <= file.front) return;
  file.discardBlocksBefore(Math.floor(offset / BLOCK_SIZE));
  file.front = offset;
}

/** What happened to a file's pending writes when its process crashed. */
export interface CrashReport {
  readonly file: string;
  /** Pending (unsynced) writes the crash resolved. */
  readonly pendingWrites: number;
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
  /** Stall and throttle windows set by `Disks.setDiskFailure`; forgotten on reboot. */
  failure: DiskFailureState | undefined;
  /** Operations delayed by a stall or throttle (FoundationDB's `ChaosMetrics.DiskDelays`). */
  diskDelays = 0;
  /** Bits flipped by `Disks.flipBits` (FoundationDB's `ChaosMetrics.BitFlips`). */
  bitFlips = 0;

  constructor(readonly id: string) {}

  /** Resolves every file's pending writes as a crash would. Returns what happened, per file. */
  crash(random: Random): CrashReport[] {
    const reports: CrashReport[] = [];
    for (const [name, f] of [...this.files]) {
      if (f.pending.length === 0) continue;
      const pendingWrites = f.pending.length;
      if (!f.everSynced && random.chance(0.5)) {
        this.files.delete(name);
        reports.push({
          file: name,
          pendingWrites,
          keptSectors: 0,
          droppedSectors: 0,
          tornSectors: 0,
          vanished: true,
        });
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
      reports.push({
        file: name,
        pendingWrites,
        keptSectors: kept,
        droppedSectors: dropped,
        tornSectors: torn,
        vanished: false,
      });
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

/** Longest sync or truncate in speed-up mode, µs (1 ms): disks become nearly instantaneous so the run converges. */
export const SPEED_UP_SYNC_LATENCY: Time = millis(1);

/**
 * Range of the per-process probability that a disk operation fails once InjectFaults is armed. Drawn
 * once per process. FoundationDB makes 10% of fault sites live and fails each with a per-process
 * uniform [0, 1) probability, about 5% per operation on average; this range has the same mean.
 */
export const INJECTED_FAULT_PROBABILITY: readonly [number, number] = [0.01, 0.1];

/** The kinds of disk operation (for traces and fault decisions). */
export type DiskOp = 'read' | 'write' | 'sync' | 'truncate';

/** A disk-failure command (DiskFailureInjection): durations in seconds from now. */
export interface DiskFailureSettings {
  /**
   * Period of the stall pattern, s. When > 0, operations issued in the first few ms (1–4 ms, drawn
   * once per command) after each multiple of it wait until that window ends, as in FoundationDB.
   * When 0, every operation issued before the stall period ends completes no earlier than its end.
   */
  readonly stallInterval: number;
  /** How long stalls last from now, s. 0 for none. */
  readonly stallPeriod: number;
  /** How long throttling (+1–2 ms per operation) lasts from now, s. 0 for none. */
  readonly throttlePeriod: number;
}

/** A folder's stall and throttle windows, in simulated µs. */
export interface DiskFailureState {
  readonly stallInterval: Time;
  readonly stallPeriod: Time;
  readonly stallUntil: Time;
  /** Length of each periodic stall window (µs), when `stallInterval` > 0. */
  readonly stallDuration: Time;
  readonly throttlePeriod: Time;
  readonly throttleUntil: Time;
}

/** What the disks need from the world around them. */
export interface DiskEnv {
  /** Current simulated time, µs. */
  readonly now: () => Time;
  /** Emits a trace event at the current time. */
  readonly trace: (type: string, details: Details, opts?: { severity?: Severity; machine?: string }) => void;
  /** True in speed-up mode: no injected faults, syncs take at most {@link SPEED_UP_SYNC_LATENCY}. */
  readonly speedUp: () => boolean;
}

/** A corrupted block the simulator remembers (for the consistency checker and ChaosMetrics). */
export interface CorruptedBlock {
  readonly file: string;
  readonly block: number;
}

/**
 * The disks of one world: opens files and owns every disk fault: InjectFaults errors, stall and
 * throttle windows, bit flips, and the traced effects of a crash on unsynced writes.
 */
export class Disks {
  private readonly injection = new Map<string, { readonly probability: number; readonly random: Random }>();
  private readonly faultRandom: Random;
  private readonly throttleRandom: Random;
  private readonly stallRandom: Random;

  constructor(
    private readonly env: DiskEnv,
    /** Latency model of every disk. */
    readonly timing: DiskTiming,
    random: Random,
  ) {
    this.faultRandom = random.fork('inject');
    this.throttleRandom = random.fork('throttle');
    this.stallRandom = random.fork('stall');
  }

  /** Opens (creating if needed) a file in the process's current folder. */
  open(proc: SimProcess, name: string): SimFile {
    return openFile(proc, name, this.timing, this);
  }

  /** True in speed-up mode. */
  speedUp(): boolean {
    return this.env.speedUp();
  }

  /**
   * Schedules an operation issued now on `folder` that takes `latency` µs: operations are serialized
   * on the disk, and stall and throttle windows add their delays. Returns the completion time.
   */
  schedule(folder: DataFolder, latency: Time): Time {
    const now = this.env.now();
    let done = Math.max(now, folder.nextFree) + latency;
    const f = folder.failure;
    if (f) {
      let delayed = false;
      if (now < f.stallUntil) {
        if (f.stallInterval > 0) {
          const wait = Math.max(0, f.stallDuration - (now % f.stallInterval));
          if (wait > 0) {
            done += wait;
            delayed = true;
          }
        } else if (done < f.stallUntil) {
          done = f.stallUntil;
          delayed = true;
        }
      }
      if (now < f.throttleUntil) {
        done += millis(this.throttleRandom.int(1, 3));
        delayed = true;
      }
      if (delayed) folder.diskDelays++;
    }
    folder.nextFree = done;
    return done;
  }

  /**
   * Decides whether an operation of `proc` fails by fault injection (armed by the InjectFaults kill
   * type; never in speed-up mode). Returns the injected error, traced as `FaultInjected`, or undefined.
   */
  injectFault(proc: SimProcess, op: DiskOp, file: string): DiskError | undefined {
    if (!proc.faultInjection || this.env.speedUp()) return undefined;
    let st = this.injection.get(proc.address);
    if (!st) {
      // One stream per process, derived from its address: independent of which process asks first.
      const random = this.faultRandom.fork(proc.address);
      const [lo, hi] = INJECTED_FAULT_PROBABILITY;
      st = { probability: random.uniform(lo, hi), random };
      this.injection.set(proc.address, st);
    }
    if (!st.random.chance(st.probability)) return undefined;
    const name = st.random.chance(0.5) ? 'io_timeout' : 'io_error';
    const code = DISK_ERROR_CODES[name];
    this.env.trace(
      'FaultInjected',
      { Context: `disk ${op}`, File: file, Line: 0, ErrorCode: code, Error: name },
      { severity: SevWarn, machine: proc.address },
    );
    return new DiskError(name, code, `injected ${name} on ${op} of ${file}`, true);
  }

  /**
   * Starts stall and throttle windows on a folder's disk (DiskFailureInjection). Windows only grow:
   * a new command never ends an earlier, longer one. Traced as `SetDiskFailure` (times in seconds).
   * `machine` is the process address to log the event under.
   */
  setDiskFailure(folder: DataFolder, settings: DiskFailureSettings, machine?: string): DiskFailureState {
    const { stallInterval, stallPeriod, throttlePeriod } = settings;
    assert(
      stallInterval >= 0 && stallPeriod >= 0 && throttlePeriod >= 0,
      `setDiskFailure: negative duration (${stallInterval}, ${stallPeriod}, ${throttlePeriod})`,
    );
    const now = this.env.now();
    const prev = folder.failure;
    const state: DiskFailureState = {
      stallInterval: seconds(stallInterval),
      stallPeriod: seconds(stallPeriod),
      stallUntil: Math.max(prev?.stallUntil ?? 0, now + seconds(stallPeriod)),
      stallDuration: millis(this.stallRandom.int(1, 5)),
      throttlePeriod: seconds(throttlePeriod),
      throttleUntil: Math.max(prev?.throttleUntil ?? 0, now + seconds(throttlePeriod)),
    };
    folder.failure = state;
    this.env.trace(
      'SetDiskFailure',
      {
        Now: toSeconds(now),
        StallInterval: stallInterval,
        StallPeriod: stallPeriod,
        StallUntil: toSeconds(state.stallUntil),
        ThrottlePeriod: throttlePeriod,
        ThrottleUntil: toSeconds(state.throttleUntil),
      },
      machine !== undefined ? { machine } : {},
    );
    return state;
  }

  /** Ends a folder's stall and throttle windows (a reboot forgets disk-failure commands). */
  clearDiskFailure(folder: DataFolder): void {
    folder.failure = undefined;
  }

  /**
   * Flips one random bit in each durable block with probability `percent`/100, leaving the block's
   * checksum as it was, so a later read fails with `checksum_failed` and never returns the corrupt
   * bytes. Each flip is traced as `CorruptedBlock` (Filename, Block) and remembered until the block is
   * fully rewritten. `files` limits which files are hit (FoundationDB hits only storage files).
   * Returns the number of blocks corrupted.
   */
  flipBits(
    folder: DataFolder,
    percent: number,
    random: Random,
    opts: { files?: (name: string) => boolean; machine?: string } = {},
  ): number {
    assert(percent >= 0 && percent <= 100, `flipBits: percent ${percent} outside [0, 100]`);
    let flipped = 0;
    const names = [...folder.files.keys()].sort();
    for (const name of names) {
      if (opts.files && !opts.files(name)) continue;
      const f = folder.files.get(name)!;
      const blocks = [...f.blocks.keys()].sort((a, b) => a - b);
      for (const bi of blocks) {
        if (!random.chance(percent / 100)) continue;
        f.flipBit(bi, random.int(0, BLOCK_SIZE * 8));
        flipped++;
        folder.bitFlips++;
        this.env.trace(
          'CorruptedBlock',
          { Filename: name, Block: bi },
          opts.machine !== undefined ? { machine: opts.machine } : {},
        );
      }
    }
    return flipped;
  }

  /** Blocks of a folder damaged by bit flips and not rewritten since, sorted by file then block. */
  corruptedBlocks(folder: DataFolder): CorruptedBlock[] {
    const out: CorruptedBlock[] = [];
    for (const name of [...folder.files.keys()].sort()) {
      const f = folder.files.get(name)!;
      for (const block of [...f.flipped].sort((a, b) => a - b)) out.push({ file: name, block });
    }
    return out;
  }

  /**
   * Resolves a folder's unsynced writes as a kill or reboot does (see `DataFolder.crash`) and traces
   * FoundationDB's summary events per file: `AsyncFileNonDurable_Kill`, plus `_DroppedWrite` and
   * `_BadWrite` when sectors were dropped or torn.
   */
  crash(folder: DataFolder, random: Random, machine?: string): CrashReport[] {
    const reports = folder.crash(random);
    const where = machine !== undefined ? { machine } : {};
    for (const r of reports) {
      this.env.trace(
        'AsyncFileNonDurable_Kill',
        {
          Filename: r.file,
          PendingWrites: r.pendingWrites,
          KeptSectors: r.keptSectors,
          DroppedSectors: r.droppedSectors,
          TornSectors: r.tornSectors,
          Vanished: r.vanished,
        },
        where,
      );
      if (r.droppedSectors > 0) {
        this.env.trace(
          'AsyncFileNonDurable_DroppedWrite',
          { Filename: r.file, Sectors: r.droppedSectors },
          where,
        );
      }
      if (r.tornSectors > 0) {
        this.env.trace('AsyncFileNonDurable_BadWrite', { Filename: r.file, Sectors: r.tornSectors }, where);
      }
    }
    return reports;
  }
}

/**
 * A file opened by a process: every operation completes in simulated time, or never if the process
 * dies (or its disk has failed). Bound to the incarnation that opened it.
 */
export class SimFile {
  private readonly incarnation: number;

  constructor(
    private readonly proc: SimProcess,
    private readonly folder: DataFolder,
    private readonly stored: StoredFile,
    private readonly timing: DiskTiming,
    /** The world's disks (faults, stalls, speed-up); without it the file only has latencies. */
    private readonly disks?: Disks,
  ) {
    this.incarnation = proc.incarnation;
  }

  get name(): string {
    return this.stored.name;
  }

  /** Logical size in bytes (including unsynced writes). */
  get size(): number {
    return this.stored.size;
  }

  /** Offset where the file's content begins (0 until `discardFront` moved it). */
  get front(): number {
    return this.stored.front;
  }

  private op<T>(kind: DiskOp, action: () => T): Promise<T> {
    const proc = this.proc;
    const f = proc.future<T>(`disk ${kind} ${this.stored.name}`);
    if (!proc.alive) return f.promise; // a dead process does nothing
    assert(
      proc.incarnation === this.incarnation,
      () => `${proc.address} used file ${this.stored.name} opened by an earlier incarnation`,
    );
    const ticket = proc.diskOpStarted(proc.kernel.now());
    if (proc.diskFailed) return f.promise; // FailDisk: never completes (and stays in flight)
    let latency =
      kind === 'read'
        ? this.timing.readLatency()
        : kind === 'write'
          ? this.timing.writeLatency()
          : this.timing.syncLatency();
    if (this.disks?.speedUp() && (kind === 'sync' || kind === 'truncate')) {
      latency = Math.min(latency, SPEED_UP_SYNC_LATENCY);
    }
    const now = proc.kernel.now();
    let done: Time;
    if (this.disks) {
      done = this.disks.schedule(this.folder, latency);
    } else {
      done = Math.max(now, this.folder.nextFree) + latency;
      this.folder.nextFree = done;
    }
    proc.after(done - now, () => {
      if (proc.diskFailed) return; // FailDisk armed while the operation was in flight
      proc.diskOpDone(ticket);
      const injected = this.disks?.injectFault(proc, kind, this.stored.name);
      if (injected) {
        f.reject(injected);
        return;
      }
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
    return this.writeShared(offset, data.slice());
  }

  /**
   * Writes `data` without copying it first: the caller promises never to change it (encoded records,
   * which may be written to several files).
   */
  writeShared(offset: number, data: Uint8Array): Promise<void> {
    return this.op('write', () => {
      this.stored.pending.push({ offset, data });
      this.stored.pendingSize = Math.max(this.stored.pendingSize, offset + data.length);
    });
  }

  /** Appends bytes at the current end. */
  append(data: Uint8Array): Promise<void> {
    return this.write(this.stored.size, data);
  }

  /** Reads up to `length` bytes at `offset`; rejects with `checksum_failed` on corruption. */
  read(offset: number, length: number): Promise<Uint8Array> {
    return this.op('read', () => this.stored.read(offset, length));
  }

  /**
   * Reads from `offset` up to the first damaged block (or the end). `damaged` tells whether reading
   * stopped at a checksum failure. Recovery code uses it to keep everything before a torn tail.
   */
  readIntact(offset: number): Promise<{ data: Uint8Array; damaged: boolean }> {
    return this.op('read', () => {
      const until = this.stored.intactUntil(offset);
      return { data: this.stored.read(offset, until - offset), damaged: until < this.stored.size };
    });
  }

  /** Makes every earlier write durable. */
  sync(): Promise<void> {
    return this.op('sync', () => this.stored.syncNow());
  }

  /** Truncates the file to `size` bytes, durably. */
  truncate(size: number): Promise<void> {
    return this.op('truncate', () => this.stored.truncateNow(size));
  }

  /**
   * Discards the content before `offset`, durably: reads must start at `front` from then on. Costs a
   * truncate (and can fail like one under fault injection).
   */
  discardFront(offset: number): Promise<void> {
    return this.op('truncate', () => discardFrontNow(this.stored, offset));
  }
}

/**
 * Opens (creating if needed) a file in the process's current folder. Pass the world's `disks` for
 * fault injection, stalls and speed-up (`World.open` does); without it the file only has latencies.
 */
export function openFile(proc: SimProcess, name: string, timing: DiskTiming, disks?: Disks): SimFile {
  const folder = proc.folder;
  let stored = folder.files.get(name);
  if (!stored) {
    stored = new StoredFile(name);
    folder.files.set(name, stored);
  }
  return new SimFile(proc, folder, stored, timing, disks);
}
