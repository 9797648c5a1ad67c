// Client semantics users rely on: reads see the transaction's writes as of when they were issued,
// versionstamps can be requested before commit, and watches compare against what the transaction saw
// and fire only for changes a read that follows can see.
import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/cluster/bytes.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('cluster client', () => {
  it('does not let a write issued during an outstanding read leak into that read', async () => {
    const { outcome } = await runScenario(
      { seed: 8, config: { config: 'single', machineCount: 3 } },
      async ({ db }) => {
        await db.run(async (tr) => {
          tr.set(bytes('a1'), bytes('stored'));
        });
        return db.run(async (tr) => {
          const range = tr.getRange(bytes('a'), bytes('b'));
          const point = tr.get(bytes('a2'));
          tr.set(bytes('a2'), bytes('later'));
          const rows = (await range).map((r) => `${str(r.key)}=${str(r.value)}`);
          const p = await point;
          const after = await tr.get(bytes('a2'));
          return { rows, point: p ? str(p) : null, after: after ? str(after) : null };
        });
      },
    );
    expect(finished(outcome)).toEqual({ rows: ['a1=stored'], point: null, after: 'later' });
  });

  it('answers getVersionstamp called before commit once the commit succeeds', async () => {
    const { outcome } = await runScenario(
      { seed: 9, config: { config: 'single', machineCount: 3 } },
      async ({ db }) => {
        const tr = db.createTransaction();
        tr.set(bytes('k'), bytes('v'));
        const stamp = tr.getVersionstamp();
        await tr.commit();
        const s = await stamp;
        const version = new DataView(s.buffer, s.byteOffset, 8).getBigUint64(0, false);
        return { length: s.length, matches: version === BigInt(tr.getCommittedVersion()) };
      },
    );
    expect(finished(outcome)).toEqual({ length: 10, matches: true });
  });

  it('fires a watch when another transaction changes the watched value', async () => {
    const { outcome } = await runScenario(
      { seed: 10, config: { config: 'single', machineCount: 3 } },
      async ({ db, delay }) => {
        await db.run(async (tr) => {
          tr.set(bytes('w'), bytes('1'));
        });
        let fired = false;
        // Wrapped: returning the promise itself would make run() wait for it before committing.
        const { watch } = await db.run(async (tr) => ({ watch: tr.watch(bytes('w')) }));
        void watch.then(() => {
          fired = true;
        });
        await delay(2);
        const before = fired;
        await db.run(async (tr) => {
          tr.set(bytes('w'), bytes('2'));
        });
        await watch;
        return { before, after: fired };
      },
    );
    expect(finished(outcome)).toEqual({ before: false, after: true });
  });

  it('fires a watch only for a change that a transaction started afterwards can read', async () => {
    // The logs' acknowledgements to the commit proxy are held back: the logs make the new version
    // durable and the storage server applies it (and fires the watch), but the master does not yet know
    // it is committed, so read versions stay below it. The watch must not resolve until a read can see
    // the change.
    // The seed is one whose recruitment puts the logs, the GRV proxy and the replica on machines of
    // their own (asserted as `layout`); another layout would hold back more than the logs' replies.
    const { outcome } = await runScenario(
      { seed: 19, config: { config: 'single', machineCount: 8 } },
      async ({ db, cluster, world, delay }) => {
        const ip = (address: string) => address.split(':')[0]!;
        const info = await db.clusterInfo();
        const proxyIps = new Set(info.commitProxies.map((p) => ip(p.address)));
        const logIps = new Set(info.logs.map((l) => ip(l.address)));
        const pipeline = new Set([
          ...proxyIps,
          ip(info.master!.address),
          ...info.resolvers.map((r) => ip(r.address)),
        ]);
        const shard = db.shardsFor(info, 'w', 'w\x00')[0]!;
        const replicaIps = shard.team.map((id) => ip(db.storageRef(info, id)!.address));
        // The held-back links must touch nothing else the commit, the watch and the read use.
        const layout = {
          logsApart: [...logIps].every((l) => !pipeline.has(l)),
          replicaApart: replicaIps.every((r) => !proxyIps.has(r) && !logIps.has(r)),
          grvApart: info.grvProxies.every((g) => !proxyIps.has(ip(g.address))),
        };
        const writer = cluster.client(1);
        await writer.run(async (tr) => {
          tr.set(bytes('w'), bytes('old'));
        });
        const { fired } = await db.run(async (tr) => ({ fired: tr.watch(bytes('w')) }));
        await delay(0.1);
        const heldUntil = world.now() + 500_000;
        for (const l of logIps) for (const p of proxyIps) world.network.clogPair(l, p, heldUntil);
        const write = writer.run(async (tr) => {
          tr.set(bytes('w'), bytes('new'));
        });
        await fired;
        const firedAfterHold = world.now() >= heldUntil;
        const seen = await db.run(async (tr) => tr.get(bytes('w')));
        await write;
        return { layout, firedAfterHold, seen: seen ? str(seen) : null };
      },
    );
    expect(finished(outcome)).toEqual({
      layout: { logsApart: true, replicaApart: true, grvApart: true },
      firedAfterHold: true,
      seen: 'new',
    });
  });
});
