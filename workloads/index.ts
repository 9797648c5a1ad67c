// Every built-in workload: each file in workloads/ and workloads/chaos/ default-exports one, and this
// list is what the command line registers (plugins are added after these).
import type { WorkloadDefinition } from '../src/index.js';
import apiCorrectness from './api-correctness.js';
import atomicOps from './atomic-ops.js';
import backgroundSelector from './background-selector.js';
import attrition from './chaos/attrition.js';
import changeConfig from './chaos/change-config.js';
import clockSkew from './chaos/clock-skew.js';
import clogSingleConnection from './chaos/clog-single-connection.js';
import diskFailureInjection from './chaos/disk-failure-injection.js';
import partition from './chaos/partition.js';
import randomClogging from './chaos/random-clogging.js';
import randomMoveKeys from './chaos/random-move-keys.js';
import rollback from './chaos/rollback.js';
import targetedKill from './chaos/targeted-kill.js';
import triggerRecoveryLoop from './chaos/trigger-recovery-loop.js';
import conflictRange from './conflict-range.js';
import cycle from './cycle.js';
import ddbalance from './ddbalance.js';
import fuzzApiCorrectness from './fuzz-api-correctness.js';
import increment from './increment.js';
import inventoryTest from './inventory-test.js';
import lockDatabase from './lock-database.js';
import lockDatabaseFrequently from './lock-database-frequently.js';
import lowLatency from './low-latency.js';
import randomSelector from './random-selector.js';
import readWrite from './read-write.js';
import selectorCorrectness from './selector-correctness.js';
import serializability from './serializability.js';
import sideband from './sideband.js';
import sidebandSingle from './sideband-single.js';
import simpleAtomicAdd from './simple-atomic-add.js';
import storefront from './storefront.js';
import versionStamp from './version-stamp.js';
import watches from './watches.js';
import watchesSameKeyCorrectness from './watches-same-key-correctness.js';
import writeDuringRead from './write-during-read.js';

/** The built-in workloads: application workloads, then chaos workloads, each group by file name. */
// biome-ignore lint/suspicious/noExplicitAny: workloads of every option schema
export const builtinWorkloads: readonly WorkloadDefinition<any>[] = [
  apiCorrectness,
  atomicOps,
  backgroundSelector,
  conflictRange,
  cycle,
  ddbalance,
  fuzzApiCorrectness,
  increment,
  inventoryTest,
  lockDatabase,
  lockDatabaseFrequently,
  lowLatency,
  randomSelector,
  readWrite,
  selectorCorrectness,
  serializability,
  sideband,
  sidebandSingle,
  simpleAtomicAdd,
  storefront,
  versionStamp,
  watches,
  watchesSameKeyCorrectness,
  writeDuringRead,
  attrition,
  changeConfig,
  clockSkew,
  clogSingleConnection,
  diskFailureInjection,
  partition,
  randomClogging,
  randomMoveKeys,
  rollback,
  targetedKill,
  triggerRecoveryLoop,
];
