// The faultline command line: the one file that imports commander. It parses and wires; the commands
// live in their own files, and errors become exit codes in exit-codes.ts.
import { Command, CommanderError, Option } from 'commander';
import type { AnyWorkload } from '../workload/registry.js';
import { faultlineVersion, loadBuiltinWorkloads } from './builtins.js';
import { describeCommand, knobsCommand, listCommand } from './catalog-commands.js';
import { describeError, EXIT, exitCodeForError } from './exit-codes.js';
import { type CliIo, processIo } from './io.js';
import { type MergeFlags, mergeCommand } from './merge-command.js';
import { type NewWorkloadFlags, newWorkloadCommand } from './new-command.js';
import { commandRegistry } from './plugin-flags.js';
import { type RenderFlags, renderCommand } from './render-command.js';
import { type RunFlags, runCommand } from './run-command.js';
import { type SwarmFlags, swarmCommand } from './swarm-command.js';
import { type SweepFlags, sweepCommand } from './sweep-command.js';

/** `--plugin FILE`, repeatable: a plugin file or folder, relative to the working folder. */
function pluginOption(): Option {
  return new Option('--plugin <file>', 'load workloads from a plugin file or folder (repeatable)')
    .argParser((v: string, acc: string[] | undefined) => [...(acc ?? []), v])
    .default([]);
}

/**
 * Runs the command line with `argv` (as `process.argv`: node, script, then arguments) and returns the
 * exit code: 0 passed, 1 a test failed, 2 bad input, 3 did not finish, 4 determinism mismatch,
 * 70 internal error, 130 a sweep interrupted. `io` replaces the real streams, environment, clock and seed source (for tests).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.passed;
  const version = faultlineVersion();
  const builtins = async (): Promise<readonly AnyWorkload[]> => io.builtins ?? (await loadBuiltinWorkloads());

  const program = new Command('faultline')
    .description('Deterministic chaos testing for a simulated transactional database, in FoundationDB style')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run faultline --help for usage)');

  program
    .command('run')
    .description('run one spec with one seed (the built-in CycleWithAttrition default without SPEC)')
    .argument('[spec]', 'a TOML test spec (FoundationDB format)')
    .option('--seed <n>', 'the seed (decimal or 0x hex); random and printed when not given')
    .addOption(
      new Option(
        '--buggify <on|off|random>',
        "BUGGIFY on, off, or random (80 % on, decided by the seed); a spec's [configuration] buggify wins",
      ),
    )
    .option('--trace-dir <dir>', 'where the trace file goes', 'traces')
    .option(
      '--knob <name=value>',
      'override a knob (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--check-determinism', 'run the seed twice and compare trace hash and unseed', false)
    .option('--format <text|json>', 'report format', 'text')
    .option('--all-events', 'show every chaos event in the timeline (no summarizing)', false)
    .option(
      '--max-sim-seconds <s>',
      'end the run as did-not-finish (exit 3) after this many simulated seconds (default 5400; 36000 with BUGGIFY; none for longRunningTest)',
    )
    .option(
      '--max-memory <MB>',
      "end the run as did-not-finish (exit 3) when its heap passes this many megabytes (default: 80 % of Node's heap limit)",
    )
    .option('--html <file>', 'also write a self-contained HTML picture of the run to FILE')
    .option('--no-oracle', "do not check the database against the oracle's reference replay")
    .option('--no-color', 'no colour, even on a terminal')
    .addOption(pluginOption())
    .option('--typecheck', "type-check TypeScript plugins first (with the project's own typescript)", false)
    .action(async (spec: string | undefined, flags: RunFlags) => {
      exitCode = await runCommand(spec, flags, io, await builtins(), version);
    });

  const sweep = program
    .command('sweep')
    .description('run many (spec, seed) pairs on worker processes; summary grouped by failure signature')
    .argument(
      '[specs...]',
      'TOML specs, or folders of them (the .toml files inside); default: those of --seeds-file',
    )
    .option('--seeds <n>', 'seeds per spec, counting up from --base-seed (default 10)')
    .option('--base-seed <n>', 'the first seed of --seeds (random and printed when not given)')
    .option('--seed-range <a..b>', 'every seed from A to B, inclusive')
    .option('--seeds-file <file>', "a corpus of runs, one 'spec seed [on|off]' a line")
    .option(
      '--buggify <on|off|random>',
      "BUGGIFY per run; random: 80 % on, decided by the seed (a spec's buggify wins)",
      'random',
    );
  withPoolOptions(sweep, 'a plugin file passed to every run (repeatable)').action(
    async (specs: string[], flags: SweepFlags) => {
      exitCode = await sweepCommand(specs, flags, io, await builtins(), version);
    },
  );

  const swarm = program
    .command('swarm')
    .description(
      'swarm testing: a random valid spec per seed (built-in and --plugin workloads stacked with chaos), swept',
    )
    .option('--seeds <n>', 'how many swarm specs, counting up from --base-seed (default 20)')
    .option('--base-seed <n>', 'the first swarm seed (random and printed when not given)')
    .option('--seed-range <a..b>', 'every swarm seed from A to B, inclusive')
    .option('--spec-dir <dir>', 'where the generated specs are written', 'traces/swarm')
    .option(
      '--quick',
      'short tests and light loads (about a CPU second a seed): hundreds of seeds in minutes',
    )
    .option('--buggify <on|off|random>', "BUGGIFY per run; a generated spec's own buggify wins", 'random');
  withPoolOptions(swarm, 'a plugin whose workloads join the swarm and load in every run (repeatable)').action(
    async (flags: SwarmFlags) => {
      exitCode = await swarmCommand(flags, io, await builtins(), version);
    },
  );

  program
    .command('merge')
    .description("fold the result files of a sweep's shards into one summary (and JUnit and results files)")
    .argument('<results...>', 'results files written by faultline sweep --results')
    .option('--junit <file>', 'write one JUnit XML report for the whole plan')
    .option('--results <file>', 'write one results file for the whole plan')
    .action((files: string[], flags: MergeFlags) => {
      exitCode = mergeCommand(files, flags, io);
    });

  program
    .command('render')
    .description('the report of a run from its trace file alone; exit 0 if the run passed, 1 if it failed')
    .argument(
      '<trace...>',
      'trace files or folders: faultline JSON lines, FoundationDB JSON or XML (merged by time)',
    )
    .option('--format <text|json>', 'report format', 'text')
    .option('--all-events', 'show every chaos event in the timeline (no summarizing)', false)
    .option('--no-color', 'no colour, even on a terminal')
    .option('--html <file>', 'also write a self-contained HTML picture of the run to FILE')
    .action((trace: string[], flags: RenderFlags) => {
      exitCode = renderCommand(trace, flags, io);
    });

  program
    .command('list')
    .description('list the registered workloads (built-ins and plugins)')
    .addOption(pluginOption())
    .action(async (flags: { plugin: string[] }) => {
      exitCode = listCommand(io, await commandRegistry(await builtins(), flags.plugin));
    });

  program
    .command('describe')
    .description("show one workload's options with types, defaults and docs")
    .argument('<workload>', "a workload name, as a spec's testName")
    .addOption(pluginOption())
    .action(async (name: string, flags: { plugin: string[] }) => {
      exitCode = describeCommand(name, io, await commandRegistry(await builtins(), flags.plugin));
    });

  program
    .command('new')
    .description('scaffold new files')
    .command('workload')
    .description(
      'write a workload plugin NAME.ts and a spec NAME.toml that runs it under chaos (passes as written)',
    )
    .argument('<name>', "the workload name, a PascalCase word (the spec's testName)")
    .option('--chaos', 'a chaos workload (injects faults) instead of an application workload', false)
    .option('--dir <dir>', 'the folder to write into', '.')
    .action((name: string, flags: NewWorkloadFlags) => {
      exitCode = newWorkloadCommand(name, flags, io);
    });

  program
    .command('knobs')
    .description('list the knobs a spec ([[knobs]], [[test.knobs]]) or --knob can set')
    .action(() => {
      exitCode = knobsCommand(io);
    });

  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; any other commander error (unknown option, missing argument)
      // was already printed by commander and is bad input.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') {
        return EXIT.passed;
      }
      return e.exitCode === 0 ? EXIT.passed : EXIT.badInput;
    }
    io.stderr(`${describeError(e)}\n`);
    return exitCodeForError(e);
  }
}

function repeat(v: string, acc: string[]): string[] {
  return [...acc, v];
}

/** The options `sweep` and `swarm` share: the worker pool, per-run limits, outputs, knobs and plugins. */
function withPoolOptions(cmd: Command, pluginDoc: string): Command {
  return cmd
    .option('--jobs <n>', "worker processes (default: the machine's cores)")
    .option(
      '--shard <i/n>',
      'run only the I-th of N slices of the plan (I from 1); merge the shards with faultline merge',
    )
    .option('--timeout <s>', 'wall-clock seconds a run may take before it is ended as timed out', '600')
    .option('--max-memory <mb>', 'heap limit of each run, MB; a run past it is ended as out of memory')
    .option('--results <file>', 'write every run as a JSON line as it finishes')
    .option('--junit <file>', 'write a JUnit XML report (a testsuite per spec, a testcase per seed)')
    .option('--keep-traces <failed|all|none>', 'which runs keep their trace file', 'failed')
    .option('--trace-dir <dir>', 'where kept trace files go', 'traces')
    .option('--max-failures <n>', 'stop after this many failed runs')
    .option(
      '--check-determinism <ratio>',
      're-run this share of runs in another worker and compare trace hash and unseed',
    )
    .option('--knob <name=value>', 'override a knob in every run (repeatable)', repeat, [] as string[])
    .option('--plugin <file>', pluginDoc, repeat, [] as string[])
    .option('--max-sim-seconds <s>', 'end each run as did-not-finish after this many simulated seconds')
    .option('--no-oracle', "run without the oracle's reference replay");
}
