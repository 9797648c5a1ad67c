// The resolver's memory of recent writes: the key space cut into segments, each holding the newest
// version that wrote anywhere in it (FoundationDB's conflict set keeps the same map, in a skip list).
// Checking a read range costs a binary search plus the segments inside the range, however many
// batches were committed since the reader's read version; recording a write replaces the segments it
// covers with one.
//
// The segments are kept in sorted chunks of a few hundred: one sorted array of thousands of segments
// (one per key written in the window) made every write of a new key move half of it.
import { type BKey, lowerBound } from './keys.js';

/** The version of a segment no remembered write touched: older than every read version. */
const NONE = Number.NEGATIVE_INFINITY;

/** Segments per chunk after a split or a merge; a chunk splits when it reaches twice this. */
const CHUNK_SIZE = 128;

/** Consecutive segments: starts sorted, versions[i] the newest write in [starts[i], the next start). */
interface Chunk {
  starts: BKey[];
  versions: number[];
}

/** Newest write version per key segment, for conflict checks. */
export class ConflictSet {
  /**
   * Never empty, no chunk empty; the starts of all chunks in order are sorted, and the first is ''
   * (the smallest key), so every key is in one segment.
   */
  private chunks: Chunk[] = [{ starts: [''], versions: [NONE] }];
  /** Number of segments in all chunks. */
  private count = 1;
  /** Segment count after the last `forgetBefore` that merged anything: when to merge again. */
  private mergedAt = 1;

  /** @param chunkSize segments per chunk (default 128; small values exercise chunk splits in tests). */
  constructor(private readonly chunkSize = CHUNK_SIZE) {}

  /** Number of segments (for tests and benchmarks). */
  get size(): number {
    return this.count;
  }

  /** True when a write newer than `version` touched any key in [begin, end). */
  writtenAfter(begin: BKey, end: BKey, version: number): boolean {
    let ci = this.chunkOf(begin);
    let c = this.chunks[ci]!;
    let i = ConflictSet.segmentIn(c, begin);
    for (;;) {
      const { starts, versions } = c;
      for (; i < starts.length; i++) {
        if (!(starts[i]! < end)) return false;
        if (versions[i]! > version) return true;
      }
      if (++ci >= this.chunks.length) return false;
      c = this.chunks[ci]!;
      i = 0;
    }
  }

  /** Records a write of [begin, end) at `version` (never older than any version recorded before). */
  write(begin: BKey, end: BKey, version: number): void {
    if (!(begin < end)) return;
    if (this.rewriteSegment(begin, end, version)) return;
    // The segment that holds `end` keeps its version from `end` on.
    const endChunk = this.chunks[this.chunkOf(end)]!;
    const endVersion = endChunk.versions[ConflictSet.segmentIn(endChunk, end)]!;
    // `begin` starts a segment with the new version; the segments inside the range go; `end` starts one.
    let ci = this.chunkOf(begin);
    let c = this.chunks[ci]!;
    let i = lowerBound(c.starts, begin);
    if (i < c.starts.length && c.starts[i] === begin) c.versions[i] = version;
    else this.insert(ci, i, begin, version);
    // Where `begin` is now (an insert may have split its chunk).
    ci = this.chunkOf(begin);
    c = this.chunks[ci]!;
    i = lowerBound(c.starts, begin) + 1;
    this.removeBefore(ci, i, end);
    ci = this.chunkOf(end);
    c = this.chunks[ci]!;
    i = lowerBound(c.starts, end);
    if (!(i < c.starts.length && c.starts[i] === end)) this.insert(ci, i, end, endVersion);
  }

  /** When [begin, end) is exactly one segment (a key written again), gives it `version`; else false. */
  private rewriteSegment(begin: BKey, end: BKey, version: number): boolean {
    const ci = this.chunkOf(begin);
    const c = this.chunks[ci]!;
    const i = lowerBound(c.starts, begin);
    if (!(i < c.starts.length && c.starts[i] === begin)) return false;
    const next = i + 1 < c.starts.length ? c.starts[i + 1] : this.chunks[ci + 1]?.starts[0];
    if (next !== end) return false;
    c.versions[i] = version;
    return true;
  }

  /**
   * Forgets writes at versions below `oldest` (no reader that old is checked any more), merging the
   * segments they leave behind. Runs only when the map has doubled since it last merged, so its cost is
   * spread over the writes that grew it.
   */
  forgetBefore(oldest: number): void {
    if (this.count < 2 * this.mergedAt + 64) return;
    const starts: BKey[] = [];
    const versions: number[] = [];
    for (const c of this.chunks) {
      for (let i = 0; i < c.starts.length; i++) {
        const v = c.versions[i]! < oldest ? NONE : c.versions[i]!;
        if (versions.length > 0 && versions[versions.length - 1] === v) continue;
        starts.push(c.starts[i]!);
        versions.push(v);
      }
    }
    this.chunks = [];
    for (let i = 0; i < starts.length; i += this.chunkSize) {
      const to = i + this.chunkSize;
      this.chunks.push({ starts: starts.slice(i, to), versions: versions.slice(i, to) });
    }
    this.count = starts.length;
    this.mergedAt = starts.length;
  }

  /** Index of the chunk holding the segment of `key`: the last chunk whose first start is <= key. */
  private chunkOf(key: BKey): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.chunks[mid]!.starts[0]! <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index in `c` (the chunk from chunkOf) of the segment holding `key`. */
  private static segmentIn(c: Chunk, key: BKey): number {
    const i = lowerBound(c.starts, key);
    return i < c.starts.length && c.starts[i] === key ? i : i - 1;
  }

  /** Inserts a segment start at index `i` of chunk `ci`, splitting the chunk when it grows too long. */
  private insert(ci: number, i: number, key: BKey, version: number): void {
    const c = this.chunks[ci]!;
    c.starts.splice(i, 0, key);
    c.versions.splice(i, 0, version);
    this.count++;
    if (c.starts.length >= 2 * this.chunkSize) {
      const tail = { starts: c.starts.splice(this.chunkSize), versions: c.versions.splice(this.chunkSize) };
      this.chunks.splice(ci + 1, 0, tail);
    }
  }

  /** Removes the segment starts from index `i` of chunk `ci` on that are below `end`. */
  private removeBefore(ci: number, i: number, end: BKey): void {
    while (ci < this.chunks.length) {
      const c = this.chunks[ci]!;
      const n = c.starts.length;
      let j = c.starts[n - 1]! < end ? n : i; // a chunk wholly inside the range goes at once
      while (j < n && c.starts[j]! < end) j++;
      if (j > i) {
        c.starts.splice(i, j - i);
        c.versions.splice(i, j - i);
        this.count -= j - i;
      }
      if (j < n) return; // `end` or a later start is in this chunk
      if (c.starts.length === 0) this.chunks.splice(ci, 1);
      else ci++;
      i = 0;
    }
  }
}
