// Finding the package's own files at run time: the built-in workloads (loaded from workloads/ the way a
// plugin is loaded, since workloads are written against the public API only), the shipped specs and the
// version.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InternalError } from '../core/errors.js';
import type { AnyWorkload } from '../workload/registry.js';

/** The package root: the nearest folder above this file with faultline's package.json. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string };
      if (pkg.name === 'faultline') return dir;
    }
    const up = path.dirname(dir);
    if (up === dir)
      throw new InternalError("cannot find faultline's package.json above the command line's files");
    dir = up;
  }
}

/**
 * A spec path as the command line should open it: as given when it exists relative to the working folder;
 * else the spec of that name shipped in faultline's package (`tests/fast/CycleTest.toml` in a project that
 * installed faultline), when there is one; else as given (and reading it reports the missing file).
 */
export function resolveSpecPath(specArg: string): { file: string; shipped: boolean } {
  if (path.isAbsolute(specArg) || existsSync(specArg)) return { file: specArg, shipped: false };
  const root = packageRoot();
  const shipped = path.resolve(root, specArg);
  if (shipped.startsWith(root + path.sep) && existsSync(shipped)) return { file: shipped, shipped: true };
  return { file: specArg, shipped: false };
}

/**
 * How a user runs this faultline: `npx faultline` when it is installed in a project's node_modules (its
 * command is not on PATH there), else `faultline`. The reproduce command starts with it.
 */
export function commandName(): string {
  return packageRoot().includes(`${path.sep}node_modules${path.sep}`) ? 'npx faultline' : 'faultline';
}

/** faultline's version, from its package.json. */
export function faultlineVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

/** The module that exports the built-in workloads (what a sweep's workers load). */
export function builtinWorkloadsFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/cli -> the tree root (dist/ when compiled, the package root from source).
  const tree = path.resolve(here, '..', '..');
  const candidates = [path.join(tree, 'workloads', 'index.js'), path.join(tree, 'workloads', 'index.ts')];
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined)
    throw new InternalError(`built-in workloads not found (looked for ${candidates.join(', ')})`);
  return file;
}

/**
 * The built-in workloads: `builtinWorkloads` of workloads/index, next to this file's compiled tree
 * (dist/workloads/index.js when built, workloads/index.ts when run from source).
 */
export async function loadBuiltinWorkloads(): Promise<readonly AnyWorkload[]> {
  const file = builtinWorkloadsFile();
  const mod = (await import(pathToFileURL(file).href)) as { builtinWorkloads?: readonly AnyWorkload[] };
  if (!Array.isArray(mod.builtinWorkloads)) {
    throw new InternalError(`${file} does not export builtinWorkloads`);
  }
  return mod.builtinWorkloads;
}
