// TargetedKill: FoundationDB's role assassin. At killAt, client 0 kills the process (or the whole machine)
// that currently holds a role — the master, a commit or GRV proxy, a TLog, a resolver, storage servers or
// the cluster controller — so the cluster must notice and recover. The kill-safety policy may downgrade
// or refuse the kill; the outcome is traced.
import { defineWorkload, KILL_TYPES, type KillType, opt, type ProcessInfo } from '../../src/index.js';

/** machineToKill names (FoundationDB's, plus 'resolver') and the role abbreviation each targets. */
export const TARGET_ROLES: ReadonlyMap<string, string> = new Map([
  ['master', 'MS'],
  ['commitproxy', 'CP'],
  ['grvproxy', 'GP'],
  ['tlog', 'TL'],
  ['resolver', 'RV'],
  ['storage', 'SS'],
  ['ss', 'SS'],
  ['storageserver', 'SS'],
  ['clustercontroller', 'CC'],
  ['cc', 'CC'],
]);

/** Roles FoundationDB kills only off the cluster controller's process (so one kill hits one role). */
const AVOID_CC: ReadonlySet<string> = new Set(['CP', 'GP', 'TL', 'SS']);

export default defineWorkload({
  name: 'TargetedKill',
  description:
    'At killAt, client 0 kills the process (or machine) holding a given role: master, commitproxy, ' +
    'grvproxy, tlog, resolver, storage or clustercontroller.',
  kind: 'chaos',
  options: {
    killAt: opt.number({ default: 5, min: 0, unit: 's', doc: 'When to kill, after the start phase begins.' }),
    machineToKill: opt.string({
      default: 'master',
      choices: [...TARGET_ROLES.keys()],
      doc: 'The role whose process is killed.',
    }),
    killType: opt.string({
      default: '',
      choices: ['', ...KILL_TYPES.filter((k) => k !== 'None' && k !== 'RebootProcessAndSwitch')],
      doc: "faultline: the kill type; '' = KillInstantly (FoundationDB's in simulation), or RebootProcess when reboot = true.",
    }),
    reboot: opt.bool({ default: false, doc: "Reboot the target (RebootProcess) when killType is ''." }),
    suspendDuration: opt.number({
      default: 1,
      min: 0,
      unit: 's',
      doc: 'Accepted for FoundationDB specs: a real cluster’s reboot pause; simulated reboots take the simulator’s reboot time.',
    }),
    killWholeMachine: opt.bool({ default: false, doc: 'Kill every process of the target’s machine.' }),
    numKillStorages: opt.int({
      default: 1,
      min: 1,
      unit: 'processes',
      doc: "With machineToKill = 'storage', how many storage servers to kill.",
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;
    const killType: KillType =
      o.killType !== '' ? (o.killType as KillType) : o.reboot ? 'RebootProcess' : 'KillInstantly';
    const role = TARGET_ROLES.get(o.machineToKill)!;

    /** Kills `target` (its machine with killWholeMachine) and traces what the safety policy applied. */
    const killEndpoint = (target: ProcessInfo): void => {
      const applied = o.killWholeMachine
        ? chaos.killMachine(target.machineId, killType)
        : chaos.killProcess(target.address, killType);
      if (applied === 'None') {
        ctx.trace(
          'TargetedKillRefused',
          { Address: target.address, KillType: killType, Role: o.machineToKill },
          20,
        );
      } else {
        ctx.trace('WorkersKilledAtEndpoint', {
          Address: target.address,
          KillType: killType,
          Applied: applied,
          WholeMachine: o.killWholeMachine,
        });
      }
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        await ctx.delay(o.killAt);
        const procs = chaos.processes().filter((p) => p.alive && !p.isTester);
        const holders = procs.filter((p) => p.roles.includes(role));
        const ccAddress = procs.find((p) => p.roles.includes('CC'))?.address;
        // FoundationDB walks the holders from a random one and takes the first not on the cluster
        // controller's process (or the last one tried, when all are).
        const ordered: ProcessInfo[] = [];
        if (holders.length > 0) {
          const first = random.int(0, holders.length);
          for (let i = 0; i < holders.length; i++) ordered.push(holders[(first + i) % holders.length]!);
        }
        const eligible = AVOID_CC.has(role) ? ordered.filter((p) => p.address !== ccAddress) : ordered;
        const count = role === 'SS' ? o.numKillStorages : 1;
        const targets = (eligible.length > 0 || role === 'SS' ? eligible : ordered.slice(-1)).slice(0, count);
        if (targets.length === 0) {
          ctx.trace('WorkerNotFoundAtEndpoint', { Role: o.machineToKill }, 20);
          return;
        }
        for (const target of targets) {
          ctx.trace('IsolatedMark', { TargetedMachine: target.address, Role: o.machineToKill });
          killEndpoint(target);
        }
      },
      async check() {
        return true;
      },
    };
  },
});
