// RandomMoveKeys: through the run layer ranges really move (new storage servers fetch them, the old
// members leave) while Cycle keeps its ring and the consistency check passes; its key ranges and teams;
// the calls it makes on a recording surface.
import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/core/random.js';
import randomMoveKeys, {
  doubleToTestKey,
  randomKeys,
  randomTeam,
} from '../../../workloads/chaos/random-move-keys.js';
import {
  detail,
  FakeChaos,
  runChaosSpec,
  runWithFakeChaos,
  serverProcess,
  testerProcess,
} from './chaos-run.js';

const SPEC = `
[configuration]
config = 'double'
machineCount = 6
buggify = false

[[test]]
testTitle = 'Moving'
    [[test.workload]]
    testName = 'Cycle'
    transactionsPerSecond = 100.0
    nodeCount = 100
    testDuration = 8.0

    [[test.workload]]
    testName = 'RandomMoveKeys'
    testDuration = 8.0
    meanDelay = 0.5
`;

describe('RandomMoveKeys through the run layer', () => {
  it('moves ranges to new teams while Cycle keeps its ring; every replica agrees', async () => {
    const run = await runChaosSpec(SPEC, 1);
    expect(run.result.outcome).toBe('passed');
    const ends = run.of('RelocateShard_End');
    expect(ends.filter((e) => detail(e, 'Result') === 'Success').length).toBeGreaterThanOrEqual(2);
    expect(run.of('MoveKeysNewStorage').length).toBeGreaterThan(0);
    // The old members left: a later recovery dropped them.
    const recruits = run.of('ClusterControllerRecruitMaster').map((e) => detail(e, 'Reason'));
    expect(recruits).toContain('move keys');
    expect(recruits).toContain('data movement done');
  }, 60_000);
});

describe('RandomMoveKeys with boundariesAtKeys', () => {
  it('begins moves exactly at keys of the ring, and the ring and every replica survive it', async () => {
    const run = await runChaosSpec(
      SPEC.replace('meanDelay = 0.5', 'meanDelay = 0.5\n    boundariesAtKeys = 1.0'),
      1,
    );
    expect(run.result.outcome).toBe('passed');
    // Cycle's keys: doubleToTestKey(n / nodeCount) for the ring's 100 nodes.
    const ring = new Set(
      Array.from({ length: 100 }, (_, n) => Buffer.from(doubleToTestKey(n / 100)).toString()),
    );
    const moves = run
      .of('RelocateShard_Begin')
      .map((e) => [detail(e, 'KeyBegin'), detail(e, 'KeyEnd')] as const);
    expect(moves.filter(([b]) => ring.has(b)).length).toBeGreaterThanOrEqual(2);
    // A move begins at a ring key unless its random range held none (then its end is the next ring key).
    const next = (k: string): string | undefined => [...ring].sort().find((r) => r > k);
    for (const [b, e] of moves) expect(ring.has(b) || e === next(b), `${b}..${e}`).toBe(true);
  }, 60_000);
});

describe('random ranges and teams', () => {
  it('covers at most maxKeyspace of the test key space, in key order', () => {
    const random = new Random(7);
    for (let i = 0; i < 200; i++) {
      const [b, e] = randomKeys(random, 0.1);
      expect(Buffer.compare(b, e)).toBeLessThanOrEqual(0);
      expect(Buffer.compare(b, doubleToTestKey(0))).toBeGreaterThanOrEqual(0);
      expect(Buffer.compare(e, doubleToTestKey(1))).toBeLessThanOrEqual(0);
    }
  });

  it('picks storage processes in distinct zones, or none when there are too few zones', () => {
    const procs = [
      serverProcess(1, ['SS'], 'a'),
      serverProcess(2, ['SS'], 'a'),
      serverProcess(3, ['SS'], 'b'),
      serverProcess(4, ['TL'], 'c'),
      testerProcess(1),
    ];
    const team = randomTeam(new Random(3), procs, 2)!;
    expect(team).toHaveLength(2);
    expect(team).toContain('2.0.1.3:1');
    expect(randomTeam(new Random(3), procs, 3)).toBeUndefined();
  });
});

describe('RandomMoveKeys on a recording surface', () => {
  const procs = [1, 2, 3, 4].map((i) => serverProcess(i, ['SS'])).concat([testerProcess(1)]);

  it('moves teams of storageTeamSize from client 0 only, during testDuration', async () => {
    const chaos = new FakeChaos(procs);
    chaos.teamSize = 3;
    const r = await runWithFakeChaos(randomMoveKeys, chaos, { options: { testDuration: 2, meanDelay: 0.1 } });
    const moves = chaos.callsOf('moveKeys');
    expect(moves.length).toBeGreaterThan(5);
    for (const m of moves) expect((m.args[2] as string[]).length).toBe(3);
    expect(r.timedCalls.every((c) => c.time < 2)).toBe(true);
    const other = new FakeChaos(procs);
    await runWithFakeChaos(randomMoveKeys, other, { clientId: 1 });
    expect(other.callsOf('moveKeys')).toEqual([]);
  });

  it('warns and moves nothing when there are fewer zones than the team size', async () => {
    const chaos = new FakeChaos(procs);
    chaos.teamSize = 5;
    const r = await runWithFakeChaos(randomMoveKeys, chaos, { options: { testDuration: 2 } });
    expect(chaos.callsOf('moveKeys')).toEqual([]);
    expect(r.events.some((e) => e.type === 'LessThanThreeUniqueMachines' && e.severity === 30)).toBe(true);
  });
});
