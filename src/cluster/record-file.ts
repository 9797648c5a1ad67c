// A durable, checksummed record log on a simulated file. Each record is [length u32][checksum u32][bytes].
// Reading stops at the first record that is incomplete or fails its checksum: a torn tail after a crash
// is discarded, never trusted. Corruption in the middle (a bit flip) is reported so the owner can repair.
import { checksum32 } from '../core/hash.js';
import type { SimFile } from '../sim/disk.js';

const HEADER = 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What reading a record file found. */
export interface RecordScan<T> {
  readonly records: T[];
  /** Byte offset just after the last good record (where appends continue). */
  readonly end: number;
  /** True when a damaged record was found before the end of the file (not just a torn tail). */
  readonly corrupt: boolean;
}

/** Encodes a JSON-able value as one record. */
export function encodeRecord(value: unknown): Uint8Array {
  const payload = encoder.encode(JSON.stringify(value));
  const out = new Uint8Array(HEADER + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, payload.length, true);
  dv.setUint32(4, checksum32(payload), true);
  out.set(payload, HEADER);
  return out;
}

/** Reads every intact record of a file. Disk checksum failures count as corruption. */
export async function readRecords<T>(file: SimFile): Promise<RecordScan<T>> {
  // Read up to the first damaged sector: records before it are intact; a damaged sector followed by
  // more data is corruption rather than a torn tail.
  const { data, damaged } = await file.readIntact(0);
  const damageIsTail = !damaged || data.length + 2 * 512 >= file.size;
  const records: T[] = [];
  let off = 0;
  let corrupt = false;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  while (off + HEADER <= data.length) {
    const len = dv.getUint32(off, true);
    const sum = dv.getUint32(off + 4, true);
    if (len === 0 && sum === 0) break; // zero-filled tail
    if (off + HEADER + len > data.length) {
      if (damaged && !damageIsTail) corrupt = true;
      break; // torn tail
    }
    const payload = data.subarray(off + HEADER, off + HEADER + len);
    if (checksum32(payload) !== sum) {
      // A bad record followed by more data is corruption rather than a torn tail.
      corrupt = off + HEADER + len < data.length;
      break;
    }
    try {
      records.push(JSON.parse(decoder.decode(payload)) as T);
    } catch {
      corrupt = true;
      break;
    }
    off += HEADER + len;
  }
  return { records, end: off, corrupt };
}
