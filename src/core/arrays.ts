// Array helpers that hold for any length. `target.push(...items)` passes every item as an argument and
// throws RangeError (maximum call stack size exceeded) past roughly 100k items: a range read of a large
// table must not crash the client that reads it.

/** Appends every item of `items` to `target`, in order, for any number of items. Returns `target`. */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}

/**
 * Removes the first `n` items of `target` in place (all of them when `n` is larger). Unlike
 * `target.splice(0, n)` it builds no array of the removed items: hot paths drop the front of short
 * histories many times a run.
 */
export function dropFront<T>(target: T[], n: number): void {
  const len = target.length;
  if (n <= 0) return;
  if (n >= len) {
    target.length = 0;
    return;
  }
  for (let i = n; i < len; i++) target[i - n] = target[i]!;
  target.length = len - n;
}

/** Index of the first element of ascending `sorted` that is greater than `x` (its length when none is). */
export function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
