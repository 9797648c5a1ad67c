// The negative specs: every planted bug has a spec in tests/negative/ that catches it, and so has each
// workload bug of the example plugins (an option line marked `# planted workload bug`). For each spec,
// seeds 1..8 are run in-process (runSpec, much faster than the command line) until one run fails; the
// same spec with its bug line removed must then pass on that seed, so the failure is the
// bug's doing and not the chaos's or a workload's false alarm. One command-line run checks that a
// caught bug exits with code 1, as a user or CI sees it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequests } from '../../src/cli/plugin-flags.js';
import { isPlantedBug, PLANTED_BUGS } from '../../src/cluster/planted-bugs.js';
import type { RunResult } from '../../src/run/result.js';
import { runSpec } from '../../src/run/run-spec.js';
import { parseSpec } from '../../src/spec/index.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { pluginRegistry } from '../../src/workload/plugin-loader.js';
import { builtinWorkloads } from '../../workloads/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NEGATIVE = path.join(ROOT, 'tests', 'negative');
const BIN = path.join(ROOT, 'bin', 'faultline.js');
/** Seeds tried per spec, in order, until one run fails. */
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
/** A `plantedBug = '...'` line of `[configuration]`. */
const PLANTED_LINE = /^[ \t]*plantedBug[ \t]*=[ \t]*'([^']*)'[ \t]*(#.*)?$/gm;
/** An example plugin's bug: an option line marked `# planted workload bug`. */
const WORKLOAD_BUG_LINE = /^[ \t]*(\w+[ \t]*=[^#\n]*?)[ \t]*#[ \t]*planted workload bug[^\n]*$/gm;

interface NegativeSpec {
  /** File name, e.g. `StorageSkipsRollback.toml`. */
  readonly name: string;
  /** Path relative to the repository root (as a user names it). */
  readonly file: string;
  readonly text: string;
  /** The bug the spec switches on: a planted cluster bug, or a workload option (`logOperations = false`). */
  readonly bug: string;
  /** A planted bug of the cluster, or a bug of an example plugin switched on by an option. */
  readonly kind: 'cluster' | 'workload';
  /** The same spec without its plantedBug line. */
  readonly withoutBug: string;
}

function loadNegativeSpecs(): NegativeSpec[] {
  return readdirSync(NEGATIVE)
    .filter((f) => f.endsWith('.toml'))
    .sort()
    .map((name) => {
      const file = path.join('tests', 'negative', name);
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const bugs = [...text.matchAll(PLANTED_LINE)].map((m) => m[1]!);
      const workloadBugs = [...text.matchAll(WORKLOAD_BUG_LINE)].map((m) => m[1]!.trim());
      if (bugs.length + workloadBugs.length !== 1) {
        throw new Error(`${file}: expected one plantedBug line or one '# planted workload bug' line`);
      }
      if (workloadBugs.length === 1) {
        const withoutBug = text.replace(WORKLOAD_BUG_LINE, '');
        return { name, file, text, bug: workloadBugs[0]!, kind: 'workload' as const, withoutBug };
      }
      return {
        name,
        file,
        text,
        bug: bugs[0]!,
        kind: 'cluster' as const,
        withoutBug: text.replace(PLANTED_LINE, ''),
      };
    });
}

/** Runs spec text as `file` with `seed`, in-process, with every built-in workload and the spec's plugins. */
async function run(text: string, file: string, seed: number): Promise<RunResult> {
  const spec = parseSpec(text, path.join(ROOT, file));
  return runSpec({
    spec,
    specPath: file,
    seed,
    registry: (await pluginRegistry(builtinWorkloads, pluginRequests([], spec))).registry,
    traceSink: new TraceWriter({ memory: false }),
    // Healthy runs of these specs end within a few hundred simulated seconds; a hang fails fast.
    maxSimSeconds: 1500,
  });
}

/** One line per failure, for assertion messages. */
function reasons(r: RunResult): string {
  const lines = r.failures
    .slice(0, 5)
    .map((f) => `${f.type}${f.workload ? ` (${f.workload})` : ''}: ${f.reason}`);
  if (r.didNotFinish) lines.push(`did not finish: ${r.didNotFinish.reason}`);
  return lines.join('; ') || '(none)';
}

const specs = loadNegativeSpecs();
/** The first failing seed of each spec, for the command-line check. */
const caughtAt = new Map<string, number>();

describe('tests/negative', () => {
  it('holds one spec per planted bug, each naming a real bug', () => {
    const cluster = specs.filter((s) => s.kind === 'cluster');
    for (const s of cluster) expect(isPlantedBug(s.bug), `${s.file}: unknown bug '${s.bug}'`).toBe(true);
    expect(cluster.map((s) => s.bug).sort()).toEqual(Object.keys(PLANTED_BUGS).sort());
  });

  for (const s of specs) {
    it(`${s.name} catches ${s.bug}, and passes on the same seed without it`, async () => {
      const tried: string[] = [];
      let caught: { seed: number; result: RunResult } | undefined;
      for (const seed of SEEDS) {
        const r = await run(s.text, s.file, seed);
        if (s.kind === 'cluster') expect(r.config.plantedBug).toBe(s.bug);
        if (r.outcome === 'failed') {
          caught = { seed, result: r };
          break;
        }
        tried.push(`seed ${seed}: ${r.outcome}${r.didNotFinish ? ` (${r.didNotFinish.reason})` : ''}`);
      }
      expect(
        caught,
        `${s.file} did not catch ${s.bug} on seeds ${SEEDS.join(',')}: ${tried.join('; ')}`,
      ).toBeDefined();
      const { seed, result } = caught!;
      expect(result.failures.length).toBeGreaterThan(0);
      caughtAt.set(s.name, seed);

      const clean = await run(s.withoutBug, s.file, seed);
      expect(clean.config.plantedBug).toBeUndefined();
      expect(
        clean.outcome,
        `${s.file} without ${s.bug} must pass on seed ${seed} (with the bug it failed: ${reasons(result)}); ` +
          `without it: ${reasons(clean)}`,
      ).toBe('passed');
    });
  }
});

describe('faultline run on a negative spec', () => {
  let dir = '';
  beforeAll(() => {
    if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
      throw new Error('the package is not built: run `npm run build` before the e2e tests');
    }
    dir = mkdtempSync(path.join(tmpdir(), 'faultline-negative-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1 when the planted bug is caught', async () => {
    // The cheapest spec that caught its bug above (the in-process runs come first in file order).
    const name = 'TLogAcksBeforeFsync.toml';
    let seed = caughtAt.get(name);
    if (seed === undefined) {
      // This test was run alone: find the seed the in-process test would have found.
      const s = specs.find((x) => x.name === name)!;
      for (const candidate of SEEDS) {
        if ((await run(s.text, s.file, candidate)).outcome === 'failed') {
          seed = candidate;
          break;
        }
      }
    }
    expect(seed, `${name} did not catch its bug in-process, so there is no seed to run`).toBeDefined();
    const r = spawnSync(
      process.execPath,
      [BIN, 'run', path.join('tests', 'negative', name), '--seed', String(seed), '--trace-dir', dir],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
        timeout: 120_000,
      },
    );
    expect(r.stdout).toContain('FAIL');
    expect(r.status).toBe(1);
  });
});
