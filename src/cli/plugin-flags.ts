// Which plugins a command loads: a spec's `plugins = [...]` (relative to the spec's folder) and the
// `--plugin FILE` flags (relative to the working folder), turned into the registry the command uses.
import { pluginRegistry, pluginRequests } from '../workload/plugin-loader.js';

export { pluginRequests };

import type { AnyWorkload, Registry } from '../workload/registry.js';

/** The registry of `list` and `describe`: the built-ins plus the `--plugin` flags' workloads. */
export async function commandRegistry(
  builtins: readonly AnyWorkload[],
  flags: readonly string[],
): Promise<Registry> {
  return (await pluginRegistry(builtins, pluginRequests(flags))).registry;
}
