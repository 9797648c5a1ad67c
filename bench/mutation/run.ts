// Mutation harness: how much power the general battery has against small, realistic defects in
// src/cluster/ that no spec was written for. For every mutant of mutants.json it copies the built tree
// to a temporary folder, applies the mutant's text patch to its source file, compiles that file over its
// twin in dist/, and runs the battery with `faultline sweep` (stopping at the first failed run): without
// the oracle (`oracle = false` in copies of the specs), then with it for the mutants that run missed (all
// of them with --oracle-all); a build without the oracle runs once. A mutant whose snippet no longer
// matches is reported as stale. The unmutated tree must pass the battery first.
//
//   npm run build && nice -n 10 node dist/bench/mutation/run.js [--seeds N] [--base-seed B] [--jobs J] [--only id,id]
//     [--from I --to J] [--out results.json] [--oracle-all]
//
// Prints a Markdown table, then one JSON line. Results go into docs/benchmarks.md by hand.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SPEC_TEXT } from '../../src/run/default-spec.js';
import { type SweepRun, sweep, withoutOracle } from '../sweep-results.js';
import { applyMutant, loadMutants, type Mutant } from './mutants.js';
import { transpile } from './transpile.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The battery: fast specs whose workloads check data, and the default spec (written to default.toml). */
export const BATTERY = [
  'tests/fast/VersionStamp.toml',
  'tests/fast/ApiCorrectness.toml',
  'tests/fast/ConflictRange.toml',
  'tests/fast/AtomicOps.toml',
  'tests/fast/Watches.toml',
  'tests/fast/Sideband.toml',
  'tests/fast/VersionStampBatch.toml',
  'tests/fast/SelectorCorrectness.toml',
  'tests/fast/RandomSelector.toml',
  'tests/fast/CycleShardBoundaries.toml',
  'default.toml',
] as const;

interface Args {
  readonly seeds: number;
  /** The first seed of the battery's seeds. */
  readonly base: number;
  readonly jobs: number;
  readonly only: readonly string[] | undefined;
  readonly from: number;
  readonly to: number;
  readonly out: string | undefined;
  readonly oracleAll: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let seeds = 2;
  let base = 1;
  let jobs = 2;
  let only: string[] | undefined;
  let from = 1;
  let to = Number.POSITIVE_INFINITY;
  let out: string | undefined;
  let oracleAll = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seeds') seeds = Number(argv[++i]);
    else if (a === '--base-seed') base = Number(argv[++i]);
    else if (a === '--jobs') jobs = Number(argv[++i]);
    else if (a === '--only') only = argv[++i]!.split(',');
    else if (a === '--from') from = Number(argv[++i]);
    else if (a === '--to') to = Number(argv[++i]);
    else if (a === '--out') out = argv[++i];
    else if (a === '--oracle-all') oracleAll = true;
    else throw new Error(`unknown argument '${a}'`);
  }
  return { seeds, base, jobs, only, from, to, out, oracleAll };
}

/** A copy of the built tree to mutate: bin, dist, the battery's specs; node_modules linked. */
function scratchTree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-mutation-'));
  for (const p of ['bin', 'dist', 'package.json', 'tests/fast']) {
    cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'default.toml'), DEFAULT_SPEC_TEXT);
  // The same battery with the oracle off, for the runs without it.
  mkdirSync(path.join(dir, 'no-oracle', 'tests', 'fast'), { recursive: true });
  for (const spec of BATTERY) {
    const text = readFileSync(path.join(dir, spec), 'utf8');
    writeFileSync(path.join(dir, 'no-oracle', spec), withoutOracle(text));
  }
  mkdirSync(path.join(dir, 'traces'), { recursive: true });
  return dir;
}

function hasOracle(tree: string): boolean {
  const r = spawnSync(process.execPath, [path.join(tree, 'bin', 'faultline.js'), 'run', '--help'], {
    encoding: 'utf8',
  });
  return r.stdout.includes('--no-oracle');
}

/** What the battery did: the first failed run (lowest seed of the first failing spec), or none. */
interface Battery {
  readonly caught: boolean;
  readonly first?: { spec: string; seed: number; outcome: string; message: string };
  readonly runs: number;
  readonly wallSeconds: number;
  /** Not run: taken from the run without the oracle, which the workloads already failed. */
  readonly inferred?: boolean;
}

function battery(tree: string, args: Args, oracle: boolean): Battery {
  const { runs, wallSeconds } = sweep({
    root: tree,
    specs: oracle ? BATTERY : BATTERY.map((s) => path.join('no-oracle', s)),
    first: args.base,
    count: args.seeds,
    jobs: args.jobs,
    timeout: 240,
    extra: ['--max-failures', '1', '--max-sim-seconds', '1500'],
  });
  const bad = runs.filter((r: SweepRun) => r.outcome !== 'passed');
  const f = bad[0];
  return {
    caught: bad.length > 0,
    ...(f
      ? {
          first: { spec: f.spec, seed: f.seed, outcome: f.outcome, message: (f.message ?? '').slice(0, 120) },
        }
      : {}),
    runs: runs.length,
    wallSeconds,
  };
}

interface MutantResult {
  readonly id: string;
  readonly file: string;
  readonly defect: string;
  readonly applies: boolean;
  readonly stale?: string;
  readonly withOracle?: Battery;
  readonly withoutOracle?: Battery;
}

function runMutant(m: Mutant, tree: string, args: Args, oracle: boolean): MutantResult {
  const base = { id: m.id, file: m.file, defect: m.defect };
  const patched = applyMutant(m, readFileSync(path.join(ROOT, m.file), 'utf8'));
  if (!patched.ok) return { ...base, applies: false, stale: patched.reason };
  const js = path.join(tree, 'dist', m.file.replace(/\.ts$/, '.js'));
  const original = readFileSync(js, 'utf8');
  try {
    writeFileSync(js, transpile(patched.text, m.file));
    const withoutOracle = battery(tree, args, false);
    // By default the battery runs again with the oracle only for mutants the workloads missed, and a
    // mutant they caught counts as caught with the oracle too (marked inferred). The oracle adds checks
    // but also changes the run (another unseed on the same seed), so --oracle-all measures it instead.
    const inferred = oracle && withoutOracle.caught && !args.oracleAll;
    const withOracle = !oracle
      ? undefined
      : inferred
        ? { ...withoutOracle, inferred: true }
        : battery(tree, args, true);
    return { ...base, applies: true, withoutOracle, ...(withOracle ? { withOracle } : {}) };
  } finally {
    writeFileSync(js, original);
  }
}

function cell(b: Battery | undefined): string {
  if (!b) return '-';
  if (!b.first) return `no (${b.runs} runs)`;
  const f = b.first;
  const how = `${f.outcome === 'failed' ? '' : ` (${f.outcome})`}${b.inferred ? ' (as without)' : ''}`;
  return `${f.spec.replace(/^(no-oracle\/)?tests\/fast\//, '').replace(/^no-oracle\//, '')} seed ${f.seed}${how}`;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const all = loadMutants(ROOT);
  const chosen = all.filter(
    (m, i) => (args.only ? args.only.includes(m.id) : true) && i + 1 >= args.from && i + 1 <= args.to,
  );
  const tree = scratchTree();
  const results: MutantResult[] = [];
  try {
    const oracle = hasOracle(tree);
    const clean = battery(tree, args, oracle);
    const cleanNoOracle = oracle ? battery(tree, args, false) : clean;
    console.log(
      `battery: ${BATTERY.join(', ')}; seeds ${args.base}..${args.base + args.seeds - 1}; jobs ${args.jobs}; oracle in this build: ${oracle ? 'yes' : 'no'}`,
    );
    for (const [label, c] of [
      [oracle ? 'with the oracle' : 'as built', clean],
      ...(oracle ? ([['without the oracle', cleanNoOracle]] as const) : []),
    ] as const) {
      const verdict = c.caught ? `FAILED ${cell(c)}: ${c.first?.message}` : 'passes';
      console.log(`unmutated tree ${label}: ${verdict} (${c.runs} runs, ${c.wallSeconds.toFixed(0)} s)`);
    }
    console.log('| # | mutant | file | applies | caught with oracle | caught without oracle |');
    console.log('|---|---|---|---|---|---|');
    for (const m of chosen) {
      const r = runMutant(m, tree, args, oracle);
      results.push(r);
      console.log(
        `| ${all.indexOf(m) + 1} | ${r.id} | ${path.basename(r.file)} | ${r.applies ? 'yes' : `STALE: ${r.stale}`} | ${cell(r.withOracle)} | ${cell(r.withoutOracle)} |`,
      );
      if (args.out)
        writeFileSync(args.out, JSON.stringify({ args, oracle, clean, cleanNoOracle, results }, null, 2));
    }
    const applied = results.filter((r) => r.applies);
    const share = (pick: (r: MutantResult) => Battery | undefined) => {
      const ran = applied.filter((r) => pick(r));
      return { caught: ran.filter((r) => pick(r)!.caught).length, of: ran.length };
    };
    const summary = {
      bench: 'mutation',
      node: process.version,
      seeds: args.seeds,
      mutants: results.length,
      stale: results.length - applied.length,
      withOracle: share((r) => r.withOracle),
      withoutOracle: share((r) => r.withoutOracle),
      cleanPasses: !clean.caught && !cleanNoOracle.caught,
    };
    console.log(JSON.stringify(summary));
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

main();
