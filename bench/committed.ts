// What a run committed, read from its result: the figure every whole-run bench reports. It imports
// nothing of faultline, so a bench that loads other builds (compare-builds.ts) can use it on theirs.

/** The transactions a run's workloads committed (their `Transactions` metrics), from a run's result. */
export function committedOf(r: {
  readonly tests: readonly {
    readonly workloads: readonly { readonly metrics: readonly { name: string; value: number }[] }[];
  }[];
}): number {
  let committed = 0;
  for (const t of r.tests)
    for (const w of t.workloads)
      for (const m of w.metrics) if (m.name === 'Transactions') committed += m.value;
  return committed;
}
