// A read-only transaction's commit waits for its watches' values, as FoundationDB's commit waits for the
// reads in flight: a caller that writes the key once the commit returns must not change it before the
// watch has read what it compares against. Swarm seed 23137: WatchesSameKeyCorrectness's case 2 set a
// watch, committed, then wrote the key; the watch's read version came late, it read that later write as
// its value, and it waited for a change that had already happened until the test timed out.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('a watch of a read-only transaction', () => {
  for (const seed of [1, 2, 3]) {
    it(`fires for a write made right after its commit returns, while its read version is slow (seed ${seed})`, async () => {
      const { outcome } = await runScenario(
        { seed, config: { config: 'single', machineCount: 4, processesPerMachine: 1 } },
        async ({ world, cluster, db, delay }) => {
          const key = bytes('w');
          await db.run(async (tr) => {
            tr.set(key, bytes('0'));
          });
          const info = await db.clusterInfo();
          const ip = (address: string) => address.split(':')[0]!;
          // Hold back the client's requests to every GRV proxy for 2 s: the watch's read version is late.
          for (const g of info.grvProxies)
            world.network.clogPair(db.proc.ip, ip(g.address), world.now() + seconds(2));
          const tr = db.createTransaction();
          const fired = tr.watch(key);
          await tr.commit();
          // Another client writes: its read version is not held back.
          await cluster.client(1).run(async (t) => {
            t.set(key, bytes('1'));
          });
          return Promise.race([fired.then(() => 'fired'), delay(60).then(() => 'still waiting after 60 s')]);
        },
      );
      expect(finished(outcome)).toBe('fired');
    });
  }
});
