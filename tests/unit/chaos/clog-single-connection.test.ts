// ClogSingleConnection: through the run layer (tests/fast/ClogSingleConnection.toml, Cycle stacked) one IP
// pair is clogged for clogDuration and Cycle passes; against a recording surface, the delay and the pair.
import { describe, expect, it } from 'vitest';
import clogSingleConnection from '../../../workloads/chaos/clog-single-connection.js';
import { detail, FakeChaos, runSpecFile, runWithFakeChaos, serverProcess } from './chaos-run.js';

describe('ClogSingleConnection through the run layer', () => {
  it('clogs one IP pair for clogDuration and Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/ClogSingleConnection.toml', 1);
    expect(run.result.outcome).toBe('passed');
    const mine = run.of('ClogSingleConnection');
    expect(mine).toHaveLength(1);
    const pairs = run.of('CloggingPair');
    expect(pairs).toHaveLength(1);
    expect([detail(pairs[0]!, 'From'), detail(pairs[0]!, 'To'), detail(pairs[0]!, 'Seconds')]).toEqual([
      detail(mine[0]!, 'From'),
      detail(mine[0]!, 'To'),
      '30',
    ]);
  }, 60_000);
});

describe('ClogSingleConnection decisions', () => {
  it('waits a delay in [minDelay, maxDelay] and clogs one pair of distinct IPs', async () => {
    const procs = [1, 2, 3, 4, 5, 6].map((i) => serverProcess(i));
    for (let seed = 1; seed <= 20; seed++) {
      const chaos = new FakeChaos(procs);
      const r = await runWithFakeChaos(clogSingleConnection, chaos, {
        options: { minDelay: 2, maxDelay: 4, clogDuration: 50 },
        seed,
      });
      expect(r.endTime).toBeGreaterThanOrEqual(2);
      expect(r.endTime).toBeLessThanOrEqual(4);
      for (const c of chaos.callsOf('clogPair')) {
        expect(c.args[0]).not.toBe(c.args[1]);
        expect(c.args[2]).toBe(50);
      }
    }
  });

  it('fails the test when maxDelay < minDelay', async () => {
    const r = await runWithFakeChaos(clogSingleConnection, new FakeChaos([serverProcess(1)]), {
      options: { minDelay: 5, maxDelay: 1 },
    });
    expect(r.failures).toHaveLength(1);
  });
});
