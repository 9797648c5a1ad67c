import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/cluster/bytes.js';
import type { FdbError } from '../../../src/cluster/client-api.js';
import { seconds } from '../../../src/core/time.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

const key = (i: number) => bytes(`k${String(i).padStart(4, '0')}`);

describe('cluster under faults', () => {
  it('aborts conflicting transactions and commits non-conflicting ones (OCC)', async () => {
    const { outcome } = await runScenario(
      { seed: 3, config: { config: 'double', machineCount: 4 } },
      async ({ db }) => {
        const a = db.createTransaction();
        const b = db.createTransaction();
        const c = db.createTransaction();
        await a.get(key(1));
        await b.get(key(1));
        await c.get(key(2));
        a.set(key(1), bytes('a'));
        b.set(key(1), bytes('b'));
        c.set(key(3), bytes('c'));
        await a.commit();
        let bErr: unknown;
        await b.commit().catch((e) => {
          bErr = e;
        });
        await c.commit();
        // A range read conflicts with an insert into the range (phantom).
        const r = db.createTransaction();
        await r.getRange(bytes('p'), bytes('q'));
        const w = db.createTransaction();
        w.set(bytes('pz'), bytes('1'));
        await w.commit();
        r.set(bytes('other'), bytes('x'));
        let rErr: unknown;
        await r.commit().catch((e) => {
          rErr = e;
        });
        return { b: (bErr as FdbError)?.code, r: (rErr as FdbError)?.code, c: c.getCommittedVersion() > 0 };
      },
    );
    expect(finished(outcome)).toEqual({ b: 1020, r: 1020, c: true });
  });

  it('keeps every acknowledged commit through kills of the transaction system and recovers', async () => {
    const { outcome, events } = await runScenario(
      { seed: 11, config: { config: 'triple', machineCount: 6, processesPerMachine: 1 } },
      async ({ db, world, cluster, delay }) => {
        const acked: number[] = [];
        for (let i = 0; i < 40; i++) {
          await db.run(async (tr) => {
            tr.set(key(i), bytes(`v${i}`));
          });
          acked.push(i);
          if (i === 15 || i === 30) {
            // Kill whatever hosts a log of the current epoch, with a reboot that keeps data.
            const log = world.processes().find((p) => p.roles.has('TL') && p.alive);
            if (log) world.lifecycle.killMachine(log.machine, 'Reboot');
            const master = world.processes().find((p) => p.roles.has('MS') && p.alive);
            if (master) world.lifecycle.killMachine(master.machine, 'RebootAndDelete');
          }
        }
        await delay(30);
        const values = await db.run(async (tr) => Promise.all(acked.map((i) => tr.get(key(i)))));
        const check = await cluster.consistencyCheck(0);
        return {
          values: values.map((v) => (v ? str(v) : null)),
          consistent: check.ok,
          problems: check.problems,
        };
      },
    );
    const r = finished(outcome);
    expect(r.values).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`));
    expect(r.problems).toEqual([]);
    const recoveries = events.filter(
      (e) => e.type === 'MasterRecoveryState' && e.details.Status === 'fully_recovered',
    );
    expect(recoveries.length).toBeGreaterThanOrEqual(2);
  });

  it('rebuilds a storage server that comes back empty and serves the same data', async () => {
    const { outcome, events } = await runScenario(
      {
        seed: 5,
        config: { config: 'double', machineCount: 5, processesPerMachine: 1 },
        knobs: { STORAGE_REPLACE_DELAY: 2 },
      },
      async ({ db, world, cluster, delay }) => {
        for (let i = 0; i < 30; i++) {
          await db.run(async (tr) => {
            tr.set(key(i), bytes(`v${i}`));
          });
        }
        await delay(3);
        // A storage server whose machine holds no log and no protected coordinator: deleting it is allowed.
        const ss = world
          .processes()
          .find(
            (p) =>
              p.roles.has('SS') &&
              !p.machine.processes.some(
                (q) => q.roles.has('TL') || world.lifecycle.protectedAddresses.has(q.address),
              ),
          );
        expect(ss).toBeDefined();
        const applied = world.lifecycle.killMachine(ss!.machine, 'RebootAndDelete');
        await delay(60);
        const quiet = await cluster.waitForQuiescence(0, 120);
        const check = await cluster.consistencyCheck(0);
        const rows = await db.run(async (tr) => tr.getRange(bytes('k'), bytes('l')));
        return { applied, quiet: quiet.quiet, problems: check.problems, rows: rows.length };
      },
    );
    const r = finished(outcome);
    expect(r.applied).toBe('RebootAndDelete');
    expect(r.quiet).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBe(30);
    expect(events.some((e) => e.type === 'FetchKeysComplete')).toBe(true);
  });

  it('resumes the fetch of a replacement storage server rebooted before its fetch completed', async () => {
    const { outcome, events } = await runScenario(
      {
        seed: 5,
        config: { config: 'double', machineCount: 5, processesPerMachine: 1 },
        knobs: { STORAGE_REPLACE_DELAY: 2 },
      },
      async ({ db, world, cluster, delay, events: trace }) => {
        for (let i = 0; i < 30; i++) {
          await db.run(async (tr) => {
            tr.set(key(i), bytes(`v${i}`));
          });
        }
        await delay(3);
        const ss = world
          .processes()
          .find(
            (p) =>
              p.roles.has('SS') &&
              !p.machine.processes.some(
                (q) => q.roles.has('TL') || world.lifecycle.protectedAddresses.has(q.address),
              ),
          );
        expect(ss).toBeDefined();
        world.lifecycle.killMachine(ss!.machine, 'RebootAndDelete');
        // Wait for the replacement to start fetching, then reboot its machine (keeping its files) before
        // the fetch can complete: it comes back with its identity and tag but without the shards' data.
        let fetching: string | undefined;
        for (let i = 0; i < 6000 && !fetching; i++) {
          await delay(0.01);
          fetching = [...cluster.rt.fetchingStorage][0];
        }
        expect(fetching).toBeDefined();
        const start = trace.find((e) => e.type === 'StorageServerStart' && e.details.StorageID === fetching);
        const host = world.process(start!.machine)!;
        world.lifecycle.killMachine(host.machine, 'Reboot');
        // Keep writing while it is away and while it fetches again, so its tag carries mutations.
        for (let i = 30; i < 40; i++) {
          await db.run(async (tr) => {
            tr.set(key(i), bytes(`v${i}`));
          });
        }
        await delay(60);
        const quiet = await cluster.waitForQuiescence(0, 120);
        const check = await cluster.consistencyCheck(0);
        const rows = await db.run(async (tr) => tr.getRange(bytes('k'), bytes('l')));
        return { fetching, quiet: quiet.quiet, problems: check.problems, rows: rows.length };
      },
    );
    const r = finished(outcome);
    // Every replica holds the same data, and reads see all of it.
    expect(r.quiet).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.rows).toBe(40);
    // It was rebooted before its fetch completed, restarted still fetching, and completed the fetch then.
    const of = (type: string) => events.filter((e) => e.type === type && e.details.StorageID === r.fetching);
    expect(of('StorageServerRestart').map((e) => e.details.Fetch)).toContain(1);
    const restartedAt = of('StorageServerRestart')[0]!.time;
    expect(of('FetchKeysComplete').some((e) => e.time > restartedAt)).toBe(true);
  });

  it('keeps a rebooting replica in its team until its replacement has fetched the data', async () => {
    // Data distribution sees failures late. Here one replica of a shard reboots (its data intact) and is
    // given up on, and the other dies just as the repair is planned, still looking alive. The replacement
    // cannot fetch from the dead one; the rebooting replica is the only copy left, so it must stay in the
    // team (and be a fetch source) until the replacement has the data, or the shard is gone for good.
    const { outcome, events } = await runScenario(
      {
        seed: 7,
        config: {
          config: 'double',
          machineCount: 8,
          processesPerMachine: 1,
          coordinators: 1,
          desiredTLogCount: 1,
        },
        knobs: { STORAGE_REPLACE_DELAY: 1 },
      },
      async ({ db, world, cluster, delay, events: trace }) => {
        for (let i = 0; i < 30; i++) {
          await db.run(async (tr) => {
            tr.set(key(i), bytes(`v${i}`));
          });
        }
        await delay(3);
        const free = (id: string) => {
          const ref = cluster.rt.observedState?.storage.find((s) => s.id === id);
          const p = ref && world.process(ref.address);
          const busy = p?.machine.processes.some(
            (q) => q.roles.has('TL') || world.lifecycle.protectedAddresses.has(q.address),
          );
          return p && !busy ? p : undefined;
        };
        const team = cluster.rt.observedState?.shards.find((sh) => sh.team.every((id) => free(id)))?.team;
        expect(team).toBeDefined();
        const [deadId, rebootingId] = team as [string, string];
        const rebooting = free(rebootingId)!;
        const dead = free(deadId)!;
        const rebootKill = world.lifecycle.killMachine(rebooting.machine, 'Reboot');
        // Wait until the controller gives up on the rebooting replica, then kill the other one for good.
        const repairs = () =>
          trace.filter((e) => e.type === 'DataDistributionRepair' && e.details.Storage === rebootingId);
        for (let i = 0; i < 2000 && repairs().length === 0; i++) await delay(0.01);
        const deadKill = world.lifecycle.killMachine(dead.machine, 'KillInstantly', { forced: true });
        await delay(60);
        const quiet = await cluster.waitForQuiescence(0, 120);
        const check = await cluster.consistencyCheck(0);
        const rows = await db.run(async (tr) => tr.getRange(bytes('k'), bytes('l')));
        return {
          rebootKill,
          deadKill,
          rebootingId,
          repairs: repairs(),
          quiet,
          problems: check.problems,
          rows,
        };
      },
    );
    const r = finished(outcome);
    expect([r.rebootKill, r.deadKill]).toEqual(['Reboot', 'KillInstantly']);
    // The controller gave up on the replica while it was still down: the case this test is about.
    const restart = events.find(
      (e) => e.type === 'StorageServerRestart' && e.details.StorageID === r.rebootingId,
    );
    expect(r.repairs.length).toBeGreaterThan(0);
    expect(restart).toBeDefined();
    expect(r.repairs[0]!.time).toBeLessThan(restart!.time);
    // Nothing was lost: the cluster is quiet, the replicas agree, and every row is there.
    expect(r.quiet).toEqual({ quiet: true, waitingOn: '' });
    expect(r.problems).toEqual([]);
    expect(r.rows.map((kv) => str(kv.value))).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
  });

  it('rolls back what a storage server pulled past the end of its epoch, after missing whole epochs', async () => {
    // Recovery sweep seed 56: a storage server cut off from the controller never heard of an epoch whose
    // recovery discarded a version it had pulled; told of the next epoch, whose recovery version lies
    // above that version, it kept it.
    const { outcome, events } = await runScenario(
      {
        seed: 9,
        config: {
          config: 'single',
          machineCount: 6,
          processesPerMachine: 1,
          desiredTLogCount: 2,
          commitProxyCount: 1,
        },
      },
      async ({ db, world, cluster, delay }) => {
        await db.run(async (tr) => {
          tr.set(key(1), bytes('v1'));
        });
        await delay(1);
        const state = cluster.rt.observedState!;
        const shard = state.shards.find((s) => 'k0001' >= s.begin && 'k0001' < s.end)!;
        const storage = state.storage.find((s) => s.id === shard.team[0])!;
        const ss = world.process(storage.address)!;
        const [lagging, ahead] = state.logs.map((l) => world.process(l.address)!);
        const proxies = world.processes().filter((p) => p.alive && p.roles.has('CP'));
        // The scenario needs a storage-only process, apart from both logs, and proxies apart from the
        // lagging log.
        expect([...ss.roles]).toEqual(['SS']);
        expect([lagging!.ip, ahead!.ip]).not.toContain(ss.ip);
        expect(proxies.map((p) => p.ip)).not.toContain(lagging!.ip);
        const tr = db.createTransaction();
        await tr.get(key(2)); // its read version comes from this epoch
        // The storage server hears only from the log that will get ahead, so it learns of no new epoch;
        // the proxies' pushes reach that log only, so the commit below is never acknowledged.
        const forever = world.now() + seconds(1000);
        const others = [...new Set(world.processes().map((p) => p.ip))].filter(
          (ip) => ip !== ss.ip && ip !== ahead!.ip,
        );
        for (const ip of others) world.network.disconnectPair(ss.ip, ip, forever);
        for (const p of proxies) world.network.disconnectPair(p.ip, lagging!.ip, forever);
        tr.set(key(1), bytes('phantom'));
        const commit = await tr.commit().then(
          () => 'committed',
          (e: FdbError) => e.errorName,
        );
        const recovered = async (epoch: number): Promise<number> => {
          for (let i = 0; i < 240; i++) {
            const info = await db.clusterInfo(true);
            if (info.epoch >= epoch && info.recoveryState === 'fully_recovered') return info.epoch;
            await delay(0.5);
          }
          throw new Error(`epoch ${epoch} never recovered`);
        };
        // The next epoch rolls the unacknowledged commit back; another one follows; only then does the
        // storage server hear from the controller again.
        const missed = await recovered(2);
        for (const p of proxies) world.network.reconnectPair(p.ip, lagging!.ip);
        await cluster.triggerRecovery('test');
        const current = await recovered(missed + 1);
        for (const ip of others) world.network.reconnectPair(ss.ip, ip);
        await delay(5);
        const v = await db.run(async (t) => t.get(key(1)));
        return { commit, storage: storage.id, missed, current, value: v ? str(v) : null };
      },
    );
    const r = finished(outcome);
    expect(r.commit).toBe('commit_unknown_result');
    const missedEpoch = events.find(
      (e) => e.type === 'MasterRecoveryVersion' && e.details.Epoch === r.missed,
    )!;
    expect(
      events.some((e) => e.type === 'TLogRollback' && e.details.Epoch === r.missed),
      'the missed epoch rolled the logs back',
    ).toBe(true);
    const rollback = events.find(
      (e) => e.type === 'StorageServerRollback' && e.details.StorageID === r.storage,
    );
    expect(rollback?.details.Epoch).toBe(r.current);
    expect(rollback?.details.To).toBe(missedEpoch.details.RecoveryVersion);
    expect(r.value).toBe('v1');
  });

  it('compares replicas although reading them takes longer than the MVCC window', async () => {
    // Recovery sweep seed 67: over a slow network the check's reads outlasted a 2 s window, and storage
    // servers rightly refused its one read version; each shard is now compared at a fresh version.
    const { outcome } = await runScenario(
      {
        seed: 5,
        config: { config: 'triple', machineCount: 5, processesPerMachine: 1 },
        knobs: { MAX_READ_TRANSACTION_LIFE_VERSIONS: 500_000 },
      },
      async ({ db, world, cluster, delay }) => {
        for (let i = 0; i < 20; i++) {
          await db.run(async (tr) => {
            tr.set(key(i), bytes(`v${i}`));
          });
        }
        await delay(3);
        const state = cluster.rt.observedState!;
        // The tester's messages to one replica of the first shard wait 1.5 s: three windows.
        const slow = world.process(state.storage.find((s) => s.id === state.shards[0]!.team[1])!.address)!;
        world.network.clogPair(cluster.client(0).proc.ip, slow.ip, world.now() + seconds(1.5));
        const check = await cluster.consistencyCheck(0);
        return { ok: check.ok, problems: check.problems, shards: check.shardsChecked };
      },
    );
    const r = finished(outcome);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.shards).toBeGreaterThan(1);
  });

  it('follows the cluster through a recovery during the consistency check', async () => {
    // Recovery sweep seed 43: a recovery began while the check was under way; the check kept asking the
    // GRV proxy named by the layout it read at its start, which its worker stopped once the new epoch was
    // known, got no read version for any later shard and blamed every replica of them for not answering.
    const { outcome, events } = await runScenario(
      { seed: 5, config: { config: 'triple', machineCount: 5, processesPerMachine: 1 } },
      async ({ db, world, cluster, delay }) => {
        for (let i = 0; i < 20; i++) {
          await db.run(async (tr) => {
            tr.set(key(i), bytes(`v${i}`));
          });
        }
        await delay(3);
        const before = await db.clusterInfo(true);
        const state = cluster.rt.observedState!;
        // The tester's messages to one replica of the first shard wait 4 s, holding the check on that shard
        // while a recovery ends the epoch whose GRV proxy the check started with.
        const slow = world.process(state.storage.find((s) => s.id === state.shards[0]!.team[1])!.address)!;
        world.network.clogPair(cluster.client(0).proc.ip, slow.ip, world.now() + seconds(4));
        const pending = cluster.consistencyCheck(0);
        await delay(0.5);
        await cluster.triggerRecovery('test');
        const check = await pending;
        const after = await db.clusterInfo(true);
        return { ok: check.ok, problems: check.problems, epochs: [before.epoch, after.epoch] };
      },
    );
    const r = finished(outcome);
    expect(r.epochs[1], 'a recovery happened during the check').toBeGreaterThan(r.epochs[0]!);
    expect(
      events.some(
        (e) => e.type === 'Role' && e.details.As === 'GrvProxyServer' && e.details.Transition === 'End',
      ),
      "the old epoch's GRV proxy was stopped",
    ).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('moves to new coordinators and keeps serving', async () => {
    const { outcome, events } = await runScenario(
      { seed: 7, config: { config: 'double', machineCount: 6, processesPerMachine: 1, coordinators: 3 } },
      async ({ db, cluster }) => {
        await db.run(async (tr) => {
          tr.set(key(1), bytes('before'));
        });
        const before = [...cluster.coordinators];
        const after = await cluster.changeCoordinators('auto');
        // Moving back to the original set must work too (its members were told to forward).
        const back = await cluster.changeCoordinators(before);
        const again = await cluster.changeCoordinators(after);
        await db.run(async (tr) => {
          tr.set(key(2), bytes('after'));
        });
        const v = await db.run(async (tr) => [await tr.get(key(1)), await tr.get(key(2))]);
        return {
          before,
          after,
          back,
          again,
          now: [...cluster.coordinators],
          v: v.map((x) => (x ? str(x) : null)),
        };
      },
    );
    const r = finished(outcome);
    expect(r.after).not.toEqual(r.before);
    expect(r.back).toEqual(r.before);
    expect(r.again).toEqual(r.after);
    expect(r.now).toEqual(r.after);
    expect(r.v).toEqual(['before', 'after']);
    expect(events.some((e) => e.type === 'ChangeQuorumCheckerSetCoordinatorsKey')).toBe(true);
  });
});

describe('transactions across a recovery', () => {
  it('aborts a read-write transaction whose reads predate the new epoch', async () => {
    const { outcome } = await runScenario(
      {
        seed: 21,
        config: { config: 'double', machineCount: 5, testerCount: 2 },
        knobs: { MAX_VERSIONS_IN_FLIGHT: 10 },
      },
      async ({ cluster, delay }) => {
        const a = cluster.client(0);
        const b = cluster.client(1);
        await a.run(async (tr) => {
          tr.set(key(1), bytes('0'));
        });
        const t = a.createTransaction();
        const seen = await t.get(key(1));
        // Another client changes the key in the old epoch, after t read it; then the epoch ends.
        await b.run(async (tr) => {
          tr.set(key(1), bytes('1'));
        });
        const before = (await a.clusterInfo(true)).epoch;
        await cluster.triggerRecovery('test');
        for (let i = 0; i < 40; i++) {
          await delay(0.25);
          const info = await a.clusterInfo(true);
          if (info.epoch > before && info.recoveryState === 'fully_recovered') break;
        }
        t.set(key(2), seen ?? bytes('none'));
        await a.clusterInfo(true); // commit through the new epoch's proxies
        try {
          await t.commit();
          return 'committed';
        } catch (e) {
          return (e as FdbError).errorName;
        }
      },
    );
    // Either answer means "retry"; what must never happen is a commit based on the stale read.
    expect(['not_committed', 'transaction_too_old']).toContain(finished(outcome));
  });
});
