// Partition: through the run layer (tests/fast/Partition.toml, Cycle stacked) the server machines are cut
// into two sides and Cycle passes; against a recording surface, which pairs are clogged and for how long.
import { describe, expect, it } from 'vitest';
import partition from '../../../workloads/chaos/partition.js';
import {
  detail,
  FakeChaos,
  runSpecFile,
  runWithFakeChaos,
  serverProcess,
  testerProcess,
} from './chaos-run.js';

const SERVERS = ['2.0.1.1', '2.0.1.2', '2.0.1.3', '2.0.1.4', '2.0.1.5'];

/** The partitions a fake run made: each PartitionNetwork event's sides and the pair clogs that followed. */
function partitionsOf(r: Awaited<ReturnType<typeof runWithFakeChaos>>) {
  const cuts = r.events.filter((e) => e.type === 'PartitionNetwork');
  const clogs = r.timedCalls.filter((c) => c.call.method === 'clogPair');
  return cuts.map((e) => {
    const a = String(e.details.SideA).split(',');
    const b = String(e.details.SideB).split(',');
    const pairs = clogs.filter((c) => c.time === e.time).map((c) => `${c.call.args[0]}>${c.call.args[1]}`);
    return { time: e.time, a, b, pairs, seconds: clogs.find((c) => c.time === e.time)?.call.args[2] };
  });
}

describe('Partition through the run layer', () => {
  it('cuts the servers into two sides again and again, and Cycle passes', async () => {
    const run = await runSpecFile('tests/fast/Partition.toml', 1);
    expect(run.result.outcome).toBe('passed');
    const cuts = run.of('PartitionNetwork');
    expect(cuts.length).toBeGreaterThan(1);
    const pairs = run.of('CloggingPair');
    const first = cuts[0]!;
    const a = detail(first, 'SideA').split(',');
    const b = detail(first, 'SideB').split(',');
    // Both directions of every link across the cut, for partitionDuration.
    const atFirst = pairs.filter((p) => p.time === first.time);
    expect(atFirst).toHaveLength(2 * a.length * b.length);
    for (const p of atFirst) expect(detail(p, 'Seconds')).toBe('3');
  }, 60_000);
});

describe('Partition decisions', () => {
  const procs = () => [...SERVERS.map((_, i) => serverProcess(i + 1)), testerProcess(1), testerProcess(2)];

  it('splits only server machines, into two non-empty sides, both directions of every link across', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = await runWithFakeChaos(partition, new FakeChaos(procs()), {
        options: { testDuration: 30, partitionDuration: 2, meanDelay: 1 },
        seed,
      });
      const cuts = partitionsOf(r);
      expect(cuts.length).toBeGreaterThan(0);
      for (const c of cuts) {
        expect(c.a.length).toBeGreaterThan(0);
        expect(c.b.length).toBeGreaterThan(0);
        expect([...c.a, ...c.b].sort()).toEqual(SERVERS);
        const want = c.a.flatMap((x) => c.b.flatMap((y) => [`${x}>${y}`, `${y}>${x}`])).sort();
        expect(c.pairs.sort()).toEqual(want);
        expect(c.seconds).toBe(2);
        expect(c.time).toBeLessThan(30);
      }
      // Partitions do not overlap: each starts after the previous one healed.
      for (let i = 1; i < cuts.length; i++)
        expect(cuts[i]!.time).toBeGreaterThanOrEqual(cuts[i - 1]!.time + 2);
    }
  });

  it('isolates, together, the machines holding isolateRoles', async () => {
    const servers = [
      serverProcess(1, ['CC', 'CD']),
      serverProcess(2, ['MS', 'TL']),
      serverProcess(3, ['SS']),
      serverProcess(4, ['GP', 'SS']),
      serverProcess(5, ['TL']),
    ];
    const r = await runWithFakeChaos(partition, new FakeChaos([...servers, testerProcess(1)]), {
      options: { mode: 'isolate', isolateRoles: ['master', 'grvproxy'], testDuration: 10, meanDelay: 1 },
      seed: 3,
    });
    const cuts = partitionsOf(r);
    expect(cuts.length).toBeGreaterThan(0);
    for (const c of cuts) {
      expect(c.a).toEqual(['2.0.1.2', '2.0.1.4']);
      expect(c.b).toEqual(['2.0.1.1', '2.0.1.3', '2.0.1.5']);
    }
  });

  it('isolates one random machine in isolate mode without roles', async () => {
    const r = await runWithFakeChaos(partition, new FakeChaos(procs()), {
      options: { mode: 'isolate', testDuration: 20, meanDelay: 1 },
      seed: 2,
    });
    const cuts = partitionsOf(r);
    expect(cuts.length).toBeGreaterThan(0);
    for (const c of cuts) expect(c.a).toHaveLength(1);
  });
});
