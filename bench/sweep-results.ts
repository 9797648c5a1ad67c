// Runs `faultline sweep` as a child process and reads its --results file: the bench harnesses that
// measure catching power (bench/detection.ts, bench/mutation/run.ts) count outcomes from it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One run of a sweep, as its results file records it (the fields the benches read). */
export interface SweepRun {
  readonly spec: string;
  readonly seed: number;
  readonly outcome: 'passed' | 'failed' | 'did-not-finish' | string;
  readonly message?: string;
  readonly wallSeconds?: number;
  readonly sometimes?: readonly { readonly name?: string; readonly hit?: boolean }[];
}

export interface SweepOptions {
  /** The checkout whose bin/faultline.js and dist/ run the sweep. */
  readonly root: string;
  readonly specs: readonly string[];
  /** Seeds `first`..`first + count - 1`. */
  readonly first: number;
  readonly count: number;
  readonly jobs: number;
  /** Extra command-line flags (e.g. `--no-oracle`, `--max-failures 1`). */
  readonly extra?: readonly string[];
  /** Wall seconds a run may take before the sweep ends it. */
  readonly timeout?: number;
}

/** Runs the sweep and returns its runs sorted by spec and seed, plus the wall seconds it took. */
export function sweep(o: SweepOptions): { runs: SweepRun[]; wallSeconds: number; exitCode: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-bench-'));
  const results = path.join(dir, 'results.jsonl');
  const started = process.hrtime.bigint();
  try {
    const r = spawnSync(
      process.execPath,
      [
        path.join(o.root, 'bin', 'faultline.js'),
        'sweep',
        ...o.specs,
        '--seeds',
        String(o.count),
        '--base-seed',
        String(o.first),
        '--jobs',
        String(o.jobs),
        '--timeout',
        String(o.timeout ?? 300),
        '--keep-traces',
        'none',
        '--trace-dir',
        dir,
        '--results',
        results,
        ...(o.extra ?? []),
      ],
      { cwd: o.root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 },
    );
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    let text = '';
    try {
      text = readFileSync(results, 'utf8');
    } catch {
      throw new Error(`faultline sweep wrote no results (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
    }
    const runs = text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as SweepRun & { kind: string })
      .filter((x) => x.kind === 'run')
      .sort((a, b) => (a.spec < b.spec ? -1 : a.spec > b.spec ? 1 : a.seed - b.seed));
    return { runs, wallSeconds, exitCode: r.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of `xs` (undefined when empty). */
export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The spec text with the oracle turned off (`oracle = false` in `[configuration]`), for the benches'
 * runs without it: copies of the specs work with any build that has the oracle key.
 */
export function withoutOracle(text: string): string {
  const header = /^\[configuration\][ \t]*(#.*)?$/m;
  if (header.test(text)) return text.replace(header, (h) => `${h}\noracle = false`);
  return `[configuration]\noracle = false\n\n${text}`;
}
