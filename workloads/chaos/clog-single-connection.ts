// ClogSingleConnection: FoundationDB's one long partition. After a random delay in [minDelay, maxDelay],
// client 0 clogs one random IP pair (one direction) for clogDuration — by default so long that the
// connection is effectively partitioned for the rest of the test — and the cluster must route around it.
import { defineWorkload, opt } from '../../src/index.js';

export default defineWorkload({
  name: 'ClogSingleConnection',
  description:
    'After a random delay, client 0 clogs one random IP pair for clogDuration (default effectively forever).',
  kind: 'chaos',
  options: {
    minDelay: opt.number({ default: 0, min: 0, unit: 's', doc: 'Shortest wait before the clog.' }),
    maxDelay: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'Longest wait before the clog (the wait is uniform in [minDelay, maxDelay]).',
    }),
    clogDuration: opt.number({
      default: 10000,
      min: 0,
      unit: 's',
      doc: 'How long the pair stays clogged (FoundationDB: 10000 s when absent, i.e. forever).',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    // FoundationDB draws the delay when the workload is constructed.
    const delaySeconds = o.minDelay + random.next() * (o.maxDelay - o.minDelay);

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        if (o.maxDelay < o.minDelay) {
          ctx.fail('ClogSingleConnection: maxDelay must be at least minDelay', {
            MinDelay: o.minDelay,
            MaxDelay: o.maxDelay,
          });
          return;
        }
        await ctx.delay(delaySeconds);
        const procs = ctx.chaos.processes();
        if (procs.length === 0) return;
        const m1 = random.pick(procs);
        const m2 = random.pick(procs);
        // Two processes on one IP have no network link to clog: FoundationDB then does nothing.
        if (m1.ip === m2.ip) {
          ctx.trace('ClogSingleConnection', { From: m1.ip, To: m2.ip, Seconds: 0, Skipped: 'same IP' });
          return;
        }
        ctx.trace('ClogSingleConnection', { From: m1.ip, To: m2.ip, Seconds: o.clogDuration });
        ctx.chaos.clogPair(m1.ip, m2.ip, o.clogDuration);
      },
      async check() {
        return true;
      },
    };
  },
});
