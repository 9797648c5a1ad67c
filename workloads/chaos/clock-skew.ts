// ClockSkew (faultline's own; FoundationDB's simulator has no clock faults): client 0 gives some server
// processes a clock offset and a drift, re-draws one of them at Poisson times, and restores every clock
// at the end of testDuration. Offsets stay within ±maxOffset for the whole window, drift included, so
// the fault is bounded as a real NTP-disciplined fleet is.
import { defineWorkload, opt, type Random } from '../../src/index.js';

/** A process's skew as this workload set it: `offset` seconds at simulated time `since`, drifting. */
interface Skew {
  readonly offset: number;
  readonly driftPpm: number;
  readonly since: number;
}

/** The skew in seconds at simulated time `t`. */
function skewAt(s: Skew, t: number): number {
  return s.offset + (s.driftPpm * (t - s.since)) / 1e6;
}

/**
 * A skew drawn so that it stays within ±maxOffset seconds for the next `horizon` seconds: a drift in
 * ±maxDriftPpm, then an offset leaving room for what the drift adds. A drift that alone would leave the
 * bounds is dropped.
 */
export function drawSkew(
  random: Random,
  maxOffset: number,
  maxDriftPpm: number,
  horizon: number,
): { offset: number; driftPpm: number } {
  let driftPpm = random.uniform(-maxDriftPpm, maxDriftPpm);
  let span = (driftPpm * Math.max(0, horizon)) / 1e6;
  if (Math.abs(span) > 2 * maxOffset) {
    driftPpm = 0;
    span = 0;
  }
  const lo = -maxOffset - Math.min(0, span);
  const hi = maxOffset - Math.max(0, span);
  return { offset: random.uniform(lo, hi), driftPpm };
}

export default defineWorkload({
  name: 'ClockSkew',
  description:
    'faultline: client 0 skews the clocks of some server processes (offset within ±maxOffset, drift within ' +
    '±maxDriftPpm), re-draws them during testDuration and restores them at the end.',
  kind: 'chaos',
  options: {
    maxOffset: opt.number({
      default: 1,
      min: 0,
      unit: 's',
      doc: 'Largest clock offset of a skewed process, either way, drift included.',
    }),
    maxDriftPpm: opt.number({
      default: 100,
      min: 0,
      unit: 'ppm',
      doc: 'Largest clock drift, either way, in parts per million (100 ppm = 0.1 ms per second).',
    }),
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long clocks stay skewed; every clock is restored at the end.',
    }),
    processesToSkew: opt.int({
      default: 3,
      min: 0,
      unit: 'processes',
      doc: 'How many live server processes get a skewed clock (all of them when fewer exist).',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    const random = ctx.random;
    const chaos = ctx.chaos;
    /** Current skew by address; the surface moves a clock relative to where it reads now. */
    const skews = new Map<string, Skew>();

    /** Moves `address`'s clock to `offset` seconds of skew drifting at `driftPpm`. */
    const setSkew = (address: string, offset: number, driftPpm: number): void => {
      const now = ctx.now();
      const prev = skews.get(address);
      const jump = offset - (prev ? skewAt(prev, now) : 0);
      chaos.setClockSkew(address, jump, driftPpm);
      skews.set(address, { offset, driftPpm, since: now });
    };

    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const end = ctx.now() + o.testDuration;
        const servers = chaos.processes().filter((p) => p.alive && !p.isTester);
        const chosen = random
          .shuffle(servers)
          .slice(0, o.processesToSkew)
          .map((p) => p.address)
          .sort();
        const skew = (address: string, type: string): void => {
          const s = drawSkew(random, o.maxOffset, o.maxDriftPpm, end - ctx.now());
          setSkew(address, s.offset, s.driftPpm);
          ctx.trace(type, { Address: address, Offset: s.offset, DriftPpm: s.driftPpm, Until: end });
        };
        for (const address of chosen) skew(address, 'ClockSkew');

        // Re-draw one skewed clock at Poisson times: clocks that jump are where lease bugs hide.
        const meanGap = Math.max(1, o.testDuration / 4);
        let lastTime = ctx.now();
        for (;;) {
          lastTime += random.exponential(meanGap);
          if (!(lastTime < end) || chosen.length === 0) break;
          await ctx.delay(lastTime - ctx.now());
          skew(random.pick(chosen), 'ClockSkewChanged');
        }
        if (end > ctx.now()) await ctx.delay(end - ctx.now());
        for (const address of chosen) {
          setSkew(address, 0, 0);
          ctx.trace('ClockSkewCleared', { Address: address });
        }
      },
      async check() {
        return true;
      },
    };
  },
});
