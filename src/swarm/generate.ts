// The swarm spec generator (swarm testing, as TigerBeetle's and FoundationDB's randomized test selection):
// from a seed, a random but valid spec stacking application workloads with chaos workloads, a random
// [configuration] and random [[test]] keys, printed as TOML a person can read and re-run. Every choice
// comes from the seed and the registry's option schemas, so one seed always gives the same text.
import { Random } from '../core/random.js';
import type { OptionSchema } from '../workload/options.js';
import type { AnyWorkload, Registry } from '../workload/registry.js';
import { randomOptions, SWARM_PROFILES, type SwarmProfile, type SwarmValue } from './options.js';
import { tomlKey, tomlValue } from './toml-text.js';

/** One workload of a generated spec. */
export interface SwarmWorkload {
  readonly testName: string;
  readonly options: ReadonlyMap<string, SwarmValue>;
}

/** One `[[test]]` of a generated spec. */
export interface SwarmTest {
  readonly keys: ReadonlyMap<string, SwarmValue>;
  readonly workloads: readonly SwarmWorkload[];
}

/** A generated spec: its TOML text and what was chosen. */
export interface SwarmSpec {
  readonly seed: number;
  readonly toml: string;
  readonly configuration: ReadonlyMap<string, SwarmValue>;
  readonly tests: readonly SwarmTest[];
  readonly buggify: boolean;
  /** The profile it was made with (`full` unless asked otherwise). */
  readonly profile: SwarmProfile['name'];
}

/** Application workloads a swarm test may stack. */
export const SWARM_APPLICATIONS = { min: 1, max: 4 } as const;
/** Chaos workloads a swarm test may stack. */
export const SWARM_CHAOS = { min: 0, max: 5 } as const;
/** `[[test]]` blocks of a (full-profile) swarm spec. */
export const SWARM_TESTS = { min: SWARM_PROFILES.full.tests[0], max: SWARM_PROFILES.full.tests[1] } as const;

/**
 * Generates the swarm spec of `seed` from the workloads of `registry`: 1–4 application workloads and
 * 0–5 chaos workloads per `[[test]]` (1–3 of them), random options within their bounds, a random
 * `[configuration]` and BUGGIFY, sized by `profile` (see SWARM_PROFILES). Throws only when the registry
 * has no application workload.
 */
export function generateSwarmSpec(
  seed: number,
  registry: Registry,
  profile: SwarmProfile = SWARM_PROFILES.full,
): SwarmSpec {
  const random = new Random(`swarm:${seed}`);
  const apps = registry.list().filter((w) => w.kind === 'application');
  const chaos = registry.list().filter((w) => w.kind === 'chaos');
  if (apps.length === 0) throw new RangeError('the registry has no application workload to stack');
  const configuration = randomConfiguration(random.fork('configuration'));
  const buggify = configuration.get('buggify') === true;
  const testCount = random.int(profile.tests[0], profile.tests[1] + 1);
  const tests: SwarmTest[] = [];
  for (let i = 0; i < testCount; i++) {
    const last = i === testCount - 1;
    tests.push(randomTest({ index: i, last, random: random.fork(`test:${i}`), apps, chaos, profile }));
  }
  const toml = printSpec(seed, profile, configuration, tests);
  return { seed, toml, configuration, tests, buggify, profile: profile.name };
}

/** A random cluster: replication, machines, processes, coordinators, roles, engine, BUGGIFY. */
function randomConfiguration(random: Random): Map<string, SwarmValue> {
  const replication = random.pick(['single', 'double', 'double', 'triple'] as const);
  const copies = { single: 1, double: 2, triple: 3 }[replication];
  // Enough zones to keep full replication with one machine down: kills can then be allowed.
  const machineCount = random.int(Math.max(3, copies + 2), 9);
  const c = new Map<string, SwarmValue>();
  c.set('config', replication);
  c.set('machineCount', machineCount);
  c.set('processesPerMachine', random.int(1, 4));
  c.set('coordinators', copies === 1 ? 1 : random.pick(machineCount >= 5 ? [3, 5] : [3]));
  c.set('desiredTLogCount', random.int(1, Math.min(4, machineCount) + 1));
  c.set('commitProxyCount', random.int(1, 4));
  c.set('grvProxyCount', random.int(1, 3));
  c.set('resolverCount', random.int(1, 3));
  c.set('storageEngineType', random.int(0, 2));
  c.set('buggify', random.chance(0.5));
  return c;
}

/** One `[[test]]`: its keys and a random stack of distinct application and chaos workloads. */
function randomTest(draw: {
  readonly index: number;
  readonly last: boolean;
  readonly random: Random;
  readonly apps: readonly AnyWorkload[];
  readonly chaos: readonly AnyWorkload[];
  readonly profile: SwarmProfile;
}): SwarmTest {
  const { index, last, random, apps, chaos, profile } = draw;
  const nApps = random.int(SWARM_APPLICATIONS.min, Math.min(SWARM_APPLICATIONS.max, apps.length) + 1);
  let nChaos = random.int(SWARM_CHAOS.min, Math.min(SWARM_CHAOS.max, chaos.length) + 1);
  // Distinct workloads, at most one of each key family (their keys would overlap).
  const families = new Set<string>();
  let picked = random.shuffle(apps).filter((w) => {
    if (w.keySpace === undefined) return true;
    if (families.has(w.keySpace)) return false;
    families.add(w.keySpace);
    return true;
  });
  picked = picked.slice(0, nApps);
  // Company the picked workloads' checks assume (their `stacking`): the first picked decides for 'alone'.
  const alone = picked.find((w) => w.stacking === 'alone');
  if (alone) picked = [alone];
  const calm = picked.some((w) => w.stacking === 'calm');
  if (calm) nChaos = 0;
  const chosen = [...picked, ...random.shuffle(chaos).slice(0, nChaos)];
  const workloads = chosen.map((w) => ({
    testName: w.name,
    options: checkedOptions(w, random.fork(`options:${w.name}`), profile),
  }));
  const keys = new Map<string, SwarmValue>();
  keys.set('testTitle', `Swarm${index + 1}`);
  // Data left behind would be read by the next test's workloads as theirs: only the last test keeps it.
  if (random.chance(0.3)) keys.set('clearAfterTest', last ? random.chance(0.5) : true);
  if (random.chance(0.3)) keys.set('runConsistencyCheck', random.chance(0.7));
  if (random.chance(0.2)) keys.set('runSetup', true);
  if (random.chance(0.2)) keys.set('checkOnly', false);
  if (random.chance(0.2)) keys.set('waitForQuiescenceBegin', random.chance(0.5));
  if (random.chance(0.2)) keys.set('waitForQuiescenceEnd', random.chance(0.5));
  if (calm) {
    keys.set('runFailureWorkloads', false);
    keys.set('connectionFailuresDisableDuration', 100000);
  } else if (random.chance(0.2)) keys.set('runFailureWorkloads', random.chance(0.7));
  return { keys, workloads };
}

/** Tries for random options a workload's `check` accepts (values in bounds can still be nonsense together). */
const OPTION_DRAWS = 10;

/**
 * Random options for `w` that its `check` accepts: the first draw, else a fresh one (up to OPTION_DRAWS),
 * else none (its defaults). Cycle's nodeCount 2 is one such combination: swarm seeds 1017 and 1095.
 */
function checkedOptions(w: AnyWorkload, random: Random, profile: SwarmProfile): Map<string, SwarmValue> {
  for (let draw = 0; draw < OPTION_DRAWS; draw++) {
    const options = randomOptions(w.options, draw === 0 ? random : random.fork(`draw:${draw}`), profile);
    if (!w.check) return options;
    const values: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(w.options as OptionSchema)) values[name] = spec.default;
    for (const [name, v] of options) values[name] = v;
    if (!w.check(values)) return options;
  }
  return new Map();
}

/** The spec as TOML: a header naming the seed, `[configuration]`, then each `[[test]]`. */
function printSpec(
  seed: number,
  profile: SwarmProfile,
  configuration: ReadonlyMap<string, SwarmValue>,
  tests: readonly SwarmTest[],
) {
  const made = profile.name === 'full' ? '' : ` (${profile.name} profile)`;
  const lines = [
    `# Swarm spec of seed ${seed}${made}: generated by faultline from its workloads' option schemas.`,
    '# Re-run it as any spec; every value below is within its documented bounds.',
    '[configuration]',
  ];
  for (const [k, v] of configuration) lines.push(`${tomlKey(k)} = ${tomlValue(v)}`);
  for (const t of tests) {
    lines.push('', '[[test]]');
    for (const [k, v] of t.keys) lines.push(`${tomlKey(k)} = ${tomlValue(v)}`);
    for (const w of t.workloads) {
      lines.push('', '    [[test.workload]]', `    testName = ${tomlValue(w.testName)}`);
      for (const [k, v] of w.options) lines.push(`    ${tomlKey(k)} = ${tomlValue(v)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
