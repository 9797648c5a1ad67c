// Determinism is the product: one seed gives a byte-identical trace for a randomized scenario that
// exercises the network, clogs, disks, kills and BUGGIFY, and different seeds give different traces.
import { describe, expect, it } from 'vitest';
import { bytes, encodeInt64LE } from '../../../src/cluster/bytes.js';
import { SimulatedCluster } from '../../../src/cluster/cluster.js';
import { resolveClusterConfig } from '../../../src/cluster/config.js';
import { CLUSTER_KNOBS } from '../../../src/cluster/knobs.js';
import { seconds } from '../../../src/core/time.js';
import { World } from '../../../src/sim/world.js';
import { TraceWriter } from '../../../src/trace/writer.js';

/** Runs a chaos scenario from a seed and returns the trace text, its hash and the unseed. */
async function scenario(seed: number): Promise<{ text: string; hash: string; unseed: number }> {
  const writer = new TraceWriter({ verbose: true });
  const world = new World({
    seed,
    buggify: true,
    sink: writer,
    knobs: CLUSTER_KNOBS,
    limits: { maxTime: seconds(600) },
  });
  const config = resolveClusterConfig(
    { file: '<determinism>', values: new Map() },
    world.random.fork('config'),
  );
  const cluster = new SimulatedCluster(world, config);
  const outcome = await world.kernel.run(async () => {
    cluster.start();
    const db = cluster.client(0);
    const rnd = world.random.fork('scenario');
    const servers = () => world.machines.filter((m) => m.processes[0]?.processClass !== 'test');
    for (let i = 0; i < 30; i++) {
      await db.run(async (tr) => {
        tr.add(bytes(`counter${i % 3}`), encodeInt64LE(1));
        await tr.get(bytes(`counter${(i + 1) % 3}`));
      });
      const m = rnd.pick(servers());
      const p = rnd.pick(m.processes);
      switch (rnd.int(0, 5)) {
        case 0:
          world.network.clogInterface(
            m.ip,
            world.now() + seconds(rnd.uniform(0.1, 2)),
            rnd.pick(['send', 'receive', 'all'] as const),
          );
          break;
        case 1:
          world.lifecycle.killMachine(m, rnd.pick(['Reboot', 'RebootAndDelete', 'KillInstantly'] as const));
          break;
        case 2:
          world.disks.setDiskFailure(p.folder, { stallInterval: 0, stallPeriod: 0.5, throttlePeriod: 1 });
          break;
        case 3: {
          const ss = world.processes().filter((q) => q.alive && q.roles.has('SS'));
          if (ss.length > 0) world.disks.flipBits(rnd.pick(ss).folder, 20, rnd);
          break;
        }
        default:
          world.network.clogPair(m.ip, rnd.pick(servers()).ip, world.now() + seconds(rnd.uniform(0.1, 1)));
      }
    }
    await cluster.waitForQuiescence(0, 200);
  });
  expect(outcome.kind).toBe('finished');
  const unseed = world.random.unseed();
  const summary = writer.finish();
  return { text: writer.lines().join('\n'), hash: summary.hash, unseed };
}

describe('determinism', () => {
  it('gives a byte-identical trace for the same seed, and a different one for another seed', async () => {
    const a = await scenario(4242);
    const b = await scenario(4242);
    const c = await scenario(4243);
    expect(a.text.length).toBeGreaterThan(10_000);
    for (const t of [
      'ClogInterface',
      'KillMachine',
      'SetDiskFailure',
      'CorruptedBlock',
      'BuggifySection',
      'MasterRecoveryState',
    ]) {
      expect(a.text).toContain(`"Type":"${t}"`);
    }
    expect(b.text).toBe(a.text);
    expect(b.hash).toBe(a.hash);
    expect(b.unseed).toBe(a.unseed);
    expect(c.hash).not.toBe(a.hash);
  });
});
