// BankTransfer, the conservation-law example of docs/writing-workloads.md: accounts start with a fixed
// balance, clients move random amounts between random pairs of accounts, and the sum over all accounts
// must stay what it was. With `snapshotReads = true` a transfer reads the balances without read
// conflicts: two concurrent transfers from one account can both commit from the same old balance, and
// money appears or disappears (a lost update).
import { bytes, defineWorkload, opt, str, strinc } from 'faultline';

const PREFIX = 'bank/account/';

export default defineWorkload({
  name: 'BankTransfer',
  description: 'Clients move money between accounts; the check sums every account against the money created.',
  kind: 'application',
  options: {
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long clients transfer, in simulated seconds.',
    }),
    transactionsPerSecond: opt.number({
      default: 50,
      min: 0.01,
      unit: 'tps',
      doc: 'Transfers per second of each client.',
    }),
    actorsPerClient: opt.int({
      default: 3,
      min: 1,
      unit: 'actors',
      doc: 'Concurrent transfer loops per client.',
    }),
    accounts: opt.int({ default: 10, min: 2, unit: 'accounts', doc: 'How many accounts.' }),
    initialBalance: opt.int({
      default: 1000,
      min: 1,
      unit: 'coins',
      doc: 'Balance of every account at the start.',
    }),
    snapshotReads: opt.bool({
      default: false,
      doc: 'Read balances without read conflicts (true: the lost-update bug that breaks conservation).',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const accountKey = (i: number) => bytes(`${PREFIX}${String(i).padStart(6, '0')}`);
    const readBalance = async (tr: Parameters<Parameters<typeof ctx.db.run>[0]>[0], i: number) => {
      const v = await tr.get(accountKey(i), { snapshot: o.snapshotReads });
      return v ? Number(str(v)) : 0;
    };
    let transfers = 0;

    const actor = async (end: number) => {
      while (ctx.now() < end) {
        const from = ctx.random.int(0, o.accounts);
        const to = (from + ctx.random.int(1, o.accounts)) % o.accounts;
        const amount = ctx.random.int(1, 100);
        const moved = await ctx.db.run(async (tr) => {
          const a = await readBalance(tr, from);
          if (a < amount) return false;
          const b = await readBalance(tr, to);
          tr.set(accountKey(from), bytes(String(a - amount)));
          tr.set(accountKey(to), bytes(String(b + amount)));
          return true;
        });
        if (moved) transfers++;
        ctx.sometimes('a transfer was refused for lack of funds', !moved);
        await ctx.delay(ctx.random.exponential(o.actorsPerClient / o.transactionsPerSecond));
      }
    };

    return {
      async setup() {
        if (ctx.clientId !== 0) return;
        await ctx.db.run(async (tr) => {
          for (let i = 0; i < o.accounts; i++) tr.set(accountKey(i), bytes(String(o.initialBalance)));
        });
      },
      async start() {
        const end = ctx.now() + o.testDuration;
        await Promise.all(Array.from({ length: o.actorsPerClient }, () => actor(end)));
      },
      async check() {
        if (ctx.clientId !== 0) return true;
        const rows = await ctx.db.run((tr) => tr.getRange(bytes(PREFIX), strinc(bytes(PREFIX))));
        const balances = rows.map((kv) => Number(str(kv.value)));
        const total = balances.reduce((s, b) => s + b, 0);
        const expected = o.accounts * o.initialBalance;
        if (rows.length !== o.accounts || total !== expected) {
          ctx.fail('money was created or destroyed', {
            Total: total,
            Expected: expected,
            Accounts: rows.length,
          });
        }
        ctx.always(
          'no account is overdrawn',
          balances.every((b) => b >= 0),
          { Lowest: Math.min(...balances) },
        );
        return true;
      },
      metrics: () => [{ name: 'Transfers', value: transfers }],
    };
  },
});
