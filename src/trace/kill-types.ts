// FoundationDB's kill types, ordered from most to least destructive; code compares them by that order.
// Part of the trace dialect (KillType fields carry their numbers), so the simulator and reporters share it.

/** Kill types in FoundationDB's order (0 most destructive). */
export const KILL_TYPES = [
  'KillInstantly',
  'InjectFaults',
  'FailDisk',
  'RebootAndDelete',
  'RebootProcessAndDelete',
  'RebootProcessAndSwitch',
  'Reboot',
  'RebootProcess',
  'None',
] as const;

export type KillType = (typeof KILL_TYPES)[number];

/** FoundationDB's numeric value of a kill type (as traced in `KillType` fields). */
export function killTypeNumber(t: KillType): number {
  return KILL_TYPES.indexOf(t);
}

/** True when `a` is at least as destructive as `b`. */
export function atLeastAsDestructive(a: KillType, b: KillType): boolean {
  return killTypeNumber(a) <= killTypeNumber(b);
}

/** Kill types that lose the data on the victims (the safety policy checks these against replication). */
export function isDestructive(t: KillType): boolean {
  return (
    t === 'KillInstantly' ||
    t === 'InjectFaults' ||
    t === 'FailDisk' ||
    t === 'RebootAndDelete' ||
    t === 'RebootProcessAndDelete'
  );
}
