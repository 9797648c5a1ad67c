// SecondaryIndex, the structural-integrity example of docs/writing-workloads.md: records
// (`index/record/ID` = color) and their index entries (`index/by-color/COLOR/ID`) are written in one
// transaction. Clients create, recolor and delete random records; the check scans both ranges in one
// transaction: every record has exactly its index entry, and every index entry points at a record of
// that color. With `trustCachedColor = true` a client recolors a record using the color it remembers
// writing instead of reading the record, so after another client's recolor it clears the wrong index
// entry and leaves a stale one behind.
import { bytes, defineWorkload, opt, str, strinc } from 'faultline';

const RECORDS = 'index/record/';
const BY_COLOR = 'index/by-color/';
const COLORS = ['red', 'green', 'blue', 'amber'] as const;

const recordKey = (id: number) => bytes(`${RECORDS}${String(id).padStart(6, '0')}`);
const indexKey = (color: string, id: number) => bytes(`${BY_COLOR}${color}/${String(id).padStart(6, '0')}`);

export default defineWorkload({
  name: 'SecondaryIndex',
  description: 'Clients write records and their index entries together; the check scans both for a match.',
  kind: 'application',
  options: {
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long clients write, in simulated seconds.',
    }),
    transactionsPerSecond: opt.number({
      default: 30,
      min: 0.01,
      unit: 'tps',
      doc: 'Operations per second of each client.',
    }),
    records: opt.int({ default: 20, min: 1, unit: 'records', doc: 'How many record ids clients share.' }),
    trustCachedColor: opt.bool({
      default: false,
      doc: 'Recolor using the color this client last wrote instead of reading it (true: the stale-index bug).',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const remembered = new Map<number, string>();
    let operations = 0;
    const operate = async () => {
      const id = ctx.random.int(0, o.records);
      const color = ctx.random.pick(COLORS);
      const remove = ctx.random.chance(0.2);
      await ctx.db.run(async (tr) => {
        const stored = await tr.get(recordKey(id));
        const current = o.trustCachedColor && remembered.has(id) ? remembered.get(id) : stored && str(stored);
        if (current !== undefined) tr.clear(indexKey(current, id));
        if (remove) {
          tr.clear(recordKey(id));
        } else {
          tr.set(recordKey(id), bytes(color));
          tr.set(indexKey(color, id), bytes(''));
        }
      });
      if (remove) remembered.delete(id);
      else remembered.set(id, color);
      operations++;
    };
    return {
      async start() {
        const end = ctx.now() + o.testDuration;
        while (ctx.now() < end) {
          await operate();
          await ctx.delay(ctx.random.exponential(1 / o.transactionsPerSecond));
        }
      },
      async check() {
        if (ctx.clientId !== 0) return true;
        const { records, entries } = await ctx.db.run(async (tr) => ({
          records: await tr.getRange(bytes(RECORDS), strinc(bytes(RECORDS))),
          entries: await tr.getRange(bytes(BY_COLOR), strinc(bytes(BY_COLOR))),
        }));
        const colorOf = new Map(records.map((kv) => [str(kv.key).slice(RECORDS.length), str(kv.value)]));
        const indexed = new Set<string>();
        for (const kv of entries) {
          const [color, id] = str(kv.key).slice(BY_COLOR.length).split('/') as [string, string];
          indexed.add(`${color}/${id}`);
          if (colorOf.get(id) !== color) {
            ctx.fail('an index entry points at a record that is missing or has another color', {
              Id: id,
              IndexColor: color,
              RecordColor: colorOf.get(id) ?? 'none',
            });
          }
        }
        for (const [id, color] of colorOf) {
          if (!indexed.has(`${color}/${id}`))
            ctx.fail('a record has no index entry', { Id: id, Color: color });
        }
        ctx.sometimes('some records exist at the end', colorOf.size > 0);
        return true;
      },
      metrics: () => [{ name: 'Operations', value: operations }],
    };
  },
});
