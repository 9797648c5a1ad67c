// Storage servers and transaction logs checkpoint their files: disk use follows the live data, not all
// data ever written, and restarts from checkpointed files (clean or cut short by a crash) keep every
// acknowledged commit.
import { describe, expect, it } from 'vitest';
import { bytes, str } from '../../../src/cluster/bytes.js';
import { createTLog, tlogEndpoints } from '../../../src/cluster/tlog.js';
import { seconds } from '../../../src/core/time.js';
import type { World } from '../../../src/sim/world.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

const key = (i: number) => bytes(`k${String(i).padStart(3, '0')}`);
const value = (round: number, i: number) => bytes(`${round}:${i}:${'x'.repeat(1000)}`);

/** Bytes each storage and log file occupies on disk (from its front to its end), by kind. */
function fileUse(world: World): { storage: number[]; tlog: number[] } {
  const storage: number[] = [];
  const tlog: number[] = [];
  for (const p of world.processes()) {
    for (const [name, f] of p.folder.files) {
      if (name.startsWith('storage-')) storage.push(f.size - f.front);
      if (name.startsWith('tlog-')) tlog.push(f.size - f.front);
    }
  }
  return { storage, tlog };
}

const CONFIG = { config: 'double', machineCount: 5, processesPerMachine: 1 };
const SMALL = { STORAGE_CHECKPOINT_BYTES: 16384, TLOG_CHECKPOINT_BYTES: 16384 };

describe('file checkpoints', () => {
  it('keeps storage and log files near the live data while the same keys are overwritten', async () => {
    const { outcome, events } = await runScenario(
      { seed: 3, config: CONFIG, knobs: SMALL },
      async ({ db, world, delay }) => {
        // 300 KB written over 20 KB of live data.
        for (let round = 0; round < 15; round++) {
          await db.run(async (tr) => {
            for (let i = 0; i < 20; i++) tr.set(key(i), value(round, i));
          });
        }
        await delay(5);
        return fileUse(world);
      },
    );
    const use = finished(outcome);
    expect(use.storage.length).toBeGreaterThan(0);
    // Without checkpoints each file holds every byte written (over 300 KB).
    for (const b of use.storage) expect(b).toBeLessThan(100_000);
    for (const b of use.tlog) expect(b).toBeLessThan(100_000);
    expect(events.some((e) => e.type === 'StorageServerCheckpoint')).toBe(true);
    expect(events.some((e) => e.type === 'TLogCheckpoint')).toBe(true);
  });

  // Swarm seed 22587: pushes to one log were clogged, so its end stayed at the last version known
  // committed; storage servers popped up to there and the log's checkpoint kept no copy. A restart from it
  // read its end as the epoch's start (0): the recovery chose 0 as the recovery version and rolled back
  // commits every log had made durable. Here a log of its own takes pushes, has them all popped, and its
  // machine reboots: the restart must report the last version it made durable.
  for (const seed of [1, 2, 3]) {
    it(`a log restarted from a checkpoint that kept no version still reports its durable end (seed ${seed})`, async () => {
      const id = 'ab12cd34ef560001';
      const { outcome, events } = await runScenario(
        { seed, config: CONFIG, knobs: { TLOG_CHECKPOINT_BYTES: 4096 } },
        async ({ db, world, cluster, delay }) => {
          const host = world.processes().find((p) => p.alive && !p.roles.has('TL'))!;
          await createTLog(cluster.rt, host, { id, epoch: 1, start: 0, tags: ['t'], seed: [] });
          const rpc = world.rpc(db.proc);
          const ep = tlogEndpoints(id);
          for (let v = 1; v <= 8; v++) {
            const mutations = [{ type: 'set' as const, key: str(key(v)), value: str(value(v, v)) }];
            const push = {
              prevVersion: v - 1,
              version: v,
              tagged: [{ tag: 't', mutations }],
              knownCommitted: v - 1,
            };
            await rpc.request(host.address, ep.push, push, seconds(5));
          }
          rpc.send(host.address, ep.pop, { tag: 't', version: 8 });
          await delay(1);
          world.lifecycle.killMachine(host.machine, 'Reboot');
          await delay(30);
        },
      );
      finished(outcome);
      const mine = (type: string) => events.filter((e) => e.type === type && e.details.TLogID === id);
      expect(mine('TLogCheckpoint').map((e) => e.details.Versions)).toContain(0);
      const restarts = mine('TLogRestart');
      expect(restarts.length).toBeGreaterThan(0);
      for (const e of restarts) expect(e.details.DurableEnd).toBe(8);
    });
  }

  // Machines reboot one at a time while checkpoints are written (some cut short), then the whole cluster
  // reboots once its last writes are durable (storage restarts from its checkpoint); or, with no reboots
  // before, while storage servers still need versions the logs copied into their checkpoints.
  for (const [seed, settle, midReboots] of [
    [1, 5, true],
    [2, 5, true],
    [3, 0.2, false],
    [4, 0.2, false],
    [5, 0.2, false],
  ] as const) {
    it(`keeps every acknowledged commit through reboots of checkpointing servers (seed ${seed}, reboots while writing: ${midReboots})`, async () => {
      const { outcome, events } = await runScenario(
        {
          seed,
          config: CONFIG,
          // Slow durability: when one server pops, the others still need seconds of versions, which the
          // logs' checkpoints copy and a reboot of everything makes them read back.
          knobs: { STORAGE_CHECKPOINT_BYTES: 4096, TLOG_CHECKPOINT_BYTES: 4096, STORAGE_DURABILITY_LAG: 2 },
        },
        async ({ db, world, cluster, delay }) => {
          const last = new Map<number, number>();
          for (let round = 0; round < 24; round++) {
            // Each round overwrites a third of the keys and writes ten of its own, which no later round
            // overwrites: a version lost anywhere shows as a missing key.
            await db.run(async (tr) => {
              for (let i = round % 3; i < 30; i += 3) tr.set(key(i), value(round, i));
              for (let i = 0; i < 10; i++) tr.set(key(100 + 10 * round + i), value(round, i));
            });
            for (let i = round % 3; i < 30; i += 3) last.set(i, round);
            for (let i = 0; i < 10; i++) last.set(100 + 10 * round + i, round);
            await delay(0.2);
            if (midReboots && round % 6 === 5) {
              // Reboot (crash, keeping data) a machine holding storage and maybe a log: pending writes of
              // a checkpoint in flight are torn or dropped.
              const victims = world.processes().filter((p) => p.alive && p.roles.has('SS'));
              const victim = victims[round % victims.length];
              if (victim) world.lifecycle.killMachine(victim.machine, 'Reboot');
              await delay(0.3);
            }
          }
          // Every machine restarts from its files at once: the data must come back from the checkpoints.
          await delay(settle);
          for (const m of world.machines) world.lifecycle.killMachine(m, 'Reboot');
          await delay(20);
          const quiet = await cluster.waitForQuiescence(0, 120);
          const check = await cluster.consistencyCheck(0);
          const got = await db.run(async (tr) => Promise.all([...last.keys()].map((i) => tr.get(key(i)))));
          const want = [...last.entries()].map(([i, r]) => str(value(r, i < 100 ? i : (i - 100) % 10)));
          return {
            quiet: quiet.quiet,
            problems: check.problems,
            got: got.map((v) => (v ? str(v) : null)),
            want,
          };
        },
      );
      const r = finished(outcome);
      expect(r.quiet).toBe(true);
      expect(r.problems).toEqual([]);
      expect(r.got).toEqual(r.want);
      expect(events.some((e) => e.type === 'StorageServerRestart')).toBe(true);
      expect(events.some((e) => e.type === 'StorageServerCheckpoint')).toBe(true);
    });
  }
});
