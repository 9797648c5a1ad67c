// TriggerRecoveryLoop: FoundationDB's forced-recovery loop. Client 0 forces numRecoveries recoveries of the
// transaction subsystem, each by toggling the resolver count (a configuration change needs new roles) or,
// with probability killAllProportion, by rebooting every worker; between them it waits until the cluster
// commits again. At the end it restores the original resolver count. Its options are every option of
// FoundationDB's workload (TriggerRecovery.cpp, up to its 2026 version). FoundationDB's
// tests/fast/TriggerRecoveryLoop.toml also sets `injectFailureAfterFirstRecovery`, which no stored version
// of that source reads: what it does is unknown, so it stays an unknown option (docs/fdb-compatibility.md).
import { bytes, defineWorkload, opt } from '../../src/index.js';

/**
 * The key the recovery probe conflicts on (read and write conflict ranges only: nothing is written, but
 * the commit is real, as FoundationDB's makeSelfConflicting).
 */
const PROBE_KEY = bytes('faultline/TriggerRecoveryLoop/probe');

export default defineWorkload({
  name: 'TriggerRecoveryLoop',
  description:
    'Client 0 forces recoveries by toggling the resolver count or rebooting every worker, waiting for ' +
    'commits to succeed between them, then restores the resolver count.',
  kind: 'chaos',
  options: {
    startTime: opt.number({ default: 0, min: 0, unit: 's', doc: 'Wait before the first recovery.' }),
    numRecoveries: opt.int({
      default: 0,
      min: 0,
      unit: 'recoveries',
      doc: 'Recoveries to force; 0 = random in 1..9, as FoundationDB draws it.',
    }),
    delayBetweenRecoveries: opt.number({
      default: 0,
      min: 0,
      unit: 's',
      doc: 'Wait after each recovery before checking that the cluster commits again.',
    }),
    killAllProportion: opt.number({
      default: 0.1,
      min: 0,
      max: 1,
      unit: 'fraction',
      doc: 'Fraction of recoveries forced by rebooting every worker instead of changing the resolver count.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;
    // FoundationDB draws the default when the workload is constructed.
    const drawn = random.int(1, 10);
    const numRecoveries = o.numRecoveries > 0 ? o.numRecoveries : drawn;
    let originalResolvers = 1;
    let currentResolvers = 1;

    /** Reboots every live server process (FoundationDB sends each worker a reboot request). */
    const killAll = (): void => {
      for (const p of chaos.processes()) {
        // A worker's reboot request is not a simulator kill, so the kill-safety policy does not apply;
        // RebootProcess keeps every file, so no data can be lost.
        if (p.alive && !p.isTester) chaos.rebootProcess(p.address, { forced: true });
      }
      ctx.trace('TriggerRecoveryLoop_AttempedKillAll', {});
    };

    /** Sets resolvers to original + 1, or back to the original (`setToOriginal`, or when it is not now). */
    const changeResolverConfig = async (setToOriginal = false): Promise<void> => {
      const n =
        setToOriginal || currentResolvers !== originalResolvers ? originalResolvers : originalResolvers + 1;
      await chaos.changeConfiguration({ resolvers: n });
      currentResolvers = n;
      ctx.trace('TriggerRecoveryLoop_ChangeResolverConfigSuccess', { NumOfResolvers: n });
    };

    /**
     * Waits until a self-conflicting transaction commits: the cluster has recovered. Lock-aware, as
     * FoundationDB's, so a database another workload locked does not hold the loop up forever.
     */
    const returnIfClusterRecovered = async (): Promise<void> => {
      const tr = ctx.db.createTransaction();
      for (;;) {
        try {
          tr.setOption('lockAware');
          const v = await tr.getReadVersion();
          tr.addReadConflictKey(PROBE_KEY);
          tr.addWriteConflictKey(PROBE_KEY);
          await tr.commit();
          ctx.trace('TriggerRecoveryLoop_ClusterVersion', { Version: v });
          return;
        } catch (e) {
          await tr.onError(e);
        }
      }
    };

    return {
      async setup() {
        if (ctx.clientId !== 0) return;
        // The desired resolver count: the processes holding a resolver now (at least one).
        const resolvers = chaos.processes().filter((p) => p.alive && p.roles.includes('RV')).length;
        originalResolvers = currentResolvers = Math.max(1, resolvers);
        ctx.trace('TriggerRecoveryLoopSetup', {
          StartTime: o.startTime,
          NumRecoveries: numRecoveries,
          DelayBetweenRecoveries: o.delayBetweenRecoveries,
          OriginalResolvers: originalResolvers,
        });
      },
      async start() {
        if (ctx.clientId !== 0) return;
        await ctx.delay(o.startTime);
        let done = 0;
        try {
          for (;;) {
            if (random.next() < o.killAllProportion) killAll();
            else await changeResolverConfig();
            done++;
            ctx.trace('TriggerRecoveryLoop_AttempedRecovery', { RecoveryNum: done });
            if (done === numRecoveries) break;
            await ctx.delay(o.delayBetweenRecoveries);
            await returnIfClusterRecovered();
          }
        } catch (e) {
          // As FoundationDB: an error ends the loop, and the resolver count is still put back.
          ctx.trace('TriggerRecoveryLoop_Error', { Error: e instanceof Error ? e.message : String(e) }, 20);
        }
        await changeResolverConfig(true);
      },
      async check() {
        return true;
      },
    };
  },
});
