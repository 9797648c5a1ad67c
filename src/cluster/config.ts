// The cluster's shape and database configuration: from `[configuration]` where given, drawn from the
// seed where absent (as FoundationDB's SimulatedCluster does), and validated.
import { BadInputError, didYouMean } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { isPlantedBug, PLANTED_BUGS, type PlantedBug } from './planted-bugs.js';
import type { DbConfig } from './protocol.js';

/** A fully resolved cluster configuration. */
export interface ClusterConfig {
  readonly datacenters: number;
  readonly machineCount: number;
  readonly processesPerMachine: number;
  readonly coordinators: number;
  readonly testerCount: number;
  readonly db: DbConfig;
  readonly plantedBug: PlantedBug | undefined;
  /** Where each value came from, for the SimulatorConfig trace event. */
  readonly drawn: readonly string[];
}

/** `[configuration]` values as given (already typed by spec/), with their line for errors. */
export interface ClusterConfigInput {
  readonly file: string;
  readonly values: ReadonlyMap<string, { value: unknown; line?: number }>;
}

const REPLICATION: Record<string, number> = { single: 1, double: 2, triple: 3 };
const CONFIG_TOKENS: Record<string, keyof DbConfig> = {
  logs: 'logs',
  commit_proxies: 'commitProxies',
  grv_proxies: 'grvProxies',
  resolvers: 'resolvers',
};

function intOf(input: ClusterConfigInput, key: string, lo: number, hi: number): number | undefined {
  const v = input.values.get(key);
  if (v === undefined) return undefined;
  const n = typeof v.value === 'number' ? v.value : Number(v.value);
  if (!Number.isInteger(n) || n < lo || n > hi) {
    throw new BadInputError(`${key} must be an integer from ${lo} to ${hi}, got '${String(v.value)}'`, {
      file: input.file,
      ...(v.line !== undefined ? { line: v.line } : {}),
      key,
    });
  }
  return n;
}

/** Resolves the configuration: given values, then seed-drawn defaults; every draw is recorded. */
export function resolveClusterConfig(input: ClusterConfigInput, random: Random): ClusterConfig {
  const drawn: string[] = [];
  const draw = <T>(key: string, value: T): T => {
    drawn.push(key);
    return value;
  };
  let replication: number | undefined;
  const tokens: Partial<Record<keyof DbConfig, number>> = {};
  let storageEngine: DbConfig['storageEngine'] | undefined;
  const cfg = input.values.get('config');
  if (cfg) {
    const loc = { file: input.file, ...(cfg.line !== undefined ? { line: cfg.line } : {}), key: 'config' };
    for (const tok of String(cfg.value).split(/\s+/).filter(Boolean)) {
      if (tok in REPLICATION) replication = REPLICATION[tok];
      else if (tok === 'memory' || tok === 'ssd') storageEngine = tok;
      else if (tok.includes(':=')) {
        const [k, v] = tok.split(':=') as [string, string];
        const field = CONFIG_TOKENS[k];
        const n = Number(v);
        if (!field || !Number.isInteger(n) || n < 1) {
          const guess = didYouMean(k, Object.keys(CONFIG_TOKENS));
          throw new BadInputError(
            `unknown or invalid config token '${tok}'`,
            loc,
            guess ? `did you mean '${guess}:=${v}'?` : `use e.g. 'triple logs:=3'`,
          );
        }
        tokens[field] = n;
      } else if (tok !== 'new') {
        const guess = didYouMean(tok, [...Object.keys(REPLICATION), 'memory', 'ssd']);
        throw new BadInputError(
          `unknown config token '${tok}'`,
          loc,
          guess ? `did you mean '${guess}'?` : 'expected single, double or triple',
        );
      }
    }
  }
  const minRep = intOf(input, 'minimumReplication', 1, 3) ?? 1;
  replication ??= draw('replication', Math.max(minRep, random.pick([1, 2, 2, 3, 3])));
  if (replication < minRep) replication = minRep;
  const datacenters = intOf(input, 'datacenters', 1, 3) ?? 1;
  const machineCount =
    intOf(input, 'machineCount', 1, 64) ??
    draw('machineCount', Math.max(replication * 2 + 1, random.int(4, 9)));
  if (machineCount < replication) {
    const v = input.values.get('machineCount');
    throw new BadInputError(
      `machineCount ${machineCount} is smaller than the replication factor ${replication}`,
      { file: input.file, ...(v?.line !== undefined ? { line: v.line } : {}), key: 'machineCount' },
      `use at least ${replication} machines`,
    );
  }
  const processesPerMachine =
    intOf(input, 'processesPerMachine', 1, 8) ?? draw('processesPerMachine', random.int(1, 3));
  const defaultCoords = replication === 1 ? 1 : machineCount >= 5 && random.chance(0.3) ? 5 : 3;
  const coordinators = Math.min(
    machineCount,
    intOf(input, 'coordinators', 1, 9) ?? draw('coordinators', defaultCoords),
  );
  const testerCount = intOf(input, 'testerCount', 1, 64) ?? draw('testerCount', random.int(4, 9));
  const processes = machineCount * processesPerMachine;
  const logs = Math.min(
    processes,
    tokens.logs ??
      intOf(input, 'desiredTLogCount', 1, 16) ??
      draw('desiredTLogCount', random.int(1, Math.min(4, machineCount) + 1)),
  );
  const commitProxies =
    tokens.commitProxies ??
    intOf(input, 'commitProxyCount', 1, 16) ??
    draw('commitProxyCount', random.int(1, 4));
  const grvProxies =
    tokens.grvProxies ?? intOf(input, 'grvProxyCount', 1, 16) ?? draw('grvProxyCount', random.int(1, 3));
  const resolvers =
    tokens.resolvers ?? intOf(input, 'resolverCount', 1, 8) ?? draw('resolverCount', random.int(1, 3));
  const eng = input.values.get('storageEngineType');
  if (eng !== undefined) {
    const s = String(eng.value);
    // FoundationDB numbers engines: 0 ssd, 1 memory, others are not modelled (treated as ssd-like).
    storageEngine = s === '1' || s === 'memory' ? 'memory' : 'ssd';
  }
  storageEngine ??= draw('storageEngineType', random.pick(['memory', 'ssd'] as const));
  let plantedBug: PlantedBug | undefined;
  const pb = input.values.get('plantedBug');
  if (pb !== undefined) {
    const name = String(pb.value);
    if (!isPlantedBug(name)) {
      const guess = didYouMean(name, Object.keys(PLANTED_BUGS));
      throw new BadInputError(
        `unknown planted bug '${name}'`,
        { file: input.file, ...(pb.line !== undefined ? { line: pb.line } : {}), key: 'plantedBug' },
        guess ? `did you mean '${guess}'?` : `one of: ${Object.keys(PLANTED_BUGS).join(', ')}`,
      );
    }
    plantedBug = name;
  }
  return {
    datacenters,
    machineCount,
    processesPerMachine,
    coordinators,
    testerCount,
    db: { replication, logs, commitProxies, grvProxies, resolvers, storageEngine },
    plantedBug,
    drawn,
  };
}

/** FoundationDB's configure string for a configuration, as SimulatorConfig traces it. */
export function configString(c: ClusterConfig): string {
  const rep = ['', 'single', 'double', 'triple'][c.db.replication] ?? `replication:=${c.db.replication}`;
  return `new ${rep} ${c.db.storageEngine} logs:=${c.db.logs} commit_proxies:=${c.db.commitProxies} grv_proxies:=${c.db.grvProxies} resolvers:=${c.db.resolvers}`;
}
