// Seed sweeps through the real command line: `faultline sweep` with one worker (vitest already runs two
// test files at once on the two cores), no traces kept, and its results file read back, so the tests
// that sweep seeds exercise the sweep users run and report each failure with its reproduce command.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { faultlineAsync } from './faultline-cli.js';

/** One run as the results file records it (the fields the tests read). */
export interface SweptRun {
  readonly spec: string;
  readonly seed: number;
  readonly buggify: boolean;
  readonly outcome: string;
  readonly verdict: string;
  readonly message?: string;
  readonly reproduce: string;
}

/** How a sweep ended: its exit code, its output, and every run. */
export interface Swept {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly runs: readonly SweptRun[];
}

/** What the sweep needs: specs or folders, and a seed plan (`seeds` or `corpus`). */
export interface SweepRequest {
  readonly specs: readonly string[];
  /** `spec seed [on|off]` lines, written to a seeds file. */
  readonly corpus?: readonly string[];
  /** Other flags (`--seed-range`, `--buggify`, `--max-sim-seconds`, ...). */
  readonly flags?: readonly string[];
  readonly timeoutMs?: number;
}

/** Runs `faultline sweep` with one worker and returns its runs from the results file. */
export async function sweepThroughCli(req: SweepRequest): Promise<Swept> {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-test-sweep-'));
  try {
    const results = path.join(dir, 'results.jsonl');
    const seedsFile = path.join(dir, 'seeds.txt');
    if (req.corpus) writeFileSync(seedsFile, `${req.corpus.join('\n')}\n`);
    const args = [
      'sweep',
      ...req.specs,
      ...(req.corpus ? ['--seeds-file', seedsFile] : []),
      ...(req.flags ?? []),
      ...['--jobs', '1', '--keep-traces', 'none', '--results', results, '--trace-dir', dir],
    ];
    const r = await faultlineAsync(args, {}, req.timeoutMs);
    const lines = readFileSync(results, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string } & SweptRun);
    return { ...r, runs: lines.filter((l) => l.kind === 'run') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The runs that did not pass (a negative spec's caught bug passes), one line each with its command. */
export function notPassed(runs: readonly SweptRun[]): string[] {
  return runs
    .filter((r) => r.verdict !== 'passed' && r.verdict !== 'caught')
    .map((r) => `${r.reproduce}: ${r.verdict}: ${r.message ?? r.outcome}`);
}
