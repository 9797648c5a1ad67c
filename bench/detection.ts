// Detection bench: how well the negative specs catch their planted bugs, and that they do not fail
// without them. For every spec in tests/negative/ with a `plantedBug` line:
//   - seeds 1..N with the bug: the first catching seed, the catch share, and the median seeds to catch
//     (for every start seed s in 1..N, the number of seeds s, s+1, ... run until the first catch; starts
//     with no catch up to N are left out and counted as "no catch ahead");
//   - seeds 1..M of the same spec without its plantedBug line (and without expectFailure): every run
//     that does not pass is a false failure, and must be 0.
// Full mode is N = 200, M = 1,000. Run with
//   npm run build && nice -n 10 node dist/bench/detection.js [--seeds N] [--clean-seeds M] [--jobs J]
//     [--only NameSubstring] [--no-oracle]
// Prints a table, then one JSON line.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type SweepRun, sweep, withoutOracle } from './sweep-results.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PLANTED_LINE = /^[ \t]*plantedBug[ \t]*=[ \t]*'([^']*)'[ \t]*(#.*)?$/m;
const EXPECT_LINE = /^[ \t]*expectFailure[ \t]*=.*$/m;

interface Args {
  readonly seeds: number;
  readonly cleanSeeds: number;
  readonly jobs: number;
  readonly only: string | undefined;
  /** Pass --no-oracle to every run: the workloads alone. */
  readonly noOracle: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let seeds = 200;
  let cleanSeeds = 1000;
  let jobs = 2;
  let only: string | undefined;
  let noOracle = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seeds') seeds = Number(argv[++i]);
    else if (a === '--clean-seeds') cleanSeeds = Number(argv[++i]);
    else if (a === '--jobs') jobs = Number(argv[++i]);
    else if (a === '--only') only = argv[++i];
    else if (a === '--no-oracle') noOracle = true;
    else throw new Error(`unknown argument '${a}'`);
  }
  return { seeds, cleanSeeds, jobs, only, noOracle };
}

export interface Detection {
  readonly spec: string;
  readonly bug: string;
  readonly seeds: number;
  readonly caught: number;
  readonly firstSeed: number | undefined;
  readonly medianSeedsToCatch: number | undefined;
  readonly cleanSeeds: number;
  readonly falseFailures: number;
  readonly falseFailureSeeds: number[];
}

/** Seeds run from each start until the first caught seed (starts with none ahead are left out). */
export function seedsToCatch(caught: readonly boolean[]): number[] {
  const out: number[] = [];
  let next = -1;
  for (let i = caught.length - 1; i >= 0; i--) {
    if (caught[i]) next = i;
    if (next >= 0) out.push(next - i + 1);
  }
  return out;
}

function measure(file: string, args: Args, scratch: string): Detection {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const bug = PLANTED_LINE.exec(text)![1]!;
  const base = {
    root: ROOT,
    first: 1,
    jobs: args.jobs,
    extra: ['--buggify', 'off', ...(args.noOracle ? ['--no-oracle'] : [])],
  };
  const oracleOff = (t: string) => (args.noOracle ? withoutOracle(t) : t);
  const buggy = path.join(scratch, `bug-${path.basename(file)}`);
  writeFileSync(buggy, oracleOff(text));
  const withBug = args.seeds > 0 ? sweep({ ...base, specs: [buggy], count: args.seeds }).runs : [];
  const caught = withBug.map((r: SweepRun) => r.outcome === 'failed');
  const clean = path.join(scratch, path.basename(file));
  writeFileSync(clean, oracleOff(text.replace(PLANTED_LINE, '').replace(EXPECT_LINE, '')));
  const without = args.cleanSeeds > 0 ? sweep({ ...base, specs: [clean], count: args.cleanSeeds }).runs : [];
  const bad = without.filter((r) => r.outcome !== 'passed');
  const first = withBug.find((r) => r.outcome === 'failed');
  return {
    spec: file,
    bug,
    seeds: withBug.length,
    caught: caught.filter(Boolean).length,
    firstSeed: first?.seed,
    medianSeedsToCatch: median(seedsToCatch(caught)),
    cleanSeeds: without.length,
    falseFailures: bad.length,
    falseFailureSeeds: bad.map((r) => r.seed),
  };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const dir = path.join(ROOT, 'tests', 'negative');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.toml') && (!args.only || f.includes(args.only)))
    .sort()
    .map((f) => path.join('tests', 'negative', f))
    .filter((f) => PLANTED_LINE.test(readFileSync(path.join(ROOT, f), 'utf8')));
  const scratch = mkdtempSync(path.join(tmpdir(), 'faultline-detection-'));
  const rows: Detection[] = [];
  try {
    console.log(
      `seeds with the bug: 1..${args.seeds}; without it: 1..${args.cleanSeeds}; jobs ${args.jobs}; oracle ${args.noOracle ? 'off' : 'as built'}`,
    );
    console.log('| spec | bug | first seed | median seeds to catch | caught | false failures |');
    console.log('|---|---|---|---|---|---|');
    for (const f of files) {
      const d = measure(f, args, scratch);
      rows.push(d);
      const share =
        d.seeds > 0 ? `${d.caught}/${d.seeds} (${Math.round((100 * d.caught) / d.seeds)} %)` : '-';
      const falses = `${d.falseFailures}/${d.cleanSeeds}${d.falseFailures > 0 ? ` (seeds ${d.falseFailureSeeds.join(',')})` : ''}`;
      console.log(
        `| \`${path.basename(f)}\` | ${d.bug} | ${d.firstSeed ?? 'none'} | ${d.medianSeedsToCatch ?? '-'} | ${share} | ${falses} |`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ bench: 'detection', node: process.version, ...args, rows }));
}

main();
