// ClockSkew (faultline's own): through the run layer (tests/fast/ClockSkew.toml, Cycle stacked) clocks
// are skewed and Cycle passes; against a recording surface, every skewed clock stays within ±maxOffset
// (drift included) at all times and is back to zero offset and zero drift at the end.
import { describe, expect, it } from 'vitest';
import clockSkew from '../../../workloads/chaos/clock-skew.js';
import { FakeChaos, runSpecFile, runWithFakeChaos, serverProcess, testerProcess } from './chaos-run.js';

describe('ClockSkew through the run layer', () => {
  it('skews three server clocks and restores them; Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/ClockSkew.toml', 1);
    expect(run.result.outcome).toBe('passed');
    expect(run.of('ClockSkew')).toHaveLength(3);
    expect(run.of('ClockSkewCleared')).toHaveLength(3);
    for (const e of run.of('SetClockSkew')) expect(e.details.Address).not.toMatch(/^3\.4\.3\./);
  }, 60_000);
});

describe('ClockSkew decisions', () => {
  it('keeps every clock within ±maxOffset and restores it exactly', async () => {
    const procs = [1, 2, 3, 4, 5].map((i) => serverProcess(i)).concat([testerProcess(1)]);
    for (let seed = 1; seed <= 20; seed++) {
      const chaos = new FakeChaos(procs);
      const r = await runWithFakeChaos(clockSkew, chaos, {
        options: { maxOffset: 0.5, maxDriftPpm: 50_000, testDuration: 20, processesToSkew: 3 },
        seed,
      });
      // Replay the surface's semantics: each call jumps the clock by `offset` and sets a new drift.
      const state = new Map<string, { skew: number; drift: number; since: number }>();
      const skewAt = (s: { skew: number; drift: number; since: number }, t: number) =>
        s.skew + (s.drift * (t - s.since)) / 1e6;
      for (const { time, call } of r.timedCalls.filter((c) => c.call.method === 'setClockSkew')) {
        const [address, jump, drift] = call.args as [string, number, number];
        const s = state.get(address) ?? { skew: 0, drift: 0, since: time };
        const before = skewAt(s, time);
        expect(Math.abs(before)).toBeLessThanOrEqual(0.5 + 1e-9);
        const next = { skew: before + jump, drift, since: time };
        expect(Math.abs(next.skew)).toBeLessThanOrEqual(0.5 + 1e-9);
        // Still within bounds at the end of the window, drift included.
        expect(Math.abs(skewAt(next, 20))).toBeLessThanOrEqual(0.5 + 1e-9);
        state.set(address, next);
      }
      expect(state.size).toBe(3);
      for (const [address, s] of state) {
        expect(address.startsWith('3.4.3.')).toBe(false);
        expect(s.drift).toBe(0);
        expect(Math.abs(s.skew)).toBeLessThan(1e-9);
      }
      expect(r.endTime).toBe(20);
    }
  });
});
