// A role that fails reaches the cluster controller even when its worker does not know the controller at
// that moment (issue 17, bug 4: no recovery after a commit proxy died during a partition).
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('role failure', () => {
  // Before the fix, seeds 4 and 6 stalled every commit until the time limit.
  it.each([
    1, 2, 3, 4, 5, 6,
  ])('a commit proxy that dies while partitioned ends its epoch (seed %i)', async (seed) => {
    const { outcome } = await runScenario(
      {
        seed,
        config: {
          config: 'double commit_proxies:=1',
          machineCount: 6,
          processesPerMachine: 1,
          coordinators: 3,
        },
        maxSeconds: 300,
        knobs: { FAILURE_TIMEOUT: 5 },
      },
      async ({ world, cluster, db, delay }) => {
        await db.run(async (tr) => {
          tr.set(bytes('a'), bytes('1'));
        });
        const cp = world.processes().find((p) => p.roles.has('CP'))!;
        const ccIp = world.processes().find((p) => p.roles.has('CC'))!.ip;
        // Cut the proxy off from the logs and the coordinators, not from the controller: the proxy
        // gives up, and its worker forgets the controller for a moment (no leader quorum).
        const state = cluster.rt.observedState!;
        const cut = new Set(
          [...state.logs.map((l) => l.address), ...cluster.coordinators].map((a) => world.process(a)!.ip),
        );
        cut.delete(cp.ip);
        cut.delete(ccIp);
        const until = world.now() + seconds(4);
        for (const ip of cut) world.network.disconnectPair(cp.ip, ip, until);
        // A client keeps the proxy busy: its commits time out and the proxy gives up.
        const tr = db.createTransaction();
        tr.set(bytes('b'), bytes('1'));
        await tr.commit().catch(() => undefined);
        await delay(10);
        const started = world.now();
        await db.run(async (t) => {
          t.set(bytes('c'), bytes('1'));
        });
        return { waited: (world.now() - started) / 1e6 };
      },
    );
    const r = finished(outcome);
    expect(r.waited).toBeLessThan(60);
  });
});
