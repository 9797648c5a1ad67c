// A locked transaction log never acknowledges a version above the durable end it reported to the
// epoch that locked it (issue 17, bug 1: acknowledged commits lost after a recovery).
import { describe, expect, it } from 'vitest';
import type { PlantedBug } from '../../../src/cluster/planted-bugs.js';
import { createTLog, type LockReply, tlogEndpoints } from '../../../src/cluster/tlog.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

/**
 * Pushes stream into a log while a lock arrives, on seeds 1-24 with BUGGIFY (whose slow syncs can leave a
 * sync loop paused when the lock is made durable); returns every push acknowledged above the lock's end.
 */
async function ackedAboveLockEnd(plantedBug?: PlantedBug): Promise<string[]> {
  const violations: string[] = [];
  for (let seed = 1; seed <= 24; seed++) {
    const config = {
      config: 'single',
      machineCount: 2,
      processesPerMachine: 1,
      ...(plantedBug ? { plantedBug } : {}),
    };
    const { outcome } = await runScenario(
      { seed, buggify: true, config },
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
  return violations;
}

describe('transaction log lock', () => {
  // Before the fix, seed 14 acknowledged version 16 above a reported end of 15.
  it('acknowledges no push above the end reported in its lock reply', async () => {
    expect(await ackedAboveLockEnd()).toEqual([]);
  });

  it('does, with the planted bug tlogAcksAfterLock (the scenario can see the defect)', async () => {
    expect((await ackedAboveLockEnd('tlogAcksAfterLock')).length).toBeGreaterThan(0);
  });
});
