// A locked transaction log never acknowledges a version above the durable end it reported to the
// epoch that locked it (issue 17, bug 1: acknowledged commits lost after a recovery).
import { describe, expect, it } from 'vitest';
import { createTLog, type LockReply, tlogEndpoints } from '../../../src/cluster/tlog.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('transaction log lock', () => {
  // Pushes stream in while the lock arrives; with BUGGIFY's slow syncs a sync loop can be paused when
  // the lock is made durable (seed 14 acknowledged version 16 above a reported end of 15 before the fix).
  it('acknowledges no push above the end reported in its lock reply', async () => {
    const violations: string[] = [];
    for (let seed = 1; seed <= 24; seed++) {
      const { outcome } = await runScenario(
        { seed, buggify: true, config: { config: 'single', machineCount: 2, processesPerMachine: 1 } },
        async ({ world, cluster, delay }) => {
          const host = cluster.servers[0]!;
          const client = cluster.testers[0]!;
          const id = `locktest${seed}`;
          await createTLog(cluster.rt, host, { id, epoch: 99, start: 0, tags: ['t'], seed: [] });
          const ep = tlogEndpoints(id);
          const rpc = world.rpc(client);
          const acked: number[] = [];
          // A steady stream of pushes, so that a sync is always in flight when the lock arrives.
          const pushes: Promise<unknown>[] = [];
          let lock: Promise<LockReply> | undefined;
          for (let v = 1; v <= 60; v++) {
            pushes.push(
              rpc
                .request<boolean>(
                  host.address,
                  ep.push,
                  { prevVersion: v - 1, version: v, tagged: [], knownCommitted: 0 },
                  seconds(5),
                )
                .then(() => acked.push(v))
                .catch(() => undefined),
            );
            if (v === 20 + seed) lock = rpc.request<LockReply>(host.address, ep.lock, {}, seconds(5));
            await delay(0.001);
          }
          await Promise.all(pushes);
          await delay(2);
          const reply = await lock!;
          return { end: reply.end, acked };
        },
      );
      const { end, acked } = finished(outcome);
      for (const v of acked) if (v > end) violations.push(`seed ${seed}: acked ${v} above lock end ${end}`);
    }
    expect(violations).toEqual([]);
  });
});
