// Planted bugs: realistic, named defects in the cluster, each off unless a spec selects it with
// `[configuration] plantedBug = 'name'`. They prove that workloads catch the bugs they exist for.

/** The planted bugs and what each breaks. */
export const PLANTED_BUGS = {
  resolverIgnoresRangeReads: 'the resolver checks only point reads, so phantoms in range reads go undetected',
  proxyAcksAfterFirstTLog:
    'the commit proxy acknowledges once the first transaction log is durable instead of all',
  recoveryTakesLargestLogEnd: 'recovery picks the largest durable log end instead of the smallest',
  storageSkipsRollback: 'a storage server keeps versions that a recovery rolled back',
  grvSkipsEpochCheck: 'the GRV proxy answers without confirming its epoch is still live',
  tlogAcksBeforeFsync: 'a transaction log acknowledges a push before its fsync completes',
  storageReadsUnappliedVersion:
    'a storage server answers a read at a version it has not applied yet with what it has, instead of waiting',
  clearRangeEndInclusive: "a storage server's clearRange also clears the range's end key",
  atomicAddDropsCarry:
    'a storage server applies the atomic add byte by byte without carrying into the next byte',
  versionstampUsesPrevVersion:
    "the commit proxy stamps versionstamps with the previous batch's version, so two batches' stamps collide",
  recoverySkipsLogLock:
    "recovery reads the old epoch's log ends without locking the logs, so the old proxy keeps committing to them",
  tlogAcksAfterLock:
    "a transaction log answers a recovery's lock with the end durable so far, and a sync already in flight acknowledges pushes past it",
  reverseRangeSkipsBegin: "a storage server's reverse range read treats the range's begin as exclusive",
} as const;

export type PlantedBug = keyof typeof PLANTED_BUGS;

/** True when `name` is a planted bug. */
export function isPlantedBug(name: string): name is PlantedBug {
  return Object.hasOwn(PLANTED_BUGS, name);
}
