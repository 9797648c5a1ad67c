// `[configuration]`: the keys faultline models (typed, validated), the FoundationDB keys it accepts but
// ignores (one warning each), and did-you-mean errors for everything else.
import { BadInputError, didYouMean } from '../core/errors.js';
import { type KeyLines, lineOf } from './locate.js';
import type { SpecTable } from './toml.js';
import {
  type ClusterConfigSpec,
  type ConfigEntry,
  type Located,
  type SpecValue,
  type SpecWarning,
  STORAGE_ENGINES,
} from './types.js';
import { readBool, readInt, readString, type ValueSite } from './values.js';

type Reader = (v: SpecValue, site: ValueSite) => boolean | number | string;

const bool: Reader = (v, s) => readBool(v, s);
const count: Reader = (v, s) => readInt(v, s, 1);

/** The modelled keys and how each is read. */
const MODELLED: ReadonlyMap<keyof Omit<ClusterConfigSpec, 'entries'>, Reader> = new Map<
  keyof Omit<ClusterConfigSpec, 'entries'>,
  Reader
>([
  ['buggify', (v, s) => readBool(v, s, true)],
  ['faultInjection', (v, s) => readBool(v, s, true)],
  ['config', (v, s) => readString(v, s)],
  [
    'minimumReplication',
    (v, s) => {
      const n = readInt(v, s, 0);
      if (n > 3) throw new BadInputError(`must be 0 to 3 (1 single, 2 double, 3 triple), got ${n}`, s);
      return n;
    },
  ],
  ['machineCount', count],
  ['processesPerMachine', count],
  ['datacenters', count],
  ['coordinators', count],
  ['desiredTLogCount', count],
  ['commitProxyCount', count],
  ['grvProxyCount', count],
  ['resolverCount', count],
  ['storageEngineType', readStorageEngine],
  ['simpleConfig', bool],
  ['longRunningTest', bool],
  ['testerCount', count],
  ['plantedBug', (v, s) => readString(v, s)],
  ['expectFailure', bool],
  ['oracle', bool],
]);

/** FoundationDB keys accepted and ignored, with what they are about (for the warning). */
const UNMODELLED: ReadonlyMap<string, string> = new Map([
  ['remoteConfig', 'multi-region configurations are not modelled'],
  ['minimumRegions', 'multi-region configurations are not modelled'],
  ['generateFearless', 'multi-region configurations are not modelled'],
  ['singleRegion', 'multi-region configurations are not modelled; the cluster is always one region'],
  ['asanMachineCount', 'ASAN builds do not apply'],
  ['allowDisablingTenants', 'tenants are not modelled'],
  ['allowDefaultTenant', 'tenants are not modelled'],
  ['extraMachineCountDC', 'extra machines per datacenter are not modelled'],
  ['extraStorageMachineCountPerDC', 'extra storage machines per datacenter are not modelled'],
  ['statelessProcessClassesPerDC', 'forced stateless machines per datacenter are not modelled'],
  ['remoteDesiredTLogCount', 'multi-region configurations are not modelled'],
  ['logAntiQuorum', 'the TLog write anti-quorum is not modelled (every TLog acknowledges)'],
  ['storageEngineExcludeTypes', 'use storageEngineType to choose the engine'],
  ['maxTLogVersion', 'TLog versions are not modelled'],
  ['disableTss', 'testing storage servers are not modelled (there are none)'],
  ['disableHostname', 'hostnames are not modelled (addresses are always IPs)'],
  ['configureLocked', 'locked databases are not modelled'],
  ['startIncompatibleProcess', 'protocol versions are not modelled'],
  ['extraDatabaseMode', 'extra databases are not modelled'],
  ['extraDatabaseCount', 'extra databases are not modelled'],
  ['extraDatabaseBackupAgents', 'backup agents are not modelled'],
  ['simHTTPServerEnabled', 'simulated HTTP servers are not modelled'],
  ['randomlyRenameZoneId', 'restarting tests are not modelled'],
  ['injectTargetedSSRestart', 'targeted storage-server restarts are not modelled; use Attrition'],
  ['injectSSDelay', 'targeted storage-server delays are not modelled'],
  ['simulationNormalRunTestsTimeoutSeconds', 'the whole-run limit is set by faultline (see longRunningTest)'],
  [
    'simulationBuggifyRunTestsTimeoutSeconds',
    'the whole-run limit is set by faultline (see longRunningTest)',
  ],
  ['StderrSeverity', 'faultline does not run processes with stderr'],
  ['ClientInfoLogging', 'client statistics logging is not modelled'],
  ['restartInfoLocation', 'restarting tests are not modelled'],
  // Removed in FoundationDB 7.3+ (still seen in older restart specs).
  ['defaultTenant', 'tenants are not modelled (key removed in newer FoundationDB)'],
  ['allowDefaultTenant', 'tenants are not modelled (key removed in newer FoundationDB)'],
  ['allowCreatingTenants', 'tenants are not modelled (key removed in newer FoundationDB)'],
  ['disableRemoteKVS', 'remote key-value stores are not modelled (key removed in newer FoundationDB)'],
  ['configDB', 'the configuration database is not modelled (key removed in newer FoundationDB)'],
  ['storageCacheMachinesInDC0', 'storage caches are not modelled (key removed in newer FoundationDB)'],
  ['blobGranulesEnabled', 'blob granules are not modelled (key removed in newer FoundationDB)'],
]);

/** Retired keys FoundationDB still accepts silently when their value is exactly `["disabled"]`. */
const RETIRED_DISABLED = new Set(['tenantModes', 'encryptModes']);

/** Harness keys, also accepted inside `[configuration]`. */
export const HARNESS_KEYS: ReadonlySet<string> = new Set(['testClass', 'testPriority']);

/**
 * FoundationDB `configure` words faultline does not model, each with the word the cluster runs instead
 * (undefined: dropped) and why. Data-hall and datacenter redundancy modes keep their replica count; the
 * topology (halls, datacenters) is not modelled, so kill safety and placement are those of the plain mode.
 */
const UNMODELLED_CONFIG_WORDS: ReadonlyMap<string, readonly [string | undefined, string]> = new Map<
  string,
  readonly [string | undefined, string]
>([
  [
    'three_data_hall',
    ['triple', 'data halls are not modelled: runs as triple (3 replicas, no hall placement)'],
  ],
  [
    'three_data_hall_fallback',
    ['double', 'data halls are not modelled: runs as double (2 replicas, no hall placement)'],
  ],
  [
    'three_datacenter',
    ['triple', 'multi-datacenter redundancy is not modelled: runs as triple in one datacenter'],
  ],
  [
    'three_datacenter_fallback',
    ['double', 'multi-datacenter redundancy is not modelled: runs as double in one datacenter'],
  ],
  ['multi_dc', ['triple', 'multi-datacenter redundancy is not modelled: runs as triple in one datacenter']],
  ['ssd-1', ['ssd', 'storage engine variants are not modelled: runs as ssd']],
  ['ssd-2', ['ssd', 'storage engine variants are not modelled: runs as ssd']],
  ['ssd-redwood-1', ['ssd', 'storage engine variants are not modelled: runs as ssd']],
  ['ssd-redwood-1-experimental', ['ssd', 'storage engine variants are not modelled: runs as ssd']],
  ['ssd-rocksdb-v1', ['ssd', 'storage engine variants are not modelled: runs as ssd']],
  ['ssd-sharded-rocksdb', ['ssd', 'storage engine variants are not modelled: runs as ssd']],
  ['memory-1', ['memory', 'storage engine variants are not modelled: runs as memory']],
  ['memory-2', ['memory', 'storage engine variants are not modelled: runs as memory']],
  ['memory-radixtree-beta', ['memory', 'storage engine variants are not modelled: runs as memory']],
]);

/** FoundationDB `configure` `key:=value` settings faultline does not model (dropped with a warning). */
const UNMODELLED_CONFIG_SETTINGS: ReadonlySet<string> = new Set([
  'log_spill',
  'log_version',
  'log_engine',
  'log_routers',
  'storage_migration_type',
  'perpetual_storage_wiggle',
  'perpetual_storage_wiggle_locality',
  'perpetual_storage_wiggle_engine',
  'usable_regions',
  'backup_worker_enabled',
  'tenant_mode',
  'encryption_at_rest_mode',
  'blob_granules_enabled',
  'storage_engine',
  'regions',
  'remote_logs',
  'satellite_logs',
]);

/**
 * Rewrites a `config` string's FoundationDB words that faultline does not model into the nearest modelled
 * ones (or drops them), with one warning per word. Everything else is left for the cluster to check.
 */
export function normalizeConfigString(
  text: string,
  line: number,
): { readonly value: string; readonly warnings: SpecWarning[] } {
  const warnings: SpecWarning[] = [];
  const kept: string[] = [];
  for (const tok of text.split(/\s+/).filter(Boolean)) {
    const word = UNMODELLED_CONFIG_WORDS.get(tok);
    const setting = tok.includes(':=') ? tok.slice(0, tok.indexOf(':=')) : undefined;
    if (word) {
      if (word[0] !== undefined) kept.push(word[0]);
      warnings.push({ key: 'config', line, message: `config word '${tok}' is not modelled: ${word[1]}` });
    } else if (setting !== undefined && UNMODELLED_CONFIG_SETTINGS.has(setting)) {
      warnings.push({
        key: 'config',
        line,
        message: `config setting '${tok}' is a FoundationDB setting faultline does not model: ignored`,
      });
    } else kept.push(tok);
  }
  return { value: kept.join(' '), warnings };
}

/** Every key `[configuration]` accepts. */
export const CONFIGURATION_KEYS: readonly string[] = [
  ...MODELLED.keys(),
  ...UNMODELLED.keys(),
  ...RETIRED_DISABLED,
  ...HARNESS_KEYS,
];

function readStorageEngine(v: SpecValue, site: ValueSite): number {
  if (typeof v === 'string' && STORAGE_ENGINES.includes(v.trim())) return STORAGE_ENGINES.indexOf(v.trim());
  const n = readInt(v, site, 0);
  if (n >= STORAGE_ENGINES.length) {
    throw new BadInputError(
      `unknown storage engine ${n}`,
      site,
      `use ${STORAGE_ENGINES.map((name, i) => `${i} (${name})`).join(', ')}`,
    );
  }
  return n;
}

/** What `parseConfiguration` produces. */
export interface ParsedConfiguration {
  readonly configuration: ClusterConfigSpec;
  readonly warnings: SpecWarning[];
  /** `testClass` / `testPriority` if set inside `[configuration]`. */
  readonly harness: ReadonlyMap<string, Located<SpecValue>>;
}

/**
 * Reads a `[configuration]` table. `lines` locates its keys; `fallbackLine` is used for keys the scanner
 * could not place (an inline table).
 */
export function parseConfiguration(
  table: SpecTable | undefined,
  lines: KeyLines | undefined,
  fallbackLine: number,
  file: string,
): ParsedConfiguration {
  const out: Record<string, Located<boolean | number | string>> = {};
  const entries: ConfigEntry[] = [];
  const warnings: SpecWarning[] = [];
  const harness = new Map<string, Located<SpecValue>>();
  const keys = Object.keys(table ?? {}).sort(
    (a, b) => lineOf(lines, a, fallbackLine) - lineOf(lines, b, fallbackLine) || (a < b ? -1 : a > b ? 1 : 0),
  );
  for (const key of keys) {
    const value = table![key]!;
    const line = lineOf(lines, key, fallbackLine);
    const site: ValueSite = { file, line, key };
    const reader = MODELLED.get(key as keyof Omit<ClusterConfigSpec, 'entries'>);
    if (reader) {
      let read = reader(value, site);
      if (key === 'config' && typeof read === 'string') {
        const normal = normalizeConfigString(read, line);
        warnings.push(...normal.warnings);
        read = normal.value;
      }
      out[key] = { value: read, line };
      entries.push({ key, value, line, modelled: true });
      continue;
    }
    const why = UNMODELLED.get(key);
    if (why !== undefined) {
      warnings.push({
        key,
        line,
        message: `[configuration] ${key} is a FoundationDB key faultline ignores: ${why}`,
      });
      entries.push({ key, value, line, modelled: false });
      continue;
    }
    if (RETIRED_DISABLED.has(key)) {
      if (!(Array.isArray(value) && value.length === 1 && value[0] === 'disabled')) {
        throw new BadInputError(`${key} is retired; only ["disabled"] is accepted`, site, 'remove the key');
      }
      entries.push({ key, value, line, modelled: false });
      continue;
    }
    if (HARNESS_KEYS.has(key)) {
      harness.set(key, { value, line });
      continue;
    }
    const guess = didYouMean(key, CONFIGURATION_KEYS);
    throw new BadInputError(
      'unknown [configuration] key',
      site,
      guess ? `did you mean '${guess}'?` : `known keys: ${[...MODELLED.keys()].join(', ')}`,
    );
  }
  return { configuration: { ...out, entries } as ClusterConfigSpec, warnings, harness };
}
