// Partition (faultline's own, after Jepsen's partition nemesis): client 0 splits the server machines into
// two sides that cannot reach each other, one partition at a time during testDuration. Testers keep
// reaching both sides, as clients of a real cluster talk to servers on either side of a broken switch.
// Modes: 'halves' (a random half against the rest), 'isolate' (the machines holding isolateRoles against
// the rest, or one random machine), 'random' (either, per partition). Like every clog,
// a partition delays messages until it heals, never drops them.
import { defineWorkload, opt } from '../../src/index.js';
import { TARGET_ROLES } from './targeted-kill.js';

export default defineWorkload({
  name: 'Partition',
  description:
    'faultline: client 0 cuts the server machines into two sides (a random half, or one machine, by ' +
    'default chosen per partition) for partitionDuration at a time; testers still reach both sides.',
  kind: 'chaos',
  options: {
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long partitions keep coming; none starts after it.',
    }),
    partitionDuration: opt.number({
      default: 4,
      min: 0,
      unit: 's',
      doc: 'How long each partition lasts before it heals.',
    }),
    meanDelay: opt.number({
      default: 4,
      min: 0,
      unit: 's',
      doc: 'Mean wait before each partition (exponentially distributed), counted from the last heal.',
    }),
    mode: opt.string({
      default: 'random',
      choices: ['random', 'halves', 'isolate'],
      doc: "How the sides are drawn: 'halves', 'isolate' (one machine), or 'random' (either, each time).",
    }),
    isolateRoles: opt.strings({
      default: [],
      choices: [...TARGET_ROLES.keys()],
      doc:
        "With 'isolate': cut off, together, the machines holding these roles now (master, grvproxy, " +
        'tlog, ...); empty = one random machine.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;
    let partitions = 0;

    /** The two sides of the next partition, as sorted IP lists; undefined when there are not two IPs. */
    const drawSides = (): { a: string[]; b: string[]; mode: string } | undefined => {
      const servers = chaos.processes().filter((p) => !p.isTester);
      const ips = [...new Set(servers.map((p) => p.ip))].sort();
      if (ips.length < 2) return undefined;
      const mode = o.mode === 'random' ? random.pick(['halves', 'isolate']) : o.mode;
      let a: string[];
      if (mode === 'halves') {
        a = random.shuffle(ips).slice(0, Math.floor(ips.length / 2));
      } else {
        const roles = new Set(o.isolateRoles.map((r) => TARGET_ROLES.get(r)!));
        const holders = [
          ...new Set(servers.filter((p) => p.alive && p.roles.some((r) => roles.has(r))).map((p) => p.ip)),
        ].sort();
        // No holder, or every machine holds one (no other side would be left): one machine goes alone.
        a =
          holders.length > 0 && holders.length < ips.length
            ? holders
            : [random.pick(holders.length > 0 ? holders : ips)];
      }
      const side = new Set(a);
      return { a: [...side].sort(), b: ips.filter((ip) => !side.has(ip)), mode };
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const end = ctx.now() + o.testDuration;
        for (;;) {
          await ctx.delay(random.exponential(o.meanDelay));
          if (ctx.now() >= end) return;
          const sides = drawSides();
          if (!sides) {
            ctx.trace('PartitionSkipped', { Reason: 'fewer than two server machines' });
            return;
          }
          ctx.trace('PartitionNetwork', {
            SideA: sides.a.join(','),
            SideB: sides.b.join(','),
            Mode: sides.mode,
            Seconds: o.partitionDuration,
          });
          for (const x of sides.a) {
            for (const y of sides.b) {
              chaos.clogPair(x, y, o.partitionDuration);
              chaos.clogPair(y, x, o.partitionDuration);
            }
          }
          partitions++;
          await ctx.delay(o.partitionDuration);
        }
      },
      metrics() {
        return ctx.clientId === 0 ? [{ name: 'Partitions', value: partitions }] : [];
      },
    };
  },
});
