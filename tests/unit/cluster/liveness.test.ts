// A run that does not finish names the role or recovery step that did not progress, and why.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('liveness report', () => {
  it('names the recovery step and the logs it waits for when the only log is gone for good', async () => {
    const { outcome, cluster } = await runScenario(
      {
        seed: 3,
        config: { config: 'single logs:=1', machineCount: 4, processesPerMachine: 1 },
        maxSeconds: 120,
      },
      async ({ world, cluster, db }) => {
        await db.run(async (tr) => {
          tr.set(bytes('a'), bytes('1'));
        });
        // A forced kill skips the safety policy: the epoch's only log is lost for good.
        const log = cluster.rt.observedState!.logs[0]!;
        world.lifecycle.killMachine(world.process(log.address)!.machine, 'KillInstantly', { forced: true });
        await cluster.triggerRecovery('test');
        await db.run(async (tr) => {
          tr.set(bytes('b'), bytes('1'));
        });
      },
    );
    expect(outcome.kind).toBe('did-not-finish');
    const report = cluster.livenessReport();
    const recovery = report.find((r) => r.name.startsWith('recovery of epoch'));
    expect(recovery?.waitingOn).toMatch(
      /^locking_old_transaction_servers for \d+\.\d s on master .*; waiting for the old epoch's logs at /,
    );
    expect(recovery?.waitingOn).toContain(cluster.rt.observedState!.logs[0]!.address);
  });

  it('names the coordinators a recovery waits for when it cannot reach a quorum', async () => {
    const { outcome, cluster } = await runScenario(
      { seed: 5, config: { config: 'triple', machineCount: 6, processesPerMachine: 1, coordinators: 3 } },
      async ({ world, cluster, db, delay }) => {
        await db.run(async (tr) => {
          tr.set(bytes('a'), bytes('1'));
        });
        // A recovery is asked for, then two of the three coordinators are cut off for good.
        await cluster.triggerRecovery('test');
        for (const c of cluster.coordinators.slice(1))
          world.network.clogInterface(c.split(':')[0]!, world.now() + seconds(1e6), 'all');
        await delay(30);
        return cluster.livenessReport();
      },
    );
    const recovery = finished(outcome).find((r) => r.name.startsWith('recovery of epoch'));
    expect(recovery?.waitingOn).toMatch(
      /^reading_coordinated_state for \d+\.\d s on master .*; waiting for a quorum of coordinators \(\d of 3 accepted, 2 needed; no answer from /,
    );
    for (const c of cluster.coordinators.slice(1)) expect(recovery?.waitingOn).toContain(c);
  });

  it('is empty for a healthy cluster', async () => {
    const { cluster } = await runScenario(
      { seed: 1, config: { config: 'double', machineCount: 4 } },
      async ({ db }) => {
        await db.run(async (tr) => {
          tr.set(bytes('a'), bytes('1'));
        });
      },
    );
    expect(cluster.livenessReport()).toEqual([]);
  });
});
