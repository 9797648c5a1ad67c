// A compact binary form for the records that carry a database's data (mutations, snapshots): lengths as
// unsigned varints, versions as float64, keys and values as their bytes. Its records are about half the
// size of the same records in JSON and several times cheaper to write, and the data records are most of
// what logs and storage servers write to their simulated disks.
import { type BKey, CHAR_CODE_CHUNK } from './keys.js';

/** Appends bytes to a growable buffer that is reused from one record to the next. */
export class ByteWriter {
  private buf = new Uint8Array(64 * 1024);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  /** Starts a new record at the front of the buffer, leaving `reserve` bytes for a header. */
  reset(reserve: number): void {
    this.pos = reserve;
  }

  /** The bytes written since `reset`, header space included, as a copy of their exact size. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buf.length, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(n: number): void {
    this.room(1);
    this.buf[this.pos++] = n;
  }

  /** A non-negative integer below 2^53, seven bits a byte. */
  uint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a length or count: ${n}`);
    this.room(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  f64(n: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, n, true);
    this.pos += 8;
  }

  /** A binary string (one byte a char), length first. */
  bstr(s: BKey): void {
    const n = s.length;
    this.uint(n);
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) throw new RangeError(`not a binary string: char ${c} at ${i}`);
      buf[p++] = c;
    }
    this.pos = p;
  }
}

/** Reads what a ByteWriter wrote; throws a RangeError past the end (a damaged or foreign record). */
export class ByteReader {
  private readonly view: DataView;
  /**
   * Char codes of the string being decoded, reused from one string to the next: a binary string is made
   * from this array, not from a subarray view per string (decoding the records a restarted log or storage
   * server reads was a tenth of what a run allocated, a third of it those views).
   */
  private readonly codes: number[] = [];
  pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError('record ends early');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  uint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
    throw new RangeError('varint too long');
  }

  f64(): number {
    this.need(8);
    const n = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return n;
  }

  bstr(): BKey {
    const n = this.uint();
    this.need(n);
    let s = '';
    for (let at = this.pos; at < this.pos + n; at += CHAR_CODE_CHUNK)
      s += this.chars(at, Math.min(this.pos + n, at + CHAR_CODE_CHUNK));
    this.pos += n;
    return s;
  }

  /** The bytes [from, to) as a binary string (at most CHAR_CODE_CHUNK of them). */
  private chars(from: number, to: number): string {
    const codes = this.codes;
    const buf = this.buf;
    codes.length = to - from;
    for (let i = from; i < to; i++) codes[i - from] = buf[i]!;
    return String.fromCharCode.apply(null, codes);
  }
}
