// Rollback: FoundationDB's engineered transaction-log rollback. Client 0 clogs a random commit proxy away
// from every TLog but one, so new commits reach only that TLog; a third of clogDuration later it cuts the
// proxy and that TLog off too (or reboots the proxy). The recovery that follows cannot use the one TLog
// holding the newest, never-acknowledged versions, so it must roll them back everywhere.
import { defineWorkload, opt, type Random } from '../../src/index.js';

/**
 * Options FoundationDB gives Rollback when it adds it as an automatic failure-injection workload:
 * multiple 50%, enableFailures 20%.
 */
export function injectedOptions(random: Random): Record<string, boolean> {
  return { multiple: random.chance(0.5), enableFailures: random.chance(0.2) };
}

/** FoundationDB waits at most testDuration - 13 * clogDuration before a single (multiple = false) failure. */
const SINGLE_FAILURE_CLOG_FACTOR = 13;

export default defineWorkload({
  name: 'Rollback',
  description:
    'Client 0 clogs a commit proxy away from all TLogs but one, then cuts that TLog off, so recovery must ' +
    'roll back versions only it received (AttemptingToTriggerRollback; the master traces TLogRollback).',
  kind: 'chaos',
  options: {
    meanDelay: opt.number({
      default: 20,
      min: 0.001,
      unit: 's',
      doc: 'With multiple, the mean Poisson gap between rollback attempts.',
    }),
    clogDuration: opt.number({
      default: 3,
      min: 0,
      unit: 's',
      doc: 'How long the proxy-to-TLog pairs and then the proxy and TLog interfaces stay clogged.',
    }),
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'Attempts start only in this window.' }),
    enableFailures: opt.bool({
      default: false,
      doc: 'Reboot the commit proxy (and clog the TLog) instead of clogging both interfaces.',
    }),
    multiple: opt.bool({
      default: true,
      doc: 'Repeat attempts at Poisson times; false = one attempt at a random time in [0, testDuration - 13*clogDuration].',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const end = ctx.now() + o.testDuration;
        /** Sleeps until simulated time `t`, cut at the end of testDuration; false when the window closed. */
        const sleepUntil = async (t: number): Promise<boolean> => {
          if (!(t < end)) {
            if (end > ctx.now()) await ctx.delay(end - ctx.now());
            return false;
          }
          if (t > ctx.now()) await ctx.delay(t - ctx.now());
          return true;
        };

        /** FoundationDB's simulateFailure; false when the test window closed in the middle of it. */
        const simulateFailure = async (): Promise<boolean> => {
          const procs = chaos.processes().filter((p) => p.alive && !p.isTester);
          const tlogs = procs.filter((p) => p.roles.includes('TL'));
          const proxies = procs.filter((p) => p.roles.includes('CP'));
          if (tlogs.length === 0 || proxies.length === 0) {
            ctx.trace('UnableToTriggerRollback', { Reason: 'No tlogs in System Map' });
            return true;
          }
          const proxy = random.pick(proxies);
          const utIndex = random.int(0, tlogs.length);
          const unclogged = tlogs[utIndex]!;
          // A clog is per IP: a clogged TLog sharing the proxy's IP would clog the proxy's own link.
          if (tlogs.some((t, i) => i !== utIndex && t.ip === proxy.ip)) {
            ctx.trace('UnableToTriggerRollback', { Reason: 'proxy-clogged tLog shared IPs' });
            return true;
          }
          ctx.trace('AttemptingToTriggerRollback', {
            CommitProxy: proxy.address,
            UncloggedTLog: unclogged.address,
          });
          for (let t = 0; t < tlogs.length; t++) {
            if (t !== utIndex) chaos.clogPair(proxy.ip, tlogs[t]!.ip, o.clogDuration);
          }
          // While the other TLogs are still clogged away from the proxy, cut off the one that was not.
          if (!(await sleepUntil(ctx.now() + o.clogDuration / 3))) return false;
          if (o.enableFailures) {
            chaos.rebootProcess(proxy.address);
            chaos.clogInterface(unclogged.ip, o.clogDuration, 'all');
          } else {
            chaos.clogInterface(proxy.ip, o.clogDuration, 'all');
            chaos.clogInterface(unclogged.ip, o.clogDuration, 'all');
          }
          return true;
        };

        if (o.multiple) {
          let lastTime = ctx.now();
          for (;;) {
            lastTime += random.exponential(o.meanDelay);
            if (!(await sleepUntil(lastTime))) return;
            if (!(await simulateFailure())) return;
          }
        }
        const wait =
          random.next() * Math.max(0, o.testDuration - o.clogDuration * SINGLE_FAILURE_CLOG_FACTOR);
        if (!(await sleepUntil(ctx.now() + wait))) return;
        await simulateFailure();
      },
      async check() {
        return true;
      },
    };
  },
});
