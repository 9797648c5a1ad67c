// Counter, the tutorial's workload (docs/writing-workloads.md): each client increments its own counter
// key, one read-modify-write transaction per increment, and checks at the end that the counter equals the
// increments it completed. With `logOperations = false` an increment is not idempotent: when a commit
// ends in commit_unknown_result but did commit, the retry adds 1 again and the counter double-counts.
// With operation logging (the default) each increment also writes its own log key, and a retry after an
// unknown result first reads that key to learn whether the earlier attempt committed.
import { bytes, defineWorkload, opt, str } from 'faultline';

export default defineWorkload({
  name: 'Counter',
  description: 'Each client increments its own counter; the check compares it with the increments completed.',
  kind: 'application',
  options: {
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long clients increment, in simulated seconds.',
    }),
    transactionsPerSecond: opt.number({
      default: 50,
      min: 0.01,
      unit: 'tps',
      doc: 'Increments per second of each client.',
    }),
    logOperations: opt.bool({
      default: true,
      doc: 'Log each increment under its own key so a retry after commit_unknown_result is idempotent (false: the double-counting bug).',
    }),
  },
  create(ctx) {
    const prefix = `counter/${String(ctx.clientId).padStart(4, '0')}/`;
    const counterKey = bytes(`${prefix}value`);
    const opKey = (n: number) => bytes(`${prefix}op/${String(n).padStart(8, '0')}`);
    let increments = 0;
    let retriedUnknown = 0;
    return {
      async start() {
        const end = ctx.now() + ctx.options.testDuration;
        while (ctx.now() < end) {
          const n = increments;
          await ctx.db.run(async (tr, attempt) => {
            if (attempt.maybeCommitted) retriedUnknown++;
            if (
              ctx.options.logOperations &&
              attempt.maybeCommitted &&
              (await tr.get(opKey(n))) !== undefined
            ) {
              return; // the earlier attempt committed: this increment is already counted
            }
            const value = await tr.get(counterKey);
            tr.set(counterKey, bytes(String((value ? Number(str(value)) : 0) + 1)));
            if (ctx.options.logOperations) tr.set(opKey(n), bytes('1'));
          });
          increments++;
          await ctx.delay(ctx.random.exponential(1 / ctx.options.transactionsPerSecond));
        }
        ctx.sometimes('a retry followed commit_unknown_result', retriedUnknown > 0);
      },
      async check() {
        const value = await ctx.db.run(async (tr) => tr.get(counterKey));
        const counted = value ? Number(str(value)) : 0;
        if (counted !== increments) {
          ctx.fail('the counter differs from the increments completed', {
            Counter: counted,
            Increments: increments,
          });
        }
        return true;
      },
      metrics: () => [
        { name: 'Increments', value: increments },
        { name: 'RetriesAfterUnknownResult', value: retriedUnknown },
      ],
    };
  },
});
