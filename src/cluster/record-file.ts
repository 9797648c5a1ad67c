// A durable, checksummed record log on a simulated file. Each record is [length u32][checksum u32][bytes].
// Reading stops at the first record that is incomplete or fails its checksum: a torn tail after a crash
// is discarded, never trusted. Corruption in the middle (a bit flip) is reported so the owner can repair.
import { checksum32 } from '../core/hash.js';
import { SECTOR_SIZE, type SimFile } from '../sim/disk.js';
import { ByteReader, ByteWriter } from './byte-codec.js';

const HEADER = 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What opening a record log found. */
export interface RecordScan<T> {
  readonly records: T[];
  /** Where each record of `records` begins in the file. */
  readonly offsets: number[];
  /** Byte offset just after the last good record: the log was cut here and appends continue here. */
  readonly end: number;
  /** True when something followed the last good record (a torn or dropped tail, or damage) and was cut. */
  readonly cut: boolean;
}

/**
 * Encodes a JSON-able value as one record. Only the small records are JSON (identities, locks, durable
 * marks, padding); the data records are binary (`encodeBinaryRecord`).
 */
export function encodeRecord(value: unknown): Uint8Array {
  const body = encoder.encode(JSON.stringify(value));
  const out = new Uint8Array(HEADER + body.length);
  out.set(body, HEADER);
  return sealed(out);
}

const writer = new ByteWriter();

/**
 * Encodes a record in binary (see byte-codec.ts): `fill` writes it, beginning with a kind byte below
 * 0x20, which no JSON record begins with. The log's owner reads it back with the `readBinary` it gives
 * `openRecordLog`.
 */
export function encodeBinaryRecord(fill: (w: ByteWriter) => void): Uint8Array {
  writer.reset(HEADER);
  fill(writer);
  return sealed(writer.bytes());
}

/** Fills in a record's header (its length and checksum) in front of its bytes. */
function sealed(out: Uint8Array): Uint8Array {
  const dv = new DataView(out.buffer, out.byteOffset);
  dv.setUint32(0, out.length - HEADER, true);
  dv.setUint32(4, checksum32(out, HEADER), true);
  return out;
}

/** Whether a record's bytes are binary (from `encodeBinaryRecord`) rather than JSON. */
function isBinary(payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0]! < 0x20;
}

/**
 * A filler record that ends exactly at the next sector boundary (at least HEADER + 2 bytes). Written
 * before every sync, so that later, unsynced appends never share a sector with synced records: a torn
 * sector after a crash can then only damage data that was never acknowledged.
 */
export function padRecord(offset: number): Uint8Array {
  let size = SECTOR_SIZE - (offset % SECTOR_SIZE);
  if (size < HEADER + 2) size += SECTOR_SIZE;
  // One per size, shared: written bytes are only ever copied, never changed.
  let pad = pads.get(size);
  if (!pad) {
    pad = encodeRecord('x'.repeat(size - HEADER - 2));
    pads.set(size, pad);
  }
  return pad;
}
const pads = new Map<number, Uint8Array>();

/**
 * An append-only record log on a file: appends in order, syncs padded to sector boundaries, and can
 * discard the records before a point once a checkpoint written after them has made them useless.
 */
export class RecordLog {
  private chain: Promise<void> = Promise.resolve();
  /** Where the last record appended (not padding) begins. */
  lastAt = -1;

  constructor(
    readonly file: SimFile,
    /** Where the next record goes (after the intact records found on open). */
    private offset: number,
  ) {}

  /** Appends a record (not durable until `sync`). Resolves when it reached the file. */
  append(rec: unknown): Promise<void> {
    return this.appendEncoded(encodeRecord(rec));
  }

  /** Appends a record already encoded by `encodeRecord`: the bytes are written as they are and must never change. */
  appendEncoded(bytes: Uint8Array): Promise<void> {
    const at = this.offset;
    this.lastAt = at;
    this.offset += bytes.length;
    this.chain = this.chain.then(() => this.file.writeShared(at, bytes));
    return this.chain;
  }

  /** Makes everything appended so far durable; the next append starts in a fresh sector. */
  async sync(): Promise<void> {
    if (this.offset % SECTOR_SIZE !== 0) {
      const pad = padRecord(this.offset);
      const at = this.offset;
      this.offset += pad.length;
      this.chain = this.chain.then(() => this.file.writeShared(at, pad));
    }
    await this.chain;
    await this.file.sync();
  }

  /** Where the next record goes: the log's end, counting appends not yet written. */
  get end(): number {
    return this.offset;
  }

  /** Bytes from the file's front to the end: what the log occupies on disk. */
  get used(): number {
    return this.offset - this.file.front;
  }

  /**
   * Discards every record before `offset`, durably, after the writes queued so far. `offset` must be where
   * a record begins, and the records from it on must be synced and enough to replay on their own.
   */
  async discardBefore(offset: number): Promise<void> {
    await this.chain;
    await this.file.discardFront(offset);
  }
}

/**
 * Opens a record log after a restart: reads records from the file's front up to the first one that is missing, incomplete,
 * damaged or unreadable, and truncates the file there, so that nothing written after the cut (stale
 * records from before a crash) can ever be replayed once new records are appended. Every sync is padded
 * to a sector boundary, so a crash can only cut what was never synced; synced data lost to other damage
 * (a flipped bit) must be detected by the owner, who knows what it had made durable.
 */
export async function openRecordLog<T>(
  file: SimFile,
  readBinary?: (r: ByteReader) => T,
): Promise<RecordScan<T>> {
  const front = file.front;
  const { data } = await file.readIntact(front);
  const records: T[] = [];
  const offsets: number[] = [];
  let off = 0;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  while (off + HEADER <= data.length) {
    const len = dv.getUint32(off, true);
    const sum = dv.getUint32(off + 4, true);
    if (off + HEADER + len > data.length) break;
    const payload = data.subarray(off + HEADER, off + HEADER + len);
    if ((len === 0 && sum === 0) || checksum32(payload) !== sum) break;
    const rec = decodeRecord(payload, readBinary);
    if (rec === unreadable) break;
    if (typeof rec !== 'string') {
      // strings are sector padding
      records.push(rec as T);
      offsets.push(front + off);
    }
    off += HEADER + len;
  }
  const end = front + off;
  const cut = end < file.size;
  if (cut) await file.truncate(end);
  return { records, offsets, end, cut };
}

const unreadable = Symbol('unreadable');

/** A record's value, or `unreadable` when its bytes make no record (a binary one needs `readBinary`). */
function decodeRecord<T>(payload: Uint8Array, readBinary?: (r: ByteReader) => T): unknown {
  try {
    if (!isBinary(payload)) return JSON.parse(decoder.decode(payload)) as unknown;
    if (!readBinary) return unreadable;
    const r = new ByteReader(payload);
    const rec = readBinary(r);
    return r.done ? rec : unreadable;
  } catch (e) {
    // Bytes that make no record (JSON's SyntaxError, a binary reader's RangeError) end the log; any other
    // error is a bug in a reader and must not pass for damage, which would silently cut the log.
    if (e instanceof SyntaxError || e instanceof RangeError) return unreadable;
    throw e;
  }
}

/**
 * Records encoded once per (object, version): a log's entry is pushed to every log of the epoch and a
 * version's mutations to every storage server of a team, each holding the same object, so the first to
 * write it encodes it and the others reuse the bytes (which nothing changes once made).
 */
export class EncodedOnce<K extends object> {
  private readonly made = new WeakMap<K, { version: number; bytes: Uint8Array }>();

  /** The record of `key` at `version`, made by `encode` the first time it is asked for. */
  get(key: K, version: number, encode: () => Uint8Array): Uint8Array {
    const hit = this.made.get(key);
    if (hit !== undefined && hit.version === version) return hit.bytes;
    const bytes = encode();
    this.made.set(key, { version, bytes });
    return bytes;
  }
}
