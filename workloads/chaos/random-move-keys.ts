// RandomMoveKeys (FoundationDB's MoveKeysWorkload): client 0 moves random ranges of the test key space
// (up to maxKeyspace of it) to random storage teams (one process per zone, as many as the replication)
// during testDuration, at Poisson times meanDelay apart. The data must survive every move: the other
// workloads' checks and the consistency check (every replica of every shard equal) judge it. In faultline
// a move goes through a recovery and moves run one at a time (FoundationDB runs many at once and cancels
// overlapping ones); data distribution is not paused, since faultline's only does repairs.
import {
  type Bytes,
  bytes,
  compareBytes,
  type Database,
  defineWorkload,
  firstGreaterOrEqual,
  opt,
  type ProcessInfo,
  type Random,
} from '../../src/index.js';

/** FoundationDB's doubleToTestKey: 16 hex digits of a double's bits. */
export function doubleToTestKey(d: number): Bytes {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  return bytes(view.getBigUint64(0).toString(16).padStart(16, '0'));
}

/** A random range of the test key space covering up to `maxKeyspace` of it (FoundationDB's getRandomKeys). */
export function randomKeys(random: Random, maxKeyspace: number): [Bytes, Bytes] {
  const len = random.next() * maxKeyspace;
  const pos = random.next() * (1 - len);
  return [doubleToTestKey(pos), doubleToTestKey(pos + len)];
}

/**
 * [begin, end) with each end moved up to the first stored key at or after it, where that keeps the range
 * non-empty and inside the user key space: FoundationDB's data distribution splits shards at keys sampled
 * from the data, so a shard that begins exactly at a live key is the common case. Also says whether the
 * range now begins at a stored key.
 */
export async function atStoredKeys(db: Database, begin: Bytes, end: Bytes): Promise<[Bytes, Bytes, boolean]> {
  const [b, e] = await db.run(async (tr) =>
    Promise.all([tr.getKey(firstGreaterOrEqual(begin)), tr.getKey(firstGreaterOrEqual(end))]),
  );
  const userKey = (k: Bytes): boolean => k.length > 0 && k[0]! < 0xff;
  const beginAtKey = userKey(b) && compareBytes(b, end) < 0;
  return [beginAtKey ? b : begin, userKey(e) ? e : end, beginAtKey];
}

/**
 * `teamSize` live storage processes in distinct zones, chosen at random (FoundationDB's getRandomTeam), or
 * undefined when there are not enough zones.
 */
export function randomTeam(
  random: Random,
  procs: readonly ProcessInfo[],
  teamSize: number,
): string[] | undefined {
  const storage = random.shuffle(procs.filter((p) => p.alive && !p.isTester && p.roles.includes('SS')));
  const zones = new Set<string>();
  const team: string[] = [];
  while (team.length < teamSize && storage.length > 0) {
    const p = storage.pop()!;
    if (zones.has(p.zoneId)) continue;
    zones.add(p.zoneId);
    team.push(p.address);
  }
  return team.length === teamSize ? team.sort() : undefined;
}

export default defineWorkload({
  name: 'RandomMoveKeys',
  description:
    'Client 0 moves random ranges of the test key space (up to maxKeyspace) to random storage teams during ' +
    'testDuration; the data must survive (other checks and the consistency check). Each move is a recovery here.',
  kind: 'chaos',
  options: {
    testDuration: opt.number({ default: 10, min: 0, unit: 's', doc: 'Moves start only in this window.' }),
    meanDelay: opt.number({
      default: 0.05,
      min: 0,
      unit: 's',
      doc: 'Mean Poisson gap between move starts (a move in faultline takes a recovery, so moves come slower).',
    }),
    maxKeyspace: opt.number({
      default: 0.1,
      min: 0,
      max: 1,
      unit: 'fraction',
      doc: 'Largest fraction of the test key space one move covers.',
    }),
    boundariesAtKeys: opt.number({
      default: 0,
      min: 0,
      max: 1,
      unit: 'probability',
      doc:
        "Chance that a move's ends are moved up to the first stored keys at or after them (as FoundationDB " +
        'splits shards at sampled keys), so that shards begin and end exactly at keys in use.',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    let moves = 0;
    let incomplete = 0;
    return {
      async start() {
        if (ctx.clientId !== 0) return;
        const end = ctx.now() + o.testDuration;
        const teamSize = await ctx.chaos.storageTeamSize();
        ctx.trace('RMKStartModeSetting', { TeamSize: teamSize });
        let lastTime = ctx.now();
        for (;;) {
          lastTime += ctx.random.exponential(o.meanDelay);
          if (lastTime > ctx.now()) await ctx.delay(Math.min(lastTime, end) - ctx.now());
          if (ctx.now() >= end) break;
          let [begin, stop] = randomKeys(ctx.random, o.maxKeyspace);
          if (o.boundariesAtKeys > 0 && ctx.random.chance(o.boundariesAtKeys)) {
            let atKey: boolean;
            [begin, stop, atKey] = await atStoredKeys(ctx.db, begin, stop);
            ctx.sometimes('a move began at a stored key', atKey);
          }
          const team = randomTeam(ctx.random, ctx.chaos.processes(), teamSize);
          if (!team) {
            ctx.trace('LessThanThreeUniqueMachines', { TeamSize: teamSize }, 30);
            await ctx.delay(Math.min(1, Math.max(0, end - ctx.now())));
            continue;
          }
          // A move still under way at the end of the window is left to finish on its own.
          const done = await Promise.race([
            ctx.chaos.moveKeys(begin, stop, team),
            ctx.delay(Math.max(0, end - ctx.now())).then(() => undefined),
          ]);
          if (done === true) moves++;
          else incomplete++;
          lastTime = Math.max(lastTime, ctx.now());
        }
        ctx.trace('RMKDoneMoving', { Moves: moves, Incomplete: incomplete });
      },
      async check() {
        // As FoundationDB: give the database time to recover from the moves.
        await ctx.delay(o.testDuration / 2);
        return true;
      },
      metrics: () => [
        { name: 'Moves', value: moves },
        { name: 'Moves not completed', value: incomplete },
      ],
    };
  },
});
