// Under BUGGIFY and random kills and clogs, across seeds, the cluster keeps every acknowledged commit,
// keeps replicas consistent, and returns to full service once the faults stop.
import { describe, expect, it } from 'vitest';
import { bytes, decodeInt64LE, encodeInt64LE } from '../../../src/cluster/bytes.js';
import { FdbError } from '../../../src/cluster/client-api.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('cluster under BUGGIFY and chaos', () => {
  it('keeps acknowledged increments and recovers on many seeds', async () => {
    const failures: string[] = [];
    for (let seed = 100; seed < 116; seed++) {
      const { outcome } = await runScenario(
        { seed, buggify: true, maxSeconds: 900 },
        async ({ world, cluster, db, delay }) => {
          const rnd = world.random.fork('test-chaos');
          let acked = 0n;
          let unknown = 0n;
          let stop = false;
          const chaos = (async () => {
            while (!stop) {
              await delay(rnd.uniform(1, 4));
              const servers = world.machines.filter((m) => m.processes[0]?.processClass !== 'test');
              const m = rnd.pick(servers);
              if (rnd.chance(0.5))
                world.lifecycle.killMachine(
                  m,
                  rnd.pick(['Reboot', 'RebootAndDelete', 'KillInstantly'] as const),
                );
              else world.network.clogInterface(m.ip, world.now() + seconds(rnd.uniform(0.1, 3)), 'all');
            }
          })();
          const deadline = world.now() + seconds(40);
          while (world.now() < deadline) {
            const tr = db.createTransaction();
            tr.add(bytes('counter'), encodeInt64LE(1));
            try {
              await tr.commit();
              acked++;
            } catch (e) {
              if (e instanceof FdbError && e.code === 1021) unknown++;
            }
          }
          stop = true;
          await chaos;
          const quiet = await cluster.waitForQuiescence(0, 300);
          const value = decodeInt64LE(await db.run(async (tr) => tr.get(bytes('counter'))));
          const check = await cluster.consistencyCheck(0);
          return {
            acked,
            unknown,
            value,
            quiet: quiet.quiet,
            waitingOn: quiet.waitingOn,
            problems: check.problems,
          };
        },
      );
      const r = finished(outcome);
      if (!r.quiet) failures.push(`seed ${seed}: not quiet (${r.waitingOn})`);
      if (r.value < r.acked || r.value > r.acked + r.unknown)
        failures.push(`seed ${seed}: counter ${r.value} outside [${r.acked}, ${r.acked + r.unknown}]`);
      if (r.problems.length > 0) failures.push(`seed ${seed}: ${r.problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});
