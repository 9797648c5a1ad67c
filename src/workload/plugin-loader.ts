// Plugin loading: from the paths a spec's `plugins = [...]` and `--plugin FILE` name (files or folders)
// to checked workload definitions with each file's content hash. A module exports one workload (its
// default export) or several (named exports); anything wrong is a BadInputError naming the file, raised
// before anything runs. Runs before the simulation, so synchronous file I/O is fine here.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError, type SourceLocation } from '../core/errors.js';
import type { TestSpec } from '../spec/types.js';
import { importPlugin, type ModuleExports } from './plugin-import.js';
import { typecheckPlugins } from './plugin-typecheck.js';
import { type AnyWorkload, type PluginWorkloads, Registry } from './registry.js';
import { checkWorkloadShape, looksLikeWorkload } from './workload-shape.js';

/** The extensions a plugin file may have; all load with no build step. */
export const PLUGIN_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];

/** One `plugins` entry or `--plugin` flag: a file or a folder of plugin files. */
export interface PluginRequest {
  /** The path as written. */
  readonly path: string;
  /** The folder a relative path is relative to (the spec's folder, or the working folder for a flag). */
  readonly base: string;
  /** Where it was written, for errors: the spec and line, or the command line and flag. */
  readonly site: SourceLocation;
}

/** One loaded plugin file. */
export interface LoadedPlugin {
  /** Absolute path of the file. */
  readonly file: string;
  /** SHA-256 of the file's bytes, 64 lowercase hex digits (recorded in the trace's ProgramStart). */
  readonly sha256: string;
  /** Its workloads, default export first, then named exports in name order. */
  readonly workloads: readonly AnyWorkload[];
}

/** The path a user should see: relative to the working folder when that is shorter. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function isPluginFile(name: string): boolean {
  if (name.endsWith('.d.ts') || name.endsWith('.d.mts') || /\.test\.m?[jt]s$/.test(name)) return false;
  return PLUGIN_EXTENSIONS.includes(path.extname(name));
}

/** The plugin files one request names: the file itself, or a folder's plugin files in name order. */
function expand(req: PluginRequest): string[] {
  const abs = path.resolve(req.base, req.path);
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    throw new BadInputError(
      `plugin not found: ${displayPath(abs)}`,
      req.site,
      req.site.key === 'plugins'
        ? "paths in plugins = [...] are relative to the spec's folder"
        : 'paths given with --plugin are relative to the working folder',
    );
  }
  if (!isDir) {
    if (!PLUGIN_EXTENSIONS.includes(path.extname(abs))) {
      throw new BadInputError(
        `a plugin must be a ${PLUGIN_EXTENSIONS.join(', ')} file: ${displayPath(abs)}`,
        req.site,
      );
    }
    return [abs];
  }
  const files = readdirSync(abs)
    .filter(isPluginFile)
    .sort()
    .map((n) => path.join(abs, n))
    .filter((f) => statSync(f).isFile());
  if (files.length === 0) {
    throw new BadInputError(
      `the plugin folder ${displayPath(abs)} has no ${PLUGIN_EXTENSIONS.join(', ')} files`,
      req.site,
    );
  }
  return files;
}

/** The workloads a module exports: its default export (which must be one) and workload-shaped named exports. */
function workloadsOf(file: string, ns: ModuleExports): AnyWorkload[] {
  const shown = displayPath(file);
  const out: AnyWorkload[] = [];
  const seen = new Map<string, string>();
  const add = (value: unknown, exportName: string) => {
    const def = checkWorkloadShape(value, { file: shown, key: exportName });
    if (out.includes(def)) return;
    const other = seen.get(def.name);
    if (other !== undefined) {
      throw new BadInputError(
        `two exports define the workload '${def.name}': ${other} and ${exportName}`,
        { file: shown, key: exportName },
        'give each workload its own name',
      );
    }
    seen.set(def.name, exportName);
    out.push(def);
  };
  if (Object.hasOwn(ns, 'default') && ns.default !== undefined) add(ns.default, 'export default');
  for (const name of Object.keys(ns).sort()) {
    if (name === 'default') continue;
    if (looksLikeWorkload(ns[name])) add(ns[name], `export ${name}`);
  }
  if (out.length === 0) {
    throw new BadInputError(
      'the plugin exports no workload',
      { file: shown },
      'write export default defineWorkload({ name, description, kind, options, create }) (import { defineWorkload } from "faultline")',
    );
  }
  return out;
}

/**
 * Loads every plugin the requests name, in request order (a file named twice loads once). Each file is
 * imported (TypeScript compiled on the fly), hashed and its exports checked; with `typecheck`, the
 * TypeScript files are type-checked first. The first problem is a BadInputError naming the file.
 */
export async function loadPlugins(
  requests: readonly PluginRequest[],
  opts: { readonly typecheck?: boolean } = {},
): Promise<LoadedPlugin[]> {
  const files: string[] = [];
  for (const req of requests) {
    for (const f of expand(req)) if (!files.includes(f)) files.push(f);
  }
  if (opts.typecheck) {
    await typecheckPlugins(
      files.filter((f) => /\.m?ts$/.test(f)),
      displayPath,
    );
  }
  const loaded: LoadedPlugin[] = [];
  for (const file of files) {
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    const ns = await importPlugin(file, displayPath(file));
    loaded.push({ file, sha256, workloads: workloadsOf(file, ns) });
  }
  return loaded;
}

/** Loaded plugins as the registry takes them. */
export function pluginWorkloads(plugins: readonly LoadedPlugin[]): PluginWorkloads[] {
  return plugins.map((p) => ({ file: displayPath(p.file), workloads: p.workloads }));
}

/**
 * The registry of the built-ins plus every plugin the requests name. A plugin that fails to load is a
 * BadInputError; when `neededNames` (a spec's testNames) include names no built-in provides, the error
 * says so, since those are what the failed plugin was probably meant to provide.
 */
export async function pluginRegistry(
  builtins: readonly AnyWorkload[],
  requests: readonly PluginRequest[],
  neededNames: readonly string[] = [],
  opts: { readonly typecheck?: boolean } = {},
): Promise<{ registry: Registry; plugins: LoadedPlugin[] }> {
  let plugins: LoadedPlugin[];
  try {
    plugins = await loadPlugins(requests, opts);
  } catch (e) {
    const missing = [...new Set(neededNames.filter((n) => !builtins.some((b) => b.name === n)))];
    if (!(e instanceof BadInputError) || missing.length === 0) throw e;
    const what = missing.map((n) => `'${n}'`).join(', ');
    const needs = `the spec's testName ${what} needs a plugin, and this one did not load`;
    throw new BadInputError(e.message, e.location, e.hint ? `${e.hint}; ${needs}` : needs);
  }
  return { registry: new Registry(builtins, pluginWorkloads(plugins)), plugins };
}

/** The plugin requests of a spec (if any) and the `--plugin` flags, spec first. */
export function pluginRequests(flags: readonly string[], spec?: TestSpec): PluginRequest[] {
  const fromSpec = (spec?.plugins ?? []).map((p) => ({
    path: p.path,
    base: path.dirname(path.resolve(spec!.file)),
    site: { file: spec!.file, line: p.line, key: 'plugins' },
  }));
  const fromFlags = flags.map((f) => ({
    path: f,
    base: process.cwd(),
    site: { file: '<command line>', key: '--plugin' },
  }));
  return [...fromSpec, ...fromFlags];
}
