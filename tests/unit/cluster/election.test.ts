// How workers follow the leader election: a follower whose cluster controller answers its heartbeats asks
// the coordinators who leads only every LEADER_POLL_INTERVAL, and still finds a new controller quickly
// when its own stops answering.
import { describe, expect, it } from 'vitest';
import { bytes } from '../../../src/cluster/bytes.js';
import { EP } from '../../../src/cluster/protocol.js';
import { countSends, finished, runScenario } from '../../support/cluster-scenario.js';

/** Leader questions to the coordinators during 10 quiet seconds of an 8-machine cluster. */
async function leaderQuestions(seed: number, pollInterval: number): Promise<number> {
  const { outcome } = await runScenario(
    { seed, config: { config: 'double', machineCount: 8 }, knobs: { LEADER_POLL_INTERVAL: pollInterval } },
    async ({ world, db, delay }) => {
      await db.run(async (tr) => {
        tr.set(bytes('a'), bytes('1'));
      });
      await delay(2);
      const asked = countSends(world, (ep) => ep === EP.coordGetLeader);
      await delay(10);
      return asked.count;
    },
  );
  return finished(outcome);
}

describe('leader election', () => {
  it.each([
    1, 2,
  ])('followers of an answering controller ask the coordinators once a second (seed %i)', async (seed) => {
    const everyHeartbeat = await leaderQuestions(seed, 0.25);
    const everySecond = await leaderQuestions(seed, 1);
    // At least 8 worker processes asking 3 coordinators 4 times a second for 10 s: 960 questions.
    expect(everyHeartbeat).toBeGreaterThan(700);
    expect(everySecond).toBeLessThan(everyHeartbeat / 3);
  });

  it.each([1, 2, 3])('workers follow a new controller after the old one dies (seed %i)', async (seed) => {
    const { outcome } = await runScenario(
      { seed, config: { config: 'double', machineCount: 8 }, maxSeconds: 300 },
      async ({ world, db, delay }) => {
        await db.run(async (tr) => {
          tr.set(bytes('a'), bytes('1'));
        });
        const old = world.processes().find((p) => p.roles.has('CC'))!;
        world.lifecycle.killMachine(old.machine, 'KillInstantly');
        const killedAt = world.now();
        await db.run(async (tr) => {
          tr.set(bytes('b'), bytes('1'));
        });
        const committedAfter = (world.now() - killedAt) / 1e6;
        await delay(5);
        const now = world.processes().find((p) => p.alive && p.roles.has('CC'));
        return { committedAfter, newController: now !== undefined && now.address !== old.address };
      },
    );
    const r = finished(outcome);
    expect(r.newController).toBe(true);
    expect(r.committedAfter).toBeLessThan(30);
  });
});
