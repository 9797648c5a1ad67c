// The resolver's memory of recent writes: the key space cut into segments, each holding the newest
// version that wrote anywhere in it (FoundationDB's conflict set keeps the same map, in a skip list).
// Checking a read range costs a binary search plus the segments inside the range, however many
// batches were committed since the reader's read version; recording a write replaces the segments it
// covers with one.
import { type BKey, lowerBound } from './keys.js';

/** The version of a segment no remembered write touched: older than every read version. */
const NONE = Number.NEGATIVE_INFINITY;

/** Newest write version per key segment, for conflict checks. */
export class ConflictSet {
  /** Segment starts, sorted; the first is '' (the smallest key), so every key is in one segment. */
  private starts: BKey[] = [''];
  /** versions[i]: newest version that wrote in [starts[i], starts[i + 1]); NONE = none remembered. */
  private versions: number[] = [NONE];
  /** Segment count after the last `forgetBefore` that merged anything: when to merge again. */
  private mergedAt = 1;

  /** Number of segments (for tests and benchmarks). */
  get size(): number {
    return this.starts.length;
  }

  /** True when a write newer than `version` touched any key in [begin, end). */
  writtenAfter(begin: BKey, end: BKey, version: number): boolean {
    let i = this.segmentOf(begin);
    const n = this.starts.length;
    for (; i < n && this.starts[i]! < end; i++) if (this.versions[i]! > version) return true;
    return false;
  }

  /** Records a write of [begin, end) at `version` (never older than any version recorded before). */
  write(begin: BKey, end: BKey, version: number): void {
    if (!(begin < end)) return;
    const beginAt = this.split(begin);
    const endAt = this.split(end); // after begin's split, which may shift it
    // [beginAt, endAt) are the segments inside the range: one segment replaces them.
    const inner = endAt - beginAt - 1;
    if (inner > 0) {
      this.starts.splice(beginAt + 1, inner);
      this.versions.splice(beginAt + 1, inner);
    }
    this.versions[beginAt] = version;
  }

  /**
   * Forgets writes at versions below `oldest` (no reader that old is checked any more), merging the
   * segments they leave behind. Runs only when the map has doubled since it last merged, so its cost is
   * spread over the writes that grew it.
   */
  forgetBefore(oldest: number): void {
    if (this.starts.length < 2 * this.mergedAt + 64) return;
    const starts: BKey[] = [];
    const versions: number[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      const v = this.versions[i]! < oldest ? NONE : this.versions[i]!;
      if (versions.length > 0 && versions[versions.length - 1] === v) continue;
      starts.push(this.starts[i]!);
      versions.push(v);
    }
    this.starts = starts;
    this.versions = versions;
    this.mergedAt = starts.length;
  }

  /** Index of the segment holding `key`. */
  private segmentOf(key: BKey): number {
    const i = lowerBound(this.starts, key);
    return i < this.starts.length && this.starts[i] === key ? i : i - 1;
  }

  /** Makes `key` the start of a segment (splitting the one holding it); returns its index. */
  private split(key: BKey): number {
    const i = lowerBound(this.starts, key);
    if (i < this.starts.length && this.starts[i] === key) return i;
    this.starts.splice(i, 0, key);
    this.versions.splice(i, 0, this.versions[i - 1]!);
    return i;
  }
}
