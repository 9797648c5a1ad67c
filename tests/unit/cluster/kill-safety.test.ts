// The kill-safety policy (issue 17): a damaged copy is no copy, and the new epoch's state counts while it
// is being written.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { storageFileName } from '../../../src/cluster/storage.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('kill safety', () => {
  it('does not count a storage file with a flipped bit as a copy of its shard', async () => {
    const { outcome } = await runScenario(
      { seed: 5, config: { config: 'double', machineCount: 4, processesPerMachine: 1 } },
      async ({ world, cluster, db, delay }) => {
        for (let i = 0; i < 50; i++)
          await db.run(async (tr) => {
            tr.set(bytes(`k${i}`), bytes('v'.repeat(200)));
          });
        await delay(10); // the replicas make the data durable
        const state = cluster.rt.observedState!;
        const team = state.shards.find((s) => s.team.length === 2)!.team;
        const [a, b] = team.map((id) => world.process(state.storage.find((s) => s.id === id)!.address)!);
        const before = world.lifecycle.mayCorrupt(a!).ok;
        const flips = world.disks.flipBits(a!.folder, 100, world.random.fork('test flips'), {
          files: (n) => n === storageFileName(team[0]!),
        });
        // The other replica is now the shard's only good copy: neither deleting nor corrupting it is safe.
        const corruptOther = world.lifecycle.mayCorrupt(b!).ok;
        const applied = world.lifecycle.killMachine(b!.machine, 'RebootAndDelete');
        return { before, flips, corruptOther, applied };
      },
    );
    const r = finished(outcome);
    expect(r.before).toBe(true);
    expect(r.flips).toBeGreaterThan(0);
    expect(r.corruptOther).toBe(false);
    expect(r.applied).toBe('Reboot');
  });
});
