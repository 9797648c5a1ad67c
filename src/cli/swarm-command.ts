// `faultline swarm`: swarm testing for users. Each swarm seed becomes a random but valid spec (random
// application and chaos workloads, built-ins and the `--plugin` ones, with random options, cluster and
// test keys), written as a TOML file a person can read and re-run, then swept like any spec: the spec of
// seed S runs with seed S. Everything after the generation is `faultline sweep`.
import path from 'node:path';
import { generateSwarmSpec, SWARM_PROFILES } from '../swarm/index.js';
import { parsePositiveInt, parseSeedFlag, parseSeedRange } from '../sweep/plan.js';
import { ensureFolder, writeOutputFile } from '../trace/output-file.js';
import { pluginRegistry, pluginRequests } from '../workload/plugin-loader.js';
import type { AnyWorkload } from '../workload/registry.js';
import type { CliIo } from './io.js';
import { type SweepFlags, sweepCommand } from './sweep-command.js';

/** The options `faultline swarm` takes: the seed plan, where the specs go, and every sweep option. */
export interface SwarmFlags extends SweepFlags {
  /** Folder the generated specs (and their seeds file) are written to. */
  readonly specDir: string;
  /** The quick profile: short tests and light loads. */
  readonly quick?: boolean;
}

/** Swarm seeds when no seed flag is given. */
const DEFAULT_SWARM_SEEDS = 20;

/** The swarm seeds: `--seed-range A..B`, or `--seeds N` counting up from `--base-seed` (random when absent). */
function swarmSeeds(flags: SwarmFlags, io: CliIo): number[] {
  if (flags.seedRange !== undefined) {
    const { first, last } = parseSeedRange(flags.seedRange);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  }
  const count = flags.seeds !== undefined ? parsePositiveInt('--seeds', flags.seeds) : DEFAULT_SWARM_SEEDS;
  const base = flags.baseSeed !== undefined ? parseSeedFlag('--base-seed', flags.baseSeed) : io.randomSeed();
  if (flags.baseSeed === undefined) io.stderr(`faultline: random base seed ${base}\n`);
  return Array.from({ length: count }, (_, i) => base + i);
}

/** Runs the `swarm` command; returns the exit code (as `sweep`'s). */
export async function swarmCommand(
  flags: SwarmFlags,
  io: CliIo,
  builtins: readonly AnyWorkload[],
  version: string,
): Promise<number> {
  const seeds = swarmSeeds(flags, io);
  const { registry } = await pluginRegistry(builtins, pluginRequests(flags.plugin));
  ensureFolder(flags.specDir);
  const profile = flags.quick ? SWARM_PROFILES.quick : SWARM_PROFILES.full;
  const corpus: string[] = [
    '# faultline swarm: each generated spec with its seed (faultline sweep --seeds-file)',
  ];
  for (const seed of seeds) {
    const file = path.join(flags.specDir, `swarm-${seed}.toml`);
    writeOutputFile(file, generateSwarmSpec(seed, registry, profile).toml, 'choose another --spec-dir');
    corpus.push(`${file} ${seed}`);
  }
  const seedsFile = path.join(flags.specDir, 'swarm-seeds.txt');
  writeOutputFile(seedsFile, `${corpus.join('\n')}\n`, 'choose another --spec-dir');
  io.stderr(`faultline: wrote ${seeds.length} swarm specs to ${flags.specDir} (listed in ${seedsFile})\n`);
  const {
    seeds: _n,
    baseSeed: _b,
    seedRange: _r,
    seedsFile: _f,
    specDir: _d,
    quick: _q,
    ...sweepFlags
  } = flags;
  return sweepCommand([], { ...sweepFlags, seedsFile }, io, builtins, version);
}
