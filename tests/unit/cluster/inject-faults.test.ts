// InjectFaults arms random I/O errors on a process: its roles must fail the way a real process does
// (it crashes and restarts), never take the run down, and never lose acknowledged data.
import { describe, expect, it } from 'vitest';
import { bytes, decodeInt64LE, encodeInt64LE } from '../../../src/cluster/bytes.js';
import { FdbError } from '../../../src/cluster/client-api.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('injected disk faults', () => {
  it('crash and restart the faulty processes while every acknowledged commit survives', async () => {
    let terminated = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const { outcome, events } = await runScenario(
        { seed, config: { config: 'double', machineCount: 5, processesPerMachine: 1 } },
        async ({ world, cluster, db, delay }) => {
          for (const m of world.machines.filter((x) => x.processes[0]?.processClass !== 'test').slice(0, 3)) {
            world.lifecycle.killMachine(m, 'InjectFaults', { forced: true });
          }
          let acked = 0n;
          let unknown = 0n;
          for (let i = 0; i < 150; i++) {
            const tr = db.createTransaction();
            tr.add(bytes('n'), encodeInt64LE(1));
            try {
              await tr.commit();
              acked++;
            } catch (e) {
              if (e instanceof FdbError && e.code === 1021) unknown++;
            }
          }
          // Faults stop in speed-up mode; then the cluster must come back to full service.
          world.speedUp = true;
          await delay(30);
          const quiet = await cluster.waitForQuiescence(0, 300);
          const n = decodeInt64LE(await db.run(async (tr) => tr.get(bytes('n'))));
          return { acked, unknown, n, quiet: quiet.quiet };
        },
      );
      const r = finished(outcome);
      terminated += events.filter((e) => e.type === 'WorkerTerminated').length;
      expect(r.quiet).toBe(true);
      expect(r.n >= r.acked && r.n <= r.acked + r.unknown).toBe(true);
      expect(events.filter((e) => e.type === 'WorkerTerminated').every((e) => e.severity === 30)).toBe(true);
    }
    expect(terminated).toBeGreaterThan(0);
  });
});
