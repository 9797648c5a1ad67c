// `faultline swarm` as a user runs it: random valid specs written to a folder, each swept with its own seed
// (200 quick-profile seeds among them, the swarm seeds npm test runs),
// the same seeds giving the same spec text, and the reproduce command replaying a spec.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { faultline, faultlineAsync } from '../support/faultline-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'faultline-swarm-'));
/** Quick swarm seeds in npm test (about 0.9 CPU s each, run by two sweep workers). */
const QUICK_SEEDS = 200;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('faultline swarm', () => {
  it('writes a readable spec per seed, sweeps each with its seed, and writes the same specs again', async () => {
    // Not blocking this worker: a swarm takes minutes, and a blocked worker cannot answer vitest.
    const specDir = path.join(dir, 'a');
    const args = ['swarm', '--seed-range', '2..4', '--jobs', '2', '--keep-traces', 'none'];
    const r = await faultlineAsync([...args, '--spec-dir', specDir, '--results', path.join(dir, 'a.jsonl')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(specDir).sort()).toEqual([
      'swarm-2.toml',
      'swarm-3.toml',
      'swarm-4.toml',
      'swarm-seeds.txt',
    ]);
    const records = readFileSync(path.join(dir, 'a.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; spec: string; seed: number; outcome: string })
      .filter((x) => x.kind === 'run');
    expect(records.map((x) => [path.basename(x.spec), x.seed]).sort()).toEqual([
      ['swarm-2.toml', 2],
      ['swarm-3.toml', 3],
      ['swarm-4.toml', 4],
    ]);
    const again = path.join(dir, 'b');
    await faultlineAsync([...args, '--spec-dir', again, '--max-failures', '1', '--seed-range', '3..3']);
    expect(readFileSync(path.join(again, 'swarm-3.toml'), 'utf8')).toBe(
      readFileSync(path.join(specDir, 'swarm-3.toml'), 'utf8'),
    );
    const replay = await faultlineAsync([
      'run',
      path.join(specDir, 'swarm-3.toml'),
      '--seed',
      '3',
      '--trace-dir',
      dir,
    ]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
  }, 240_000);

  it(`passes ${QUICK_SEEDS} quick-profile swarm seeds: random stacks of every workload, with no false failure`, async () => {
    const specDir = path.join(dir, 'quick');
    const results = path.join(dir, 'quick.jsonl');
    const r = await faultlineAsync([
      'swarm',
      '--quick',
      '--seed-range',
      `1..${QUICK_SEEDS}`,
      '--jobs',
      '2',
      '--keep-traces',
      'none',
      '--spec-dir',
      specDir,
      '--results',
      results,
    ]);
    const runs = readFileSync(results, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; outcome: string })
      .filter((x) => x.kind === 'run');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(runs.length).toBe(QUICK_SEEDS);
    expect(runs.filter((x) => x.outcome !== 'passed')).toEqual([]);
    expect(readFileSync(path.join(specDir, 'swarm-1.toml'), 'utf8')).toContain('(quick profile)');
  }, 900_000);

  it('refuses a bad seed plan with exit 2 before writing anything', () => {
    const specDir = path.join(dir, 'c');
    const r = faultline(['swarm', '--seed-range', '9..3', '--spec-dir', specDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--seed-range');
    expect(existsSync(specDir)).toBe(false);
  });
});
