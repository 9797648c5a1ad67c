// faultline's public API: everything a workload (built-in or plugin) may use. Nothing else is public.
import type { Bytes } from './cluster/client-api.js';

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
  TransactionOption,
  Version,
} from './cluster/client-api.js';
export { ErrorCodes, FdbError, fdbError, Limits } from './cluster/client-api.js';
export { firstGreaterOrEqual, firstGreaterThan, lastLessOrEqual, lastLessThan } from './cluster/selectors.js';
export type { Random } from './core/random.js';
export type { Details, Severity } from './trace/event.js';
export type { KillType } from './trace/kill-types.js';
export { KILL_TYPES } from './trace/kill-types.js';
export type {
  ChaosMetrics,
  ChaosSurface,
  ClogMode,
  ConfigurationChange,
  ProcessInfo,
} from './workload/chaos-surface.js';
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

/**
 * The end of the normal key space: the single byte 0xff (FoundationDB's `normalKeys.end`); user keys sort
 * below it and system keys start at it. Use this rather than `bytes('\xff')`, which is the UTF-8 encoding
 * of U+00FF: two bytes, 0xc3 0xbf. Shared by every caller: never modify it.
 */
export const normalKeysEnd: Bytes = Uint8Array.of(0xff);
