// faultline's public API: everything a workload (built-in or plugin) may use. Nothing else is public.
export type {
  AtomicOp,
  AttemptInfo,
  Bytes,
  Database,
  KeySelector,
  KeyValue,
  RangeOptions,
  ReadOptions,
  Transaction,
  Version,
} from './cluster/client-api.js';
export { ErrorCodes, FdbError, fdbError, Limits } from './cluster/client-api.js';
export {
  bytes,
  compareBytes,
  concatBytes,
  decodeInt64LE,
  encodeInt64LE,
  equalBytes,
  keyAfter,
  printable,
  str,
  strinc,
} from './cluster/bytes.js';
export type { Random } from './core/random.js';
export type { Details, Severity } from './trace/event.js';
export type { KillType } from './sim/kill-types.js';
export { KILL_TYPES } from './sim/kill-types.js';
export type { ChaosSurface, ClogMode, ProcessInfo } from './workload/chaos-surface.js';
export type {
  Metric,
  WorkloadContext,
  WorkloadDefinition,
  WorkloadInstance,
  WorkloadKind,
} from './workload/contract.js';
export { defineWorkload } from './workload/contract.js';
export type { OptionSchema, OptionSpec, OptionValues } from './workload/options.js';
export { opt } from './workload/options.js';
export { firstGreaterOrEqual, firstGreaterThan, lastLessOrEqual, lastLessThan } from './cluster/selectors.js';
