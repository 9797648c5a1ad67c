// The architecture's import and determinism rules, enforced: every .ts file under src/ and workloads/ is
// parsed (TypeScript's own parser, so comments and strings never count) and checked against the layer
// table, the dependency table and the determinism rules of /work/shared/design/architecture.md.
// Each violation is reported as `file:line: rule`.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** One source file: its repository-relative POSIX path and its text. */
interface SourceText {
  readonly file: string;
  readonly text: string;
}

/** A broken rule at a place. */
interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
}

/** The layers of src/: a module imports only from its own layer or a lower one. */
const LAYERS: ReadonlyMap<string, number> = new Map([
  ['core', 0],
  ['trace', 1],
  ['spec', 1],
  ['sim', 2],
  ['cluster', 3],
  ['workload', 4],
  ['oracle', 4],
  ['run', 5],
  ['swarm', 5],
  ['report', 6],
  ['sweep', 7],
  ['cli', 8],
  ['testing', 8],
]);

/** Reporters see data only (architecture.md): these layers are below them but still out of bounds. */
const REPORT_FORBIDDEN = new Set(['sim', 'cluster', 'workload']);

/**
 * The only third-party packages, each allowed in exactly one file: `where` is that file, or the folder
 * (ending in `/`) that the one file must be in.
 */
const PACKAGES: ReadonlyMap<string, string> = new Map([
  ['seedrandom', 'src/core/random.ts'],
  ['smol-toml', 'src/spec/'],
  ['chalk', 'src/report/'],
  ['cli-table3', 'src/report/'],
  ['commander', 'src/cli/'],
  ['tsx', 'src/workload/'],
  ['cli-progress', 'src/sweep/progress.ts'],
  ['fast-xml-parser', 'src/trace/xml.ts'],
]);

/** Folders whose code runs inside a simulation: no real I/O, so no node: built-ins at all. */
const NO_BUILTINS = ['src/sim/', 'src/cluster/'];

/** Folders whose code runs inside a simulation and must not read the clock, timers or an unseeded RNG. */
const DETERMINISTIC = ['src/sim/', 'src/cluster/', 'src/run/', 'src/workload/', 'workloads/'];

/**
 * Calls that read the wall clock, use host timers or an unseeded RNG (`globalThis.` prefixes stripped).
 * src/sim/kernel.ts assigns to Math.random and Date.now to redirect them during a run; assignments are
 * not calls, so it passes without an exemption and would fail if it called them for its own use.
 */
const FORBIDDEN_CALLS: ReadonlyMap<string, string> = new Map([
  ['Math.random', 'Math.random()'],
  ['Date.now', 'Date.now()'],
  ['Date', 'Date()'],
  ['performance.now', 'performance.now()'],
  ['setTimeout', 'setTimeout()'],
  ['setInterval', 'setInterval()'],
]);

const BUILTINS = new Set(builtinModules);

interface ImportSite {
  readonly spec: string;
  readonly line: number;
}

interface ForbiddenSite {
  readonly what: string;
  readonly line: number;
}

/** `a.b.c` for an identifier or property-access chain, else undefined. */
function dottedName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isParenthesizedExpression(e)) return dottedName(e.expression);
  if (ts.isPropertyAccessExpression(e)) {
    const left = dottedName(e.expression);
    return left === undefined ? undefined : `${left}.${e.name.text}`;
  }
  return undefined;
}

function withoutGlobalThis(name: string): string {
  return name.startsWith('globalThis.') ? withoutGlobalThis(name.slice('globalThis.'.length)) : name;
}

/** Every module specifier the file names (static, re-export, dynamic with a literal, type import) and every forbidden call. */
function scan(src: SourceText): { imports: ImportSite[]; forbidden: ForbiddenSite[] } {
  const sf = ts.createSourceFile(src.file, src.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: ImportSite[] = [];
  const forbidden: ForbiddenSite[] = [];
  const lineOf = (node: ts.Node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    let spec: ts.Node | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = node.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      spec = node.moduleReference.expression;
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) spec = node.argument.literal;
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      spec = node.arguments[0];
    if (spec && ts.isStringLiteralLike(spec)) imports.push({ spec: spec.text, line: lineOf(node) });

    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = dottedName(node.expression);
      if (name !== undefined) {
        const bare = withoutGlobalThis(name);
        const what = ts.isNewExpression(node)
          ? bare === 'Date'
            ? 'new Date()'
            : undefined
          : FORBIDDEN_CALLS.get(bare);
        if (what) forbidden.push({ what, line: lineOf(node) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { imports, forbidden };
}

/** `pkg` or `@scope/pkg` from a bare specifier with an optional subpath. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/** The src/ folder a path is in (`sim`, `core`, ...), `index` for src/index.ts, or undefined outside src/. */
function srcFolder(file: string): string | undefined {
  if (!file.startsWith('src/')) return undefined;
  const rest = file.slice('src/'.length);
  if (rest === 'index.ts' || rest === 'index.js') return 'index';
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

/** Checks the rules over a set of files; violations are sorted by file, then line. */
function checkArchitecture(files: readonly SourceText[]): Violation[] {
  const out: Violation[] = [];
  const packageSites = new Map<string, { file: string; line: number }[]>();

  for (const src of files) {
    const { file } = src;
    const inWorkloads = file.startsWith('workloads/');
    const from = srcFolder(file);
    const fromLayer = from === undefined ? undefined : LAYERS.get(from);
    if (from !== undefined && from !== 'index' && fromLayer === undefined) {
      out.push({ file, line: 1, rule: `layer: src/${from} is not in the layer table` });
    }
    const { imports, forbidden } = scan(src);

    for (const { spec, line } of imports) {
      const v = (rule: string) => out.push({ file, line, rule });
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        const to = srcFolder(target);
        if (inWorkloads) {
          if (to !== 'index' && !target.startsWith('workloads/')) {
            v(
              `workloads: import only src/index.js, other workloads/ files or node: built-ins (got '${spec}')`,
            );
          }
        } else if (to === undefined) {
          v(`src: modules import only from src/ (got '${spec}')`);
        } else if (from === 'index') {
          // The public API may re-export from any layer.
        } else if (to === 'index') {
          v(
            `layer: src/index.ts is the public API for workloads and plugins; import the layer itself (got '${spec}')`,
          );
        } else if (to !== from && fromLayer !== undefined) {
          const toLayer = LAYERS.get(to);
          if (toLayer === undefined) v(`layer: src/${to} is not in the layer table (got '${spec}')`);
          else if (toLayer > fromLayer) {
            v(`layer: src/${from} (layer ${fromLayer}) may not import src/${to} (layer ${toLayer})`);
          } else if (from === 'report' && REPORT_FORBIDDEN.has(to)) {
            v(`layer: src/report sees data only and may not import src/${to}`);
          }
        }
      } else if (spec.startsWith('node:')) {
        const dir = NO_BUILTINS.find((d) => file.startsWith(d));
        if (dir)
          v(
            `built-in: no node: imports in ${dir.slice(0, -1)} (the simulation does no real I/O; got '${spec}')`,
          );
      } else if (BUILTINS.has(packageName(spec))) {
        v(`built-in: import '${spec}' as 'node:${spec}'`);
      } else if (inWorkloads && file.startsWith('workloads/examples/')) {
        // The examples are plugins as users write them: they import faultline as a package, nothing else.
        if (spec !== 'faultline') v(`workloads/examples: import only 'faultline' (got '${spec}')`);
      } else if (inWorkloads) {
        v(`workloads: import only src/index.js, other workloads/ files or node: built-ins (got '${spec}')`);
      } else {
        const pkg = packageName(spec);
        const where = PACKAGES.get(pkg);
        if (where === undefined) v(`dependency: '${pkg}' is not an allowed dependency`);
        else if (where.endsWith('/') ? !file.startsWith(where) : file !== where) {
          v(
            `dependency: '${pkg}' may be imported only in ${where.endsWith('/') ? `one file under ${where}` : where}`,
          );
        } else {
          const sites = packageSites.get(pkg) ?? [];
          if (!sites.some((s) => s.file === file)) sites.push({ file, line });
          packageSites.set(pkg, sites);
        }
      }
    }

    if (DETERMINISTIC.some((d) => file.startsWith(d))) {
      for (const { what, line } of forbidden) {
        out.push({
          file,
          line,
          rule: `determinism: ${what} in simulated code (use the run's Random stream and simulated clock)`,
        });
      }
    }
  }

  for (const [pkg, sites] of packageSites) {
    if (sites.length < 2) continue;
    const names = sites.map((s) => s.file).join(', ');
    for (const s of sites) {
      out.push({
        ...s,
        rule: `dependency: '${pkg}' is imported in ${sites.length} files (${names}); one file only`,
      });
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

function format(v: Violation): string {
  return `${v.file}:${v.line}: ${v.rule}`;
}

/** Every .ts file under src/ and workloads/ of the repository, sorted by path. */
function readTree(root: string): SourceText[] {
  const files: SourceText[] = [];
  for (const dir of ['src', 'workloads']) {
    for (const entry of readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!entry.endsWith('.ts')) continue;
      const file = `${dir}/${entry.split(path.sep).join('/')}`;
      files.push({ file, text: readFileSync(path.join(root, file), 'utf8') });
    }
  }
  return files.sort((a, b) => (a.file < b.file ? -1 : 1));
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('architecture', () => {
  it('the source tree follows the layer table, the dependency table and the determinism rules', () => {
    const files = readTree(ROOT);
    // Guard against a vacuous pass: the scan must see the tree and the one real third-party import.
    expect(files.map((f) => f.file)).toContain('src/sim/kernel.ts');
    const random = files.find((f) => f.file === 'src/core/random.ts');
    expect(random && scan(random).imports.map((i) => i.spec)).toContain('seedrandom');
    expect(checkArchitecture(files).map(format)).toEqual([]);
  });

  it('flags each kind of violation at its file and line', () => {
    const fake: SourceText[] = [
      {
        file: 'src/sim/bad.ts',
        text: [
          "import { x } from '../cluster/roles.js';", // 1: upward import
          "import { readFile } from 'node:fs';", // 2: I/O in the simulation
          "// Math.random() in a comment is fine, and so is 'Date.now()' in a string",
          'const r = Math.random();', // 4
          'const t = globalThis.Date.now();', // 5
          'const tr = { setTimeout(ms: number) {} }; tr.setTimeout(5);', // not the global timer
          'setTimeout(() => {}, 1);', // 7
          'const d = new Date();', // 8
          "export * from '../../workloads/cycle.js';", // 9: src importing outside src/
        ].join('\n'),
      },
      {
        file: 'src/report/table.ts',
        text: [
          "import chalk from 'chalk';",
          "import Table from 'cli-table3';",
          "import type { Kernel } from '../sim/kernel.js';", // 3: reporters see data only
          "import { Cli } from '../cli/main.js';", // 4: upward
        ].join('\n'),
      },
      { file: 'src/report/colour.ts', text: "import chalk from 'chalk';" }, // chalk in two files
      {
        file: 'src/run/runner.ts',
        text: [
          "import { parse } from 'smol-toml';", // 1: wrong layer for the package
          "import lodash from 'lodash';", // 2: not a dependency
          "import fs from 'fs';", // 3: built-in without node:
          "const m = await import('../sweep/pool.js');", // 4: dynamic upward
          "type W = import('../cli/main.js').Main;", // 5: type import upward
          'const n = performance.now();', // 6
          "import { api } from '../index.js';", // 7: src importing the public API
        ].join('\n'),
      },
      { file: 'src/core/random.ts', text: "import seedrandom from 'seedrandom';" },
      { file: 'src/misc/util.ts', text: "export const x = 1;\nimport { a } from '../core/errors.js';" },
      { file: 'src/index.ts', text: "export * from './cli/main.js';\nexport * from './sim/kernel.js';" },
      {
        file: 'workloads/cycle.ts',
        text: [
          "import { defineWorkload } from '../src/index.js';",
          "import { helper } from './shared/keys.js';",
          "import { join } from 'node:path';",
          "import { Kernel } from '../src/sim/kernel.js';", // 4: internal module
          "import chalk from 'chalk';", // 5: a package
          'setInterval(() => {}, 5);', // 6
        ].join('\n'),
      },
      { file: 'src/sim/kernel.ts', text: 'Math.random = () => rng.next();\nDate.now = () => 0;' },
      {
        file: 'workloads/examples/bank.ts',
        text: "import { defineWorkload } from 'faultline';\nimport chalk from 'chalk';", // 2: not faultline
      },
    ];
    expect(checkArchitecture(fake).map(format)).toEqual([
      'src/misc/util.ts:1: layer: src/misc is not in the layer table',
      "src/report/colour.ts:1: dependency: 'chalk' is imported in 2 files (src/report/table.ts, src/report/colour.ts); one file only",
      "src/report/table.ts:1: dependency: 'chalk' is imported in 2 files (src/report/table.ts, src/report/colour.ts); one file only",
      'src/report/table.ts:3: layer: src/report sees data only and may not import src/sim',
      'src/report/table.ts:4: layer: src/report (layer 6) may not import src/cli (layer 8)',
      "src/run/runner.ts:1: dependency: 'smol-toml' may be imported only in one file under src/spec/",
      "src/run/runner.ts:2: dependency: 'lodash' is not an allowed dependency",
      "src/run/runner.ts:3: built-in: import 'fs' as 'node:fs'",
      'src/run/runner.ts:4: layer: src/run (layer 5) may not import src/sweep (layer 7)',
      'src/run/runner.ts:5: layer: src/run (layer 5) may not import src/cli (layer 8)',
      "src/run/runner.ts:6: determinism: performance.now() in simulated code (use the run's Random stream and simulated clock)",
      "src/run/runner.ts:7: layer: src/index.ts is the public API for workloads and plugins; import the layer itself (got '../index.js')",
      'src/sim/bad.ts:1: layer: src/sim (layer 2) may not import src/cluster (layer 3)',
      "src/sim/bad.ts:2: built-in: no node: imports in src/sim (the simulation does no real I/O; got 'node:fs')",
      "src/sim/bad.ts:4: determinism: Math.random() in simulated code (use the run's Random stream and simulated clock)",
      "src/sim/bad.ts:5: determinism: Date.now() in simulated code (use the run's Random stream and simulated clock)",
      "src/sim/bad.ts:7: determinism: setTimeout() in simulated code (use the run's Random stream and simulated clock)",
      "src/sim/bad.ts:8: determinism: new Date() in simulated code (use the run's Random stream and simulated clock)",
      "src/sim/bad.ts:9: src: modules import only from src/ (got '../../workloads/cycle.js')",
      "workloads/cycle.ts:4: workloads: import only src/index.js, other workloads/ files or node: built-ins (got '../src/sim/kernel.js')",
      "workloads/cycle.ts:5: workloads: import only src/index.js, other workloads/ files or node: built-ins (got 'chalk')",
      "workloads/cycle.ts:6: determinism: setInterval() in simulated code (use the run's Random stream and simulated clock)",
      "workloads/examples/bank.ts:2: workloads/examples: import only 'faultline' (got 'chalk')",
    ]);
  });

  it('passes a tree that keeps the rules', () => {
    const clean: SourceText[] = [
      { file: 'src/core/random.ts', text: "import seedrandom from 'seedrandom';" },
      {
        file: 'src/sim/world.ts',
        text: "import type { Random } from '../core/random.js';\nimport { x } from './net.js';",
      },
      {
        file: 'src/cli/main.ts',
        text: "import { Command } from 'commander';\nimport { readFile } from 'node:fs/promises';",
      },
      { file: 'src/report/json.ts', text: "import type { RunResult } from '../run/result.js';" },
      { file: 'workloads/chaos/attrition.ts', text: "import { defineWorkload } from '../../src/index.js';" },
    ];
    expect(checkArchitecture(clean)).toEqual([]);
  });
});
