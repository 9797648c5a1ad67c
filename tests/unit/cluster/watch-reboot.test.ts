// A watch whose storage server reboots fires within the client's re-registration bound (issue 17, bug 6:
// WriteDuringRead allowed 10 s, but the watch registers again only after Limits.watchReregisterSeconds).
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { Limits } from '../../../src/cluster/client-api.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('watches across a storage server reboot', () => {
  it('fire after the change, within the re-registration bound', async () => {
    const { outcome } = await runScenario(
      { seed: 4, config: { config: 'single', machineCount: 3, processesPerMachine: 1 } },
      async ({ world, cluster, db, delay }) => {
        const key = bytes('w');
        await db.run(async (tr) => {
          tr.set(key, bytes('0'));
        });
        const tr = db.createTransaction();
        const fired = tr.watch(key);
        await tr.commit();
        await delay(1);
        // Reboot the (only) replica holding the watch: it forgets the watch.
        const state = cluster.rt.observedState!;
        const team = state.shards.find((s) => s.begin <= 'w' && 'w' < s.end)!.team;
        const ss = world.process(state.storage.find((s) => s.id === team[0])!.address)!;
        world.lifecycle.killMachine(ss.machine, 'Reboot', { forced: true });
        await delay(12);
        const changedAt = world.now();
        await db.run(async (t) => {
          t.set(key, bytes('1'));
        });
        let firedAt = 0;
        await fired.then(() => {
          firedAt = world.now();
        });
        return (firedAt - changedAt) / 1e6;
      },
    );
    const latency = finished(outcome);
    // Seed 4 measures 17 s: the old 10 s grace of WriteDuringRead's watch check was too short.
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(Limits.watchReregisterSeconds + 10);
  });
});
