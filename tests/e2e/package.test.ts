// faultline as npm users get it: `npm pack` (no benches in the tarball), installed into an empty scratch
// project, where a scaffolded plugin that imports 'faultline' type-checks against the shipped declarations
// and runs, the reproduce line is `npx faultline ...`, and the shipped specs run by their names.
// Needs `npm run build` (the tarball carries dist/) and the runtime dependencies in the npm cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let scratch = '';
let project = '';
let packedFiles: string[] = [];

function npm(args: readonly string[], cwd: string): string {
  return execFileSync(NPM, [...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

function faultline(...args: string[]): { code: number; out: string; err: string } {
  const bin = path.join(project, 'node_modules', 'faultline', 'bin', 'faultline.js');
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'index.d.ts'))) {
    throw new Error('the package is not built: run `npm run build` before the package test');
  }
  scratch = mkdtempSync(path.join(tmpdir(), 'faultline-pack-'));
  // --ignore-scripts: dist/ is already built; prepare would only build it again.
  const packed = JSON.parse(
    npm(['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT),
  ) as {
    filename: string;
    files: { path: string }[];
  }[];
  packedFiles = packed[0]!.files.map((f) => f.path);
  project = path.join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(
    path.join(project, 'package.json'),
    '{ "name": "scratch", "private": true, "type": "module" }\n',
  );
  npm(
    ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(scratch, packed[0]!.filename)],
    project,
  );
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('carries the license, the declarations and the specs, and no benches or unit tests', () => {
    expect(packedFiles).toContain('LICENSE');
    expect(packedFiles).toContain('dist/src/index.d.ts');
    expect(packedFiles).toContain('tests/fast/CycleTest.toml');
    expect(packedFiles.filter((f) => f.startsWith('dist/bench') || f.startsWith('bench/'))).toEqual([]);
    expect(packedFiles.filter((f) => f.startsWith('tests/unit') || f.startsWith('src/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  it('scaffolds a plugin that type-checks against the shipped types and runs, from the command line and from code', () => {
    expect(faultline('new', 'workload', 'Ledger', '--dir', 'plugins').code).toBe(0);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          types: [],
        },
        include: ['plugins', 'sim-check.ts'],
      }),
    );
    // A simulation from the user's own code, through the faultline/testing export.
    writeFileSync(
      path.join(project, 'sim-check.ts'),
      "import { runSpec } from 'faultline/testing';\n" +
        "const r = await runSpec({ spec: 'plugins/Ledger.toml', seed: 1 });\n" +
        'const passed: boolean = r.passed;\n' +
        'console.log(JSON.stringify({ passed, reproduce: r.reproduce }));\n',
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const ok = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: project, encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // A mistake in the plugin is a type error: the option values are typed from the schema.
    const source = readFileSync(path.join(project, 'plugins', 'Ledger.ts'), 'utf8');
    writeFileSync(
      path.join(project, 'plugins', 'Typo.ts'),
      source.replace('options.testDuration;', 'options.testDurations;'),
    );
    const typo = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: project, encoding: 'utf8' });
    expect(typo.stdout).toMatch(/Typo\.ts\(\d+,\d+\): error TS\d+: Property 'testDurations' does not exist/);
    rmSync(path.join(project, 'plugins', 'Typo.ts'));

    const r = faultline('run', 'plugins/Ledger.toml', '--seed', '1');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('Reproduce: npx faultline run plugins/Ledger.toml --seed 1');
    const tsx = path.join(project, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const api = spawnSync(process.execPath, [tsx, 'sim-check.ts'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(api.stderr).toBe('');
    expect(JSON.parse(api.stdout)).toEqual({
      passed: true,
      reproduce: 'npx faultline run plugins/Ledger.toml --seed 1',
    });
  });

  it('runs a shipped spec by its name from a project that has no such file', () => {
    const r = faultline('run', 'tests/fast/CycleTest.toml', '--seed', '1', '--max-sim-seconds', '1');
    expect(r.err).toContain(
      "tests/fast/CycleTest.toml is not in this folder; running faultline's own copy at",
    );
    expect(r.code).toBe(3); // one simulated second is not enough to finish: the spec was found and ran
  });
});
