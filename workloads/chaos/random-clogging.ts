// RandomClogging: FoundationDB's network-delay injector. Client 0 clogs random interfaces (send, receive
// or both directions) and random IP pairs at Poisson times for testDuration; in swizzle mode it clogs a
// random half of the processes one by one and unclogs them in a different order. Clogs delay messages,
// they never drop them. Option names, defaults and duration draws are FoundationDB's.
import { type ClogMode, defineWorkload, opt, type ProcessInfo, type Random } from '../../src/index.js';

/**
 * FoundationDB draws a clog length as `base * e^(-10U)` (U uniform in [0, 1)): heavily skewed to short
 * clogs, at most `base` seconds.
 */
export function clogSeconds(random: Random, base: number): number {
  return base * Math.exp(-10 * random.next());
}

/** The simulator's mode for an interface clog whose mode is not given: 30% send, 30% receive, 40% both. */
export function clogMode(random: Random): ClogMode {
  const u = random.next();
  return u < 0.3 ? 'send' : u < 0.6 ? 'receive' : 'all';
}

/** One process's clog in a swizzle round: it clogs `start` s into the round and unclogs at `end`. */
export interface SwizzleClog {
  readonly ip: string;
  readonly start: number;
  readonly end: number;
}

/**
 * FoundationDB's swizzle schedule for a round of `t` seconds: each IP is chosen with probability 0.5 and
 * gets a start in [0, t/2) and an end in [t/2, t), so the chosen clog one by one and unclog in a
 * different random order.
 */
export function swizzleSchedule(random: Random, ips: readonly string[], t: number): SwizzleClog[] {
  const out: SwizzleClog[] = [];
  for (const ip of ips) {
    if (random.next() < 0.5) {
      const start = (random.next() * t) / 2;
      const end = (random.next() * t) / 2 + t / 2;
      out.push({ ip, start, end });
    }
  }
  return out;
}

/**
 * Options FoundationDB gives RandomClogging when it adds it as an automatic failure-injection workload:
 * scale and clogginess random in [0.1, 1), swizzle 30%, iterate 50%.
 */
export function injectedOptions(random: Random): Record<string, number | boolean> {
  return {
    scale: Math.max(random.next(), 0.1),
    clogginess: Math.max(random.next(), 0.1),
    swizzle: random.chance(0.3) ? 1 : 0,
    iterate: random.chance(0.5),
  };
}

/** FoundationDB's iterate mode: rounds run until this many seconds have passed since the start. */
const MAX_RUN_SECONDS = 60;
/** First pause between iterated rounds, seconds; each later pause is 1.5 times the previous one. */
const FIRST_SUSPEND_SECONDS = 10;
const SUSPEND_BACKOFF = 1.5;
/** Random pair clogs added to each swizzle period. */
const SWIZZLE_PAIR_CLOGS = 10;

export default defineWorkload({
  name: 'RandomClogging',
  description:
    'Client 0 clogs random interfaces and IP pairs at Poisson times (or swizzles: clogs a random half of ' +
    'the processes one by one and unclogs them in another order); messages are delayed, never lost.',
  kind: 'chaos',
  options: {
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long clogs are injected; every clog is cut to end by then.',
    }),
    scale: opt.number({
      default: 1,
      min: 0,
      unit: 'factor',
      doc: 'Scales clog lengths (interface clogs up to 10*scale s, pair clogs up to 20*scale s) and the mean gap (0 = never clog).',
    }),
    clogginess: opt.number({
      default: 1,
      min: 0,
      unit: 'factor',
      doc: 'Clog rate: the mean gap between clog rounds is scale/clogginess s (0 = never clog).',
    }),
    swizzle: opt.int({
      default: 0,
      min: 0,
      doc: 'Non-zero selects swizzle mode: each round clogs a random half of the processes one by one and unclogs them in a different order.',
    }),
    iterate: opt.bool({
      default: false,
      doc: 'faultline: FoundationDB’s injected mode — repeat the testDuration round after a 10 s pause growing x1.5, until 60 s have passed.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;
    /** Clogs scheduled for later (swizzle starts); awaited so start() ends only when all were applied. */
    const pending: Promise<void>[] = [];

    /** FoundationDB's clogRandomPair: two random processes; clogs the pair when their IPs differ. */
    const clogRandomPair = (procs: readonly ProcessInfo[], seconds: number): void => {
      const m1 = random.pick(procs);
      const m2 = random.pick(procs);
      if (m1.ip !== m2.ip) chaos.clogPair(m1.ip, m2.ip, seconds);
    };

    /** Clogs `ip` for `seconds` after `wait` seconds, as FoundationDB's doClog. */
    const doClog = (ip: string, seconds: number, mode: ClogMode, wait: number): void => {
      if (wait <= 0) {
        chaos.clogInterface(ip, seconds, mode);
        return;
      }
      pending.push(ctx.delay(wait).then(() => chaos.clogInterface(ip, seconds, mode)));
    };

    /**
     * One round of testDuration seconds (cut at `deadline`): clog rounds at Poisson times of mean
     * scale/clogginess. Returns at the end of the round (FoundationDB's timeout around the clog actor).
     */
    const round = async (deadline: number): Promise<void> => {
      const end = Math.min(deadline, ctx.now() + o.testDuration);
      // scale 0 (clogs of length 0) or clogginess 0: no clogs, rather than a loop that never yields.
      const mean = o.clogginess > 0 && o.scale > 0 ? o.scale / o.clogginess : Number.POSITIVE_INFINITY;
      let lastTime = ctx.now();
      for (;;) {
        lastTime += random.exponential(mean);
        if (!(lastTime < end)) {
          if (end > ctx.now()) await ctx.delay(end - ctx.now());
          return;
        }
        if (lastTime > ctx.now()) await ctx.delay(lastTime - ctx.now());
        const procs = chaos.processes();
        if (procs.length === 0) continue;
        const remaining = end - ctx.now();
        if (o.swizzle === 0) {
          const machine = random.pick(procs);
          const t = Math.max(0, Math.min(clogSeconds(random, o.scale * 10), remaining));
          doClog(machine.ip, t, clogMode(random), 0);
          const tp = Math.max(0, Math.min(clogSeconds(random, o.scale * 20), end - ctx.now()));
          clogRandomPair(procs, tp);
        } else {
          const t = Math.max(0, Math.min(clogSeconds(random, o.scale * 10), remaining));
          const swizzled = swizzleSchedule(
            random,
            procs.map((p) => p.ip),
            t,
          );
          for (let i = 0; i < SWIZZLE_PAIR_CLOGS; i++) clogRandomPair(procs, t);
          for (const s of swizzled) doClog(s.ip, s.end - s.start, clogMode(random), s.start);
        }
      }
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const startTime = ctx.now();
        let suspend = FIRST_SUSPEND_SECONDS;
        // Iterating, FoundationDB stops every round once 60 s have passed since the start.
        const deadline = o.iterate ? startTime + MAX_RUN_SECONDS : Number.POSITIVE_INFINITY;
        for (;;) {
          await round(deadline);
          if (!o.iterate || ctx.now() - startTime >= MAX_RUN_SECONDS) break;
          await ctx.delay(suspend);
          suspend *= SUSPEND_BACKOFF;
        }
        await Promise.all(pending);
      },
      async check() {
        return true;
      },
    };
  },
});
