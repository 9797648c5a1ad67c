// The kill-safety policy (issue 17): a damaged copy is no copy, and the new epoch's state counts while it
// is being written.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { storageFileName } from '../../../src/cluster/storage.js';
import { tlogFileName } from '../../../src/cluster/tlog.js';
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

  // Seeds 3, 6 and 9 killed the new epoch's only log (unforced) during the recovery before the fix;
  // seeds 3 and 9 then waited forever for it.
  it.each([
    3, 6, 9,
  ])('protects the log of an epoch whose coordinated state is being written (seed %i)', async (seed) => {
    const { outcome } = await runScenario(
      {
        seed,
        config: { config: 'double logs:=1', machineCount: 6, processesPerMachine: 1, coordinators: 3 },
        maxSeconds: 400,
      },
      async ({ world, cluster, db, events, delay }) => {
        await db.run(async (tr) => {
          tr.set(bytes('a'), bytes('1'));
        });
        // A dead coordinator makes the state write wait for its timeout: a window of seconds.
        const coordinator = cluster.coordinators.find(
          (a) => !world.lifecycle.protectedAddresses.has(a) && !world.process(a)!.roles.has('TL'),
        )!;
        world.lifecycle.killMachine(world.process(coordinator)!.machine, 'KillInstantly', { forced: true });
        const from = events.length;
        await cluster.triggerRecovery('test');
        // Once the new epoch's log has started, try to kill it.
        let newLog: string | undefined;
        for (let i = 0; i < 20_000 && newLog === undefined; i++) {
          await delay(0.001);
          newLog = events.slice(from).find((e) => e.type === 'TLogStart')?.details.TLogID as
            | string
            | undefined;
        }
        const host = world.processes().find((p) => p.alive && p.folder.files.has(tlogFileName(newLog!)));
        if (!host) throw new Error(`no live process holds the new log ${newLog}`);
        const oldLogs = cluster.rt.observedState!.logs.map((l) => l.address);
        const at = events.length;
        const applied = world.lifecycle.killMachine(host.machine, 'KillInstantly');
        const reason = events.slice(at).find((e) => e.type === 'KillChanged')?.details.Reason;
        // The cluster recovers and takes commits again.
        await db.run(async (tr) => {
          tr.set(bytes('b'), bytes('2'));
        });
        return {
          sharesOldLog: oldLogs.some((a) => world.process(a)?.machine === host.machine),
          applied,
          reason,
        };
      },
    );
    const r = finished(outcome);
    expect(r.sharesOldLog).toBe(false);
    expect([r.applied, r.reason]).toEqual([
      'Reboot',
      'would lose every transaction log of epoch 2, being recovered,',
    ]);
  });
});
