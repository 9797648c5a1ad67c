// Which plugins a command loads: a spec's `plugins = [...]` (relative to the spec's folder) and the
// `--plugin FILE` flags (relative to the working folder), turned into the registry the command uses.
import path from 'node:path';
import type { TestSpec } from '../spec/types.js';
import { type PluginRequest, pluginRegistry } from '../workload/plugin-loader.js';
import type { AnyWorkload, Registry } from '../workload/registry.js';

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

/** The registry of `list` and `describe`: the built-ins plus the `--plugin` flags' workloads. */
export async function commandRegistry(
  builtins: readonly AnyWorkload[],
  flags: readonly string[],
): Promise<Registry> {
  return (await pluginRegistry(builtins, pluginRequests(flags))).registry;
}
