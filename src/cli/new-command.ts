// `faultline new workload NAME [--chaos] [--dir DIR]`: scaffolds a plugin and a spec that runs it under
// Attrition and RandomClogging. The pair passes as written, so a user starts from green and edits. It
// never overwrites a file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../core/errors.js';
import { ensureFolder, writeOutputFile } from '../trace/output-file.js';
import type { CliIo } from './io.js';

/** The flags of `faultline new workload`. */
export interface NewWorkloadFlags {
  readonly chaos: boolean;
  readonly dir: string;
}

/** An application workload that keeps an operation log, so retries after commit_unknown_result are safe. */
function applicationPlugin(name: string): string {
  return `// ${name}: each client adds random amounts to its own total and logs every operation under its own
// key in the same transaction; the check sums the log and compares it with the total. Written by
// \`faultline new workload\`: make it model your own data and invariants.
import { bytes, defineWorkload, opt, str, strinc } from 'faultline';

export default defineWorkload({
  name: '${name}',
  description: 'Clients add to their totals and log each operation; the check sums the log against the totals.',
  kind: 'application',
  options: {
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'How long clients write, in simulated seconds.' }),
    transactionsPerSecond: opt.number({
      default: 20,
      min: 0.01,
      unit: 'tps',
      doc: 'Transactions per second of each client.',
    }),
  },
  create(ctx) {
    const prefix = \`${name}/\${String(ctx.clientId).padStart(4, '0')}/\`;
    const totalKey = bytes(\`\${prefix}total\`);
    const opKey = (n: number) => bytes(\`\${prefix}op/\${String(n).padStart(8, '0')}\`);
    let operations = 0;
    return {
      async start() {
        const end = ctx.now() + ctx.options.testDuration;
        while (ctx.now() < end) {
          const n = operations;
          const amount = ctx.random.int(1, 100);
          await ctx.db.run(async (tr, attempt) => {
            // commit_unknown_result: an earlier attempt may have committed. The operation's log key says
            // whether it did, so the retry does not add the amount twice.
            if (attempt.maybeCommitted && (await tr.get(opKey(n))) !== undefined) return;
            const total = await tr.get(totalKey);
            tr.set(totalKey, bytes(String((total ? Number(str(total)) : 0) + amount)));
            tr.set(opKey(n), bytes(String(amount)));
          });
          operations++;
          ctx.sometimes('a client completed ten operations', operations >= 10);
          await ctx.delay(ctx.random.exponential(1 / ctx.options.transactionsPerSecond));
        }
      },
      async check() {
        const { total, logged, count } = await ctx.db.run(async (tr) => {
          const t = await tr.get(totalKey);
          const ops = await tr.getRange(bytes(\`\${prefix}op/\`), strinc(bytes(\`\${prefix}op/\`)));
          return {
            total: t ? Number(str(t)) : 0,
            logged: ops.reduce((sum, kv) => sum + Number(str(kv.value)), 0),
            count: ops.length,
          };
        });
        if (total !== logged) ctx.fail('the total differs from the sum of the logged operations', { Total: total, Logged: logged });
        if (count !== operations) ctx.fail('an operation is missing from the log', { Logged: count, Done: operations });
        return true;
      },
      metrics: () => [{ name: 'Operations', value: operations }],
    };
  },
});
`;
}

/** A chaos workload: client 0 clogs one random process's network interface at a time. */
function chaosPlugin(name: string): string {
  return `// ${name}: client 0 clogs one random process's network interface at a time, for a random few
// seconds, until testDuration ends. Written by \`faultline new workload --chaos\`: make it inject the faults
// your system should survive (ctx.chaos has clogs, partitions, kills, reboots, disk faults, recoveries).
import { defineWorkload, opt } from 'faultline';

export default defineWorkload({
  name: '${name}',
  description: 'Client 0 clogs one random process interface at a time for a few seconds.',
  kind: 'chaos',
  options: {
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'How long faults are injected, in simulated seconds.' }),
    maxClogSeconds: opt.number({ default: 2, min: 0, unit: 's', doc: 'Longest single clog, in simulated seconds.' }),
  },
  create(ctx) {
    let clogs = 0;
    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const end = ctx.now() + ctx.options.testDuration;
        while (ctx.now() < end) {
          const victims = ctx.chaos.processes().filter((p) => p.alive && !p.isTester);
          if (victims.length > 0) {
            const victim = ctx.random.pick(victims);
            const seconds = Math.min(ctx.random.uniform(0, ctx.options.maxClogSeconds), end - ctx.now());
            ctx.chaos.clogInterface(victim.ip, seconds, 'all');
            clogs++;
            await ctx.delay(seconds);
          }
          await ctx.delay(ctx.random.exponential(1));
        }
      },
      metrics: () => [{ name: 'Clogs', value: clogs }],
    };
  },
});
`;
}

/** Attrition as tests/fast/Attrition.toml runs it: zones killed one at a time, never the last one. */
const ATTRITION =
  '    machinesToKill = 2\n    machinesToLeave = 1\n    killDc = false\n    allowFaultInjection = false\n';

/** The spec: the plugin under Attrition and RandomClogging (a chaos plugin beside Cycle). */
function specText(name: string, chaos: boolean): string {
  const workload = (testName: string, extra = '') =>
    `    [[test.workload]]\n    testName = '${testName}'\n    testDuration = 10.0\n${extra}`;
  const app = chaos ? workload('Cycle', '    transactionsPerSecond = 250.0\n') : workload(name);
  const parts = [
    app,
    ...(chaos ? [workload(name)] : []),
    workload('RandomClogging'),
    workload('Attrition', ATTRITION),
  ];
  return `# Runs the ${name} plugin${chaos ? ' beside Cycle' : ''} under Attrition and RandomClogging.
# faultline run ${name}.toml --seed 1
plugins = ['./${name}.ts']

[configuration]
machineCount = 6
config = 'double'

[[test]]
testTitle = '${name}UnderChaos'

${parts.join('\n')}`;
}

/** Runs `faultline new workload NAME`; returns the exit code. Bad input throws (mapped by the caller). */
export function newWorkloadCommand(name: string, flags: NewWorkloadFlags, io: CliIo): number {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    throw new BadInputError(
      `a workload name is a word in PascalCase, got '${name}'`,
      { file: '<command line>', key: 'NAME' },
      'e.g. faultline new workload BankTransfer',
    );
  }
  const plugin = path.join(flags.dir, `${name}.ts`);
  const spec = path.join(flags.dir, `${name}.toml`);
  for (const f of [plugin, spec]) {
    if (existsSync(f)) {
      throw new BadInputError(
        'already exists; faultline new never overwrites a file',
        { file: f },
        'choose another NAME or --dir',
      );
    }
  }
  ensureFolder(flags.dir);
  writeOutputFile(plugin, flags.chaos ? chaosPlugin(name) : applicationPlugin(name), 'choose another --dir');
  writeOutputFile(spec, specText(name, flags.chaos), 'choose another --dir');
  io.stdout(
    `Wrote ${plugin} (a${flags.chaos ? ' chaos' : 'n application'} workload) and ${spec} (it under Attrition and RandomClogging).\n` +
      `Run it:  npx faultline run ${spec} --seed 1\n`,
  );
  return 0;
}
