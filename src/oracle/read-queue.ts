// Reads waiting for their version to become final, ordered by version (a binary min-heap): a read can
// only be checked once every commit at or below its read version is known to have happened or not.
import type { BKey } from '../cluster/keys.js';

/** One storage answer an attempt received. */
export type RecordedRead =
  | {
      readonly kind: 'point';
      readonly attempt: number;
      readonly version: number;
      readonly key: BKey;
      readonly value: BKey | undefined;
      readonly time: number;
    }
  | {
      readonly kind: 'range';
      readonly attempt: number;
      readonly version: number;
      readonly begin: BKey;
      readonly end: BKey;
      readonly limit: number;
      readonly reverse: boolean;
      readonly rows: readonly [BKey, BKey][];
      readonly more: boolean;
      readonly time: number;
    };

/** A min-heap of reads by version. */
export class ReadQueue {
  private readonly heap: RecordedRead[] = [];

  get length(): number {
    return this.heap.length;
  }

  /** The lowest read version waiting, or undefined when none. */
  lowestVersion(): number | undefined {
    return this.heap[0]?.version;
  }

  push(r: RecordedRead): void {
    const h = this.heap;
    h.push(r);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.version <= r.version) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = r;
  }

  /** Removes and returns the lowest-version read when its version is at most `version`. */
  popAtMost(version: number): RecordedRead | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top || top.version > version) return undefined;
    const last = h.pop()!;
    if (h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      const mv = (j: number) => (j === i ? last.version : h[j]!.version);
      if (l < h.length && h[l]!.version < mv(m)) m = l;
      if (r < h.length && h[r]!.version < mv(m)) m = r;
      if (m === i) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = last;
    return top;
  }
}
