// DiskFailureInjection: through the run layer (tests/fast/DiskFailureInjection.toml, Cycle stacked) disk
// stalls and bit flips really happen (SetDiskFailure, CorruptedBlock), chaos is observed (FoundChaos) and
// the run still passes because checksums catch the flips; against a recording surface, the worker quotas,
// the storage-only choice and the periodic re-broadcast.
import { describe, expect, it } from 'vitest';
import diskFailureInjection from '../../../workloads/chaos/disk-failure-injection.js';
import { FakeChaos, runSpecFile, runWithFakeChaos, serverProcess, testerProcess } from './chaos-run.js';

describe('DiskFailureInjection through the run layer', () => {
  it('stalls disks and flips bits on storage workers, and Cycle still passes', async () => {
    // Seed 5: the worker chosen for bit flips holds a storage server with data (flips hit only storage
    // files, and with other seeds the chosen one may hold an almost empty one).
    const run = await runSpecFile('tests/fast/DiskFailureInjection.toml', 5);
    expect(run.result.outcome).toBe('passed');
    const stalls = run.of('SetDiskFailure');
    expect(stalls.length).toBeGreaterThan(0);
    expect(new Set(stalls.map((e) => e.machine)).size).toBeLessThanOrEqual(2);
    const flips = run.of('CorruptedBlock');
    expect(flips.length).toBeGreaterThan(0);
    expect(new Set(flips.map((e) => e.machine)).size).toBe(1);
    // Only storage files get flipped bits: logs and coordinators trust what they synced.
    for (const e of flips) expect(e.details.Filename).toMatch(/^storage-/);
    expect(run.of('FoundChaos')).toHaveLength(1);
    // The counts are the simulated disks' own: delayed I/Os and flipped bits.
    const metrics = run.of('ChaosMetrics');
    expect(metrics.some((e) => Number(e.details.BitFlips) > 0)).toBe(true);
    expect(metrics.some((e) => Number(e.details.DiskDelays) > 0)).toBe(true);
  }, 60_000);
});

const PROCS = [
  serverProcess(1, ['SS']),
  serverProcess(2, ['SS', 'TL']),
  serverProcess(3, ['SS']),
  serverProcess(4, ['SS']),
  serverProcess(5, ['CP', 'TL']),
  testerProcess(1),
];

describe('DiskFailureInjection decisions', () => {
  it('throttles at most workersToThrottle and corrupts at most workersToCorrupt storage workers', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(diskFailureInjection, chaos, {
      options: {
        testDuration: 30,
        throttleDisk: true,
        workersToThrottle: 2,
        corruptFile: true,
        workersToCorrupt: 1,
        percentBitFlips: 5,
        stallPeriod: 7,
        periodicBroadcastInterval: 100,
      },
    });
    expect(r.endTime).toBe(30);
    const throttled = new Set(chaos.callsOf('setDiskFailure').map((c) => c.args[0]));
    const corrupted = new Set(chaos.callsOf('flipBits').map((c) => c.args[0]));
    expect(throttled.size).toBe(2);
    expect(corrupted.size).toBe(1);
    for (const a of [...throttled, ...corrupted])
      expect(['2.0.1.1:1', '2.0.1.2:1', '2.0.1.3:1', '2.0.1.4:1']).toContain(a);
    expect(chaos.callsOf('setDiskFailure')[0]!.args[1]).toEqual({
      stallInterval: 0,
      stallPeriod: 7,
      throttlePeriod: 60,
    });
    expect(chaos.callsOf('flipBits')[0]!.args[1]).toBe(5);
  });

  it('re-sends the commands every periodicBroadcastInterval until chaos is seen, then reports FoundChaos', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(diskFailureInjection, chaos, {
      options: { testDuration: 60, startDelay: 5, corruptFile: true, periodicBroadcastInterval: 4 },
    });
    const flips = r.timedCalls.filter((c) => c.call.method === 'flipBits');
    expect(flips[0]!.time).toBeGreaterThanOrEqual(5);
    const found = r.events.filter((e) => e.type === 'FoundChaos');
    expect(found).toHaveLength(1);
    // After chaos was found, no more re-broadcasts.
    const resends = r.events.filter((e) => e.type === 'ResendChaos');
    for (const e of resends) expect(e.time).toBeLessThanOrEqual(found[0]!.time);
  });

  it('reads each chosen worker’s ChaosMetrics from the surface and counts only the chaos it injects', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(diskFailureInjection, chaos, {
      options: { testDuration: 60, throttleDisk: true, workersToThrottle: 1, periodicBroadcastInterval: 4 },
    });
    const metrics = r.events.filter((e) => e.type === 'ChaosMetrics');
    expect(metrics.length).toBeGreaterThan(0);
    const throttled = chaos.callsOf('setDiskFailure')[0]!.args[0] as string;
    for (const e of metrics) {
      expect(e.details.BitFlips).toBe(0);
      if (e.details.Address !== throttled) expect(e.details.DiskDelays).toBe(0);
    }
    const found = r.events.filter((e) => e.type === 'FoundChaos');
    expect(found).toHaveLength(1);
    // The fake counts one delayed I/O per disk-failure command sent to the worker.
    const last = metrics.filter((e) => e.details.Address === throttled).at(-1)!;
    expect(last.details.DiskDelays).toBe(chaos.callsOf('setDiskFailure').length);
    expect(found[0]!.details.ChaosMetricCount).toBe(last.details.DiskDelays);
  });

  it('in verificationMode runs past testDuration until chaos is seen', async () => {
    const chaos = new FakeChaos(PROCS);
    const r = await runWithFakeChaos(diskFailureInjection, chaos, {
      options: {
        testDuration: 1,
        startDelay: 3,
        corruptFile: true,
        verificationMode: true,
        periodicBroadcastInterval: 5,
      },
    });
    expect(r.events.filter((e) => e.type === 'FoundChaos')).toHaveLength(1);
    expect(r.endTime).toBeGreaterThan(3);
  });
});
