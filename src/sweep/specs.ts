// The specs of a sweep: files and folders as named on the command line (a folder means the .toml files
// directly in it, sorted), each read and checked once before any run, so a typo fails the sweep at once
// with exit code 2 instead of failing every run.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../core/errors.js';
import { prepareRun } from '../run/prepare.js';
import type { KnobOverride } from '../sim/knobs.js';
import { loadSpecFile } from '../spec/load.js';
import { pluginRegistry, pluginRequests } from '../workload/plugin-loader.js';
import type { AnyWorkload } from '../workload/registry.js';
import type { PlannedSpec } from './plan.js';

/** Spec files named by `args` (files as given, folders expanded), each once, in the order named. */
export function expandSpecArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      throw new BadInputError(
        'no such spec file or folder',
        { file: arg },
        'name a .toml spec or a folder of them',
      );
    }
    const files = isDir
      ? readdirSync(arg)
          .filter((f) => f.endsWith('.toml'))
          .sort()
          .map((f) => path.join(arg, f))
      : [arg];
    if (isDir && files.length === 0)
      throw new BadInputError('the folder holds no .toml specs', { file: arg });
    for (const f of files) if (!out.includes(f)) out.push(f);
  }
  return out;
}

/**
 * Reads and checks every spec (workloads, options, knobs, configuration) as a run with `seed` would, and
 * returns what the plan needs of each. Throws BadInputError naming the file.
 */
export async function loadSweepSpecs(
  files: readonly string[],
  builtins: readonly AnyWorkload[],
  pluginFlags: readonly string[],
  seed: number,
  knobOverrides: readonly KnobOverride[],
): Promise<PlannedSpec[]> {
  const out: PlannedSpec[] = [];
  for (const file of files) out.push(await loadSweepSpec(file, builtins, pluginFlags, seed, knobOverrides));
  return out;
}

/** One spec of {@link loadSweepSpecs}, with its own plugins and the `--plugin` flags loaded. */
async function loadSweepSpec(
  file: string,
  builtins: readonly AnyWorkload[],
  pluginFlags: readonly string[],
  seed: number,
  knobOverrides: readonly KnobOverride[],
): Promise<PlannedSpec> {
  {
    const { spec, sha256 } = loadSpecFile(file);
    const testNames = spec.tests.flatMap((t) => t.workloads.map((w) => w.testName));
    const { registry } = await pluginRegistry(builtins, pluginRequests(pluginFlags, spec), testNames);
    prepareRun({ spec, seed, knobOverrides, registry });
    const pinned = spec.configuration.buggify?.value;
    return {
      path: file,
      sha256,
      expectFailure: spec.configuration.expectFailure?.value ?? false,
      ...(pinned !== undefined ? { buggifyPinned: pinned } : {}),
    };
  }
}
