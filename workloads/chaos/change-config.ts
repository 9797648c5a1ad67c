// ChangeConfig: FoundationDB's reconfiguration workload. After a random delay client 0 applies a
// `configure` string (redundancy mode and role counts) through a recovery, then moves the cluster to new
// coordinators ('auto' or a list), `coordinatorChanges` times 20 s apart. Like FoundationDB's, it vetoes
// automatic failure injection for its test.
import { type ChaosSurface, defineWorkload, opt } from '../../src/index.js';

/** A configuration change as the chaos surface takes it. */
export type ConfigChange = Parameters<ChaosSurface['changeConfiguration']>[0];

/** Redundancy modes faultline models, as storage replication factors. */
const REDUNDANCY: ReadonlyMap<string, number> = new Map([
  ['single', 1],
  ['double', 2],
  ['triple', 3],
]);

/** `configure` keys faultline models, by the ConfigChange field they set. */
const COUNT_KEYS: ReadonlyMap<string, 'logs' | 'commitProxies' | 'grvProxies' | 'resolvers'> = new Map([
  ['logs', 'logs'],
  ['commit_proxies', 'commitProxies'],
  ['grv_proxies', 'grvProxies'],
  ['resolvers', 'resolvers'],
]);

/**
 * FoundationDB `configure` words faultline accepts but does not model (other redundancy modes, storage
 * engines, regions, ...): they are skipped with a warning, so FoundationDB specs still run.
 */
const UNMODELLED_WORDS: ReadonlySet<string> = new Set([
  'three_datacenter',
  'three_datacenter_fallback',
  'three_data_hall',
  'three_data_hall_fallback',
  'fearless',
  'memory',
  'memory-1',
  'memory-2',
  'memory-radixtree',
  'memory-radixtree-beta',
  'ssd',
  'ssd-1',
  'ssd-2',
  'ssd-redwood-1',
  'ssd-redwood-1-experimental',
  'ssd-rocksdb-v1',
  'ssd-sharded-rocksdb',
]);
const UNMODELLED_KEYS: ReadonlySet<string> = new Set([
  'proxies',
  'log_routers',
  'usable_regions',
  'regions',
  'remote_logs',
  'satellite_logs',
  'log_version',
  'log_spill',
  'log_engine',
  'storage_engine',
  'storage_migration_type',
  'perpetual_storage_wiggle',
  'perpetual_storage_wiggle_locality',
  'perpetual_storage_wiggle_engine',
  'tenant_mode',
  'blob_granules_enabled',
  'encryption_at_rest_mode',
  'backup_worker_enabled',
  'exclude',
]);

/** A parsed `configure` string: the change, the words skipped, or what was wrong with it. */
export type ParsedConfigMode =
  | { readonly ok: true; readonly change: ConfigChange; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly error: string };

/**
 * Parses a FoundationDB `configure` string such as `'triple'`, `'new single memory'` or
 * `'logs:=3 commit_proxies:=2'` (`=` and `:=` both set a value). A leading `new` is dropped, since the
 * database exists by the time the workload runs. Unknown words are an error naming the valid ones.
 */
export function parseConfigMode(text: string): ParsedConfigMode {
  const change: { -readonly [K in keyof ConfigChange]: ConfigChange[K] } = {};
  const ignored: string[] = [];
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  for (const [i, word] of words.entries()) {
    if (word === 'new' && i === 0) continue;
    const m = /^([a-z_]+):?=(.*)$/.exec(word);
    if (m) {
      const key = m[1]!;
      const field = COUNT_KEYS.get(key);
      if (field !== undefined) {
        const n = Number(m[2]);
        if (!Number.isInteger(n) || n < 1) {
          return { ok: false, error: `'${word}': ${key} must be a whole number of at least 1` };
        }
        change[field] = n;
      } else if (UNMODELLED_KEYS.has(key)) {
        ignored.push(word);
      } else {
        return {
          ok: false,
          error: `unknown configuration key '${key}' in '${word}'; faultline sets ${[...COUNT_KEYS.keys()].join(', ')}`,
        };
      }
      continue;
    }
    const replication = REDUNDANCY.get(word);
    if (replication !== undefined) change.replication = replication;
    else if (UNMODELLED_WORDS.has(word)) ignored.push(word);
    else {
      return {
        ok: false,
        error: `unknown configure word '${word}'; redundancy modes are ${[...REDUNDANCY.keys()].join(', ')}, counts are key:=N`,
      };
    }
  }
  return { ok: true, change, ignored };
}

/** The coordinators option: none (''), 'auto', or a list of addresses separated by commas or spaces. */
export function parseCoordinators(text: string): 'auto' | string[] {
  const t = text.trim();
  if (t === 'auto') return 'auto';
  return t.split(/[\s,]+/).filter((a) => a !== '');
}

/** Seconds between automatic coordinator changes, as FoundationDB waits. */
const COORDINATOR_CHANGE_GAP_SECONDS = 20;

export default defineWorkload({
  name: 'ChangeConfig',
  description:
    'Client 0 applies a configure string (redundancy and role counts) through a recovery and/or moves the ' +
    'cluster to new coordinators; vetoes automatic failure injection.',
  kind: 'chaos',
  vetoesFailureInjection: true,
  options: {
    minDelayBeforeChange: opt.number({
      default: 0,
      min: 0,
      unit: 's',
      doc: 'Shortest wait before the change (the wait is uniform in [min, max]).',
    }),
    maxDelayBeforeChange: opt.number({
      default: 0,
      min: 0,
      unit: 's',
      doc: 'Longest wait before the change; must be at least minDelayBeforeChange.',
    }),
    configMode: opt.string({
      default: '',
      doc: "A FoundationDB configure string: 'single' | 'double' | 'triple' and logs / commit_proxies / grv_proxies / resolvers :=N; '' = no change.",
    }),
    coordinators: opt.string({
      default: '',
      doc: "'auto' lets the cluster choose new coordinators; a comma-separated address list sets them; '' = no change.",
    }),
    coordinatorChanges: opt.int({
      default: 1,
      min: 0,
      doc: "With coordinators = 'auto', how many changes, 20 s apart (a list is applied once).",
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const chaos = ctx.chaos;

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        if (o.maxDelayBeforeChange < o.minDelayBeforeChange) {
          ctx.fail('ChangeConfig: maxDelayBeforeChange must be at least minDelayBeforeChange', {
            MinDelayBeforeChange: o.minDelayBeforeChange,
            MaxDelayBeforeChange: o.maxDelayBeforeChange,
          });
          return;
        }
        const parsed = parseConfigMode(o.configMode);
        if (!parsed.ok) {
          ctx.fail(`ChangeConfig: bad configMode: ${parsed.error}`, { ConfigMode: o.configMode });
          return;
        }
        await ctx.delay(
          o.minDelayBeforeChange + ctx.random.next() * (o.maxDelayBeforeChange - o.minDelayBeforeChange),
        );

        if (o.configMode.trim() !== '') {
          for (const word of parsed.ignored) {
            ctx.trace('ChangeConfigUnmodelled', { Word: word, ConfigMode: o.configMode }, 30);
          }
          if (Object.keys(parsed.change).length > 0) await chaos.changeConfiguration(parsed.change);
        }

        if (o.coordinators.trim() !== '') {
          const target = parseCoordinators(o.coordinators);
          const isAuto = target === 'auto';
          // FoundationDB applies an explicit list once, whatever coordinatorChanges says.
          const changes = isAuto ? o.coordinatorChanges : 1;
          for (let i = 0; i < changes; i++) {
            if (i > 0) await ctx.delay(COORDINATOR_CHANGE_GAP_SECONDS);
            ctx.trace(
              'CoordinatorsChangeBeforeCommit',
              { Auto: isAuto, NewCoordinatorsKey: isAuto ? 'auto' : target.join(',') },
              5,
            );
            const now = await chaos.changeCoordinators(target);
            if (!isAuto && [...now].sort().join(',') !== [...target].sort().join(',')) {
              ctx.trace(
                'CoordinatorsChangeError',
                { Auto: false, Requested: target.join(','), Current: now.join(',') },
                20,
              );
            }
          }
        }
      },
      async check() {
        return true;
      },
    };
  },
});
