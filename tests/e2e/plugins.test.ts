// Workload plugins as a user writes them: TS and JS files in a project folder that has faultline in its
// node_modules (a link to this checkout's built package, as `npm install` would leave it), loaded from a
// spec's plugins and from --plugin, listed, described, run, and every loading mistake reported as exit 2
// with a message naming the file. Needs `npm run build` (the package's exports point at dist/).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltinWorkloads } from '../../src/cli/builtins.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { AnyWorkload } from '../../src/workload/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let project = '';
let builtins: readonly AnyWorkload[] = [];

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the command line in-process, in the project folder. */
async function faultline(...args: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { NO_COLOR: '1' },
    isTTY: false,
    clock: () => 0,
    randomSeed: () => 7,
    builtins,
  };
  const cwd = process.cwd();
  process.chdir(project);
  try {
    const code = await main(['node', 'faultline', ...args], io);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Runs the built command line in a child process, as a user does. Stack traces are checked this way:
 * a test runner that installs its own stack formatting (vitest does) bypasses Node's source maps.
 */
function faultlineProcess(...args: string[]): Ran {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'faultline.js'), ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function write(rel: string, text: string): string {
  const file = path.join(project, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** A small, quick cluster and one test of the named workloads. */
function spec(plugins: readonly string[], ...workloads: string[]): string {
  const list = plugins.length > 0 ? `plugins = [${plugins.map((p) => `'${p}'`).join(', ')}]\n` : '';
  return `${list}[configuration]
config = 'single'
machineCount = 3
processesPerMachine = 1
testerCount = 2

[[test]]
testTitle = 'PluginTest'
${workloads.map((w) => `    [[test.workload]]\n    testName = '${w}'\n`).join('\n')}`;
}

/** A TS plugin: writes `keys` keys from client 0, checks they are all there. */
const COUNTER_TS = `import { bytes, defineWorkload, opt } from 'faultline';

export default defineWorkload({
  name: 'KeyWriter',
  description: 'writes keys and reads them back',
  kind: 'application',
  options: { keys: opt.int({ default: 3, min: 1, doc: 'how many keys' }) },
  create(ctx) {
    return {
      async start() {
        const n: number = ctx.options.keys;
        if (ctx.clientId !== 0) return;
        await ctx.db.run(async (tr) => {
          for (let i = 0; i < n; i++) tr.set(bytes(\`kw/\${i}\`), bytes('x'));
        });
      },
      async check() {
        const rows = await ctx.db.run((tr) => tr.getRange(bytes('kw/'), bytes('kw0')));
        if (rows.length !== ctx.options.keys) ctx.fail('keys missing', { Found: rows.length });
        return true;
      },
    };
  },
});
`;

/** A JS plugin with two named exports (and a helper that is not a workload). */
const PAIR_MJS = `import { defineWorkload } from 'faultline';

export const helper = (x) => x + 1;
export const Quiet = defineWorkload({
  name: 'QuietOne', description: 'does nothing, quietly', kind: 'application', options: {},
  create: () => ({}),
});
export const Noisy = defineWorkload({
  name: 'NoisyOne', description: 'traces once', kind: 'application', options: {},
  create: (ctx) => ({ start: async () => ctx.trace('NoisyHello') }),
});
`;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'index.js'))) {
    throw new Error('the package is not built: run `npm run build` before the plugin tests');
  }
  builtins = await loadBuiltinWorkloads();
  project = mkdtempSync(path.join(tmpdir(), 'faultline-plugins-'));
  mkdirSync(path.join(project, 'node_modules'));
  symlinkSync(ROOT, path.join(project, 'node_modules', 'faultline'), 'dir');
  write('package.json', '{ "name": "my-layer", "type": "module", "private": true }\n');
  write('workloads/key-writer.ts', COUNTER_TS);
  write('extra/pair.mjs', PAIR_MJS);
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('loading plugins', () => {
  it('runs a TS plugin named in a spec, relative to the spec, and records it in ProgramStart', async () => {
    write('specs/keys.toml', spec(['../workloads/key-writer.ts'], 'KeyWriter', 'RandomClogging'));
    const r = await faultline('run', 'specs/keys.toml', '--seed', '3', '--trace-dir', 't');
    expect(r.err).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('KeyWriter');
    const first = JSON.parse(
      readFileSync(path.join(project, 't', 'PluginTest.3.jsonl'), 'utf8').split('\n')[0]!,
    );
    expect(first.Type).toBe('ProgramStart');
    expect(first.Plugins).toBe(path.join('workloads', 'key-writer.ts'));
    expect(first.PluginSHA256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads named exports of a JS plugin from --plugin, and the reproduce command carries the flag', async () => {
    write('pair.toml', spec([], 'QuietOne', 'NoisyOne'));
    const r = await faultline(
      'run',
      'pair.toml',
      '--plugin',
      'extra/pair.mjs',
      '--seed',
      '4',
      '--trace-dir',
      't',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('Reproduce: faultline run pair.toml --seed 4 --plugin extra/pair.mjs');
    expect(readFileSync(path.join(project, 't', 'PluginTest.4.jsonl'), 'utf8')).toContain('"NoisyHello"');
  });

  it('loads every plugin file of a folder', async () => {
    write('both.toml', spec(['./workloads', './extra/'], 'KeyWriter', 'QuietOne'));
    const r = await faultline('run', 'both.toml', '--seed', '5', '--trace-dir', 't');
    expect(r.code).toBe(0);
  });

  it('lists and describes plugin workloads beside the built-ins, with their file', async () => {
    const list = await faultline('list', '--plugin', 'workloads/key-writer.ts', '--plugin', 'extra/pair.mjs');
    expect(list.code).toBe(0);
    expect(list.out).toContain('Cycle');
    expect(list.out).toMatch(/KeyWriter[\s\S]*plugin: workloads\/key-writer\.ts/);
    expect(list.out).toContain('plugin: extra/pair.mjs');
    const d = await faultline('describe', 'KeyWriter', '--plugin', 'workloads/key-writer.ts');
    expect(d.code).toBe(0);
    expect(d.out).toContain('KeyWriter (application, plugin: workloads/key-writer.ts)');
    expect(d.out).toMatch(/keys\s.*int\s.*3/);
  });

  it('reports a plugin that throws in a phase as a workload crash with its .ts line', async () => {
    const file = write(
      'crash.ts',
      COUNTER_TS.replace(
        "ctx.fail('keys missing', { Found: rows.length });",
        "ctx.fail('keys missing', { Found: rows.length });\n        throw new Error('check broke');",
      ),
    );
    write('crash.toml', spec([], 'KeyWriter'));
    const r = faultlineProcess(
      'run',
      'crash.toml',
      '--plugin',
      'crash.ts',
      '--seed',
      '6',
      '--format',
      'json',
      '--trace-dir',
      't',
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    const crash = doc.failures.find((f: { type: string }) => f.type === 'WorkloadCrash');
    expect(crash.reason).toContain('check broke');
    // The stack is mapped back to the TypeScript source's line of the throw.
    const throwLine =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes("throw new Error('check broke')")) + 1;
    expect(JSON.stringify(crash.details)).toContain(`crash.ts:${throwLine}:`);
    expect(doc.reproduce).toContain('--plugin crash.ts');
  });

  it('reports a real timer in a plugin phase as a determinism violation naming the plugin and the call', async () => {
    write(
      'timer.ts',
      COUNTER_TS.replace('if (ctx.clientId !== 0) return;', 'await new Promise((r) => setTimeout(r, 5));'),
    );
    write('timer.toml', spec([], 'KeyWriter'));
    const r = await faultline(
      'run',
      'timer.toml',
      '--plugin',
      'timer.ts',
      '--seed',
      '9',
      '--format',
      'json',
      '--trace-dir',
      't',
    );
    expect(r.code).toBe(1);
    const crash = JSON.parse(r.out).failures.find((f: { type: string }) => f.type === 'WorkloadCrash');
    expect(crash.reason).toContain(
      'determinism violation: workload KeyWriter (plugin timer.ts) called setTimeout() in its start phase',
    );
  });

  it('warns when a plugin changed since the traced run of the same seed', async () => {
    write('changing.ts', COUNTER_TS);
    write('changing.toml', spec([], 'KeyWriter'));
    const args = ['run', 'changing.toml', '--plugin', 'changing.ts', '--seed', '8', '--trace-dir', 't'];
    expect((await faultline(...args)).err).not.toContain('warning');
    write('changing.ts', COUNTER_TS.replace('default: 3', 'default: 4'));
    const again = await faultline(...args);
    expect(again.err).toMatch(/warning: plugin changing\.ts differs from the one in the traced run/);
  });
});

describe('plugin errors: exit 2, the file named, before anything runs', () => {
  async function bad(...args: string[]): Promise<string> {
    const r = await faultline(...args);
    expect(r.code, r.err).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    return r.err.trim();
  }

  it('a missing file, from a spec and from a flag', async () => {
    write('missing.toml', spec(['./nope.ts'], 'Cycle'));
    expect(await bad('run', 'missing.toml')).toBe(
      "error: missing.toml:1: plugins: plugin not found: nope.ts (paths in plugins = [...] are relative to the spec's folder)",
    );
    expect(await bad('list', '--plugin', 'gone.ts')).toBe(
      'error: <command line>: --plugin: plugin not found: gone.ts (paths given with --plugin are relative to the working folder)',
    );
  });

  it('a file that is not a plugin', async () => {
    write('notes.txt', 'hello');
    expect(await bad('list', '--plugin', 'notes.txt')).toBe(
      'error: <command line>: --plugin: a plugin must be a .ts, .mts, .js, .mjs file: notes.txt',
    );
  });

  it('a syntax error in TypeScript, with line and column', async () => {
    write(
      'broken.ts',
      "import { defineWorkload } from 'faultline';\nexport default defineWorkload({\n  name: 'B',,\n});\n",
    );
    expect(await bad('list', '--plugin', 'broken.ts')).toBe(
      'error: broken.ts:3: syntax error: Expected identifier but found "," (at column 12)',
    );
  });

  it('a syntax error in JavaScript, with line and column', async () => {
    write('broken.mjs', "const a = 1;\nexport default {\n  name: 'B',,\n};\n");
    expect(await bad('list', '--plugin', 'broken.mjs')).toBe(
      "error: broken.mjs:3: syntax error: Unexpected token ',' (at column 13)",
    );
  });

  it('no workload exported, and a default export that is not one', async () => {
    write('empty.ts', 'export const answer = 42;\n');
    expect(await bad('list', '--plugin', 'empty.ts')).toMatch(
      /^error: empty\.ts: the plugin exports no workload \(write export default defineWorkload/,
    );
    write('fn.ts', 'export default function workload() { return 1; }\n');
    expect(await bad('list', '--plugin', 'fn.ts')).toBe(
      'error: fn.ts: export default: is a function, not a workload definition (export the result of defineWorkload({ name, description, kind, options, create }))',
    );
    write(
      'nokind.ts',
      "export default { name: 'NoKind', description: 'd', options: {}, create() { return {}; } };\n",
    );
    expect(await bad('list', '--plugin', 'nokind.ts')).toBe(
      "error: nokind.ts: export default (NoKind): has kind undefined (kind is 'application' or 'chaos')",
    );
  });

  it('an invalid option schema', async () => {
    write(
      'schema.ts',
      "import { defineWorkload, opt } from 'faultline';\nexport default defineWorkload({ name: 'S', description: 'd', kind: 'application',\n  options: { n: opt.int({ default: 0, min: 1, doc: 'n' }) }, create: () => ({}) });\n",
    );
    expect(await bad('describe', 'S', '--plugin', 'schema.ts')).toBe(
      "error: schema.ts: export default (S): invalid option schema: option 'n' has default 0 below its min 1",
    );
    write(
      'schema2.mjs',
      "export default { name: 'S2', description: 'd', kind: 'chaos', options: { rate: { type: 'float', default: 1, doc: 'r' } }, create: () => ({}) };\n",
    );
    expect(await bad('list', '--plugin', 'schema2.mjs')).toBe(
      'error: schema2.mjs: export default (S2): invalid option schema: option \'rate\' has type "float" (use one of number, int, boolean, string, string[], number[] (or the opt builders))',
    );
  });

  it('a name that collides with a built-in or another plugin names both', async () => {
    write('cycle.ts', COUNTER_TS.replace("name: 'KeyWriter'", "name: 'Cycle'"));
    expect(await bad('list', '--plugin', 'cycle.ts')).toBe(
      "error: cycle.ts: name: workload 'Cycle' is defined twice: here and by faultline's built-in workload of that name (rename the plugin workload)",
    );
    write('again.ts', COUNTER_TS);
    expect(await bad('list', '--plugin', 'workloads/key-writer.ts', '--plugin', 'again.ts')).toBe(
      "error: again.ts: name: workload 'KeyWriter' is defined twice: here and in workloads/key-writer.ts (rename one of them, in again.ts or workloads/key-writer.ts)",
    );
  });

  it('a TypeScript type error, with --typecheck, before the plugin loads', async () => {
    // The project's own TypeScript does the checking: this scratch project borrows the checkout's.
    symlinkSync(
      path.join(ROOT, 'node_modules', 'typescript'),
      path.join(project, 'node_modules', 'typescript'),
      'dir',
    );
    const file = write(
      'typed.ts',
      COUNTER_TS.replace('const n: number = ctx.options.keys;', 'const n: string = ctx.options.keys;'),
    );
    write('typed.toml', spec([], 'KeyWriter'));
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('const n: string')) + 1;
    expect(await bad('run', 'typed.toml', '--plugin', 'typed.ts', '--typecheck', '--trace-dir', 't')).toBe(
      `error: typed.ts:${line}: type error: Type 'number' is not assignable to type 'string'. (at column 15; fix it, or run without --typecheck; the spec's testName 'KeyWriter' needs a plugin, and this one did not load)`,
    );
    // Without the flag the same file loads (type annotations are erased) and runs.
    expect(
      (await faultline('run', 'typed.toml', '--plugin', 'typed.ts', '--seed', '1', '--trace-dir', 't')).code,
    ).toBe(0);
    // A well-typed plugin passes the check.
    expect(
      (
        await faultline(
          'run',
          'typed.toml',
          '--plugin',
          'workloads/key-writer.ts',
          '--typecheck',
          '--seed',
          '1',
          '--trace-dir',
          't',
        )
      ).code,
    ).toBe(0);
  });

  it('a plugin that throws while loading', async () => {
    write('throws.ts', "const n: number = 1;\nthrow new Error('no config ' + n);\n");
    const r = faultlineProcess('list', '--plugin', 'throws.ts');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      'error: throws.ts:2: the plugin threw while loading: Error: no config 1 (a plugin module should only define workloads; do the work in setup/start/check)',
    );
  });

  it('an import that does not resolve says how to install faultline', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'faultline-lone-'));
    try {
      writeFileSync(path.join(outside, 'lone.ts'), COUNTER_TS);
      const err = await bad('list', '--plugin', path.join(outside, 'lone.ts'));
      expect(err).toContain("cannot import 'faultline'");
      expect(err).toContain('npm install --save-dev faultline');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a testName the failed plugin would have provided is named in the error', async () => {
    write('needs.toml', spec(['./broken.ts'], 'Broken', 'RandomClogging'));
    expect(await bad('run', 'needs.toml')).toBe(
      "error: broken.ts:3: syntax error: Expected identifier but found \",\" (at column 12; the spec's testName 'Broken' needs a plugin, and this one did not load)",
    );
  });
});

describe('faultline new workload', () => {
  it('scaffolds an application plugin and a spec that pass as written, under Attrition and RandomClogging', async () => {
    const made = await faultline('new', 'workload', 'Ledger', '--dir', 'scaffold');
    expect(made.code).toBe(0);
    expect(made.out).toContain('npx faultline run scaffold/Ledger.toml');
    const specText = readFileSync(path.join(project, 'scaffold', 'Ledger.toml'), 'utf8');
    expect(specText).toContain("plugins = ['./Ledger.ts']");
    for (const w of ['Ledger', 'Attrition', 'RandomClogging'])
      expect(specText).toContain(`testName = '${w}'`);
    const r = await faultline('run', 'scaffold/Ledger.toml', '--seed', '1', '--trace-dir', 't');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Operations');
  });

  it('scaffolds a chaos plugin that runs beside Cycle and passes', async () => {
    expect((await faultline('new', 'workload', 'Jitter', '--chaos', '--dir', 'scaffold')).code).toBe(0);
    expect(readFileSync(path.join(project, 'scaffold', 'Jitter.ts'), 'utf8')).toContain("kind: 'chaos'");
    const r = await faultline('run', 'scaffold/Jitter.toml', '--seed', '2', '--trace-dir', 't');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Clogs/);
  });

  it('never overwrites a file and refuses a name that is not a word', async () => {
    write('scaffold2/Taken.toml', '# mine\n');
    const r = await faultline('new', 'workload', 'Taken', '--dir', 'scaffold2');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      'error: scaffold2/Taken.toml: already exists; faultline new never overwrites a file (choose another NAME or --dir)',
    );
    expect(existsSync(path.join(project, 'scaffold2', 'Taken.ts'))).toBe(false);
    const bad = await faultline('new', 'workload', 'my-thing');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("a workload name is a word in PascalCase, got 'my-thing'");
  });
});
