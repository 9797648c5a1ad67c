// Array helpers that hold for any length. `target.push(...items)` passes every item as an argument and
// throws RangeError (maximum call stack size exceeded) past roughly 100k items: a range read of a large
// table must not crash the client that reads it.

/** Appends every item of `items` to `target`, in order, for any number of items. Returns `target`. */
export function appendAll<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}
