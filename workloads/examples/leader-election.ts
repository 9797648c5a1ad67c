// LeaderElection, after "Simulating Leader Election on top of FoundationDB" (see docs/writing-workloads.md):
// the leader's state lives at one key (ballot, leader, lease end); a client claims leadership when the
// lease has ended by writing the next ballot, and the leader renews its lease with heartbeats. Every
// operation logs itself in the same transaction under a versionstamped key, so the log sorts in true
// commit order. The check replays the log: each claim has a strictly higher ballot than the one before,
// no ballot has two leaders, and the replayed leader and ballot equal what the database holds.
// With `snapshotLeaderRead = true` a claim reads the leader key without a read conflict: two clients can
// both see the same ended lease and both commit the same next ballot (split brain).
import { bytes, concatBytes, defineWorkload, opt, str, strinc } from 'faultline';

const LEADER = bytes('election/leader');
const LOG = bytes('election/log/');

interface LeaderState {
  readonly ballot: number;
  readonly leader: number;
  /** Simulated time the lease ends, seconds. */
  readonly leaseEnd: number;
}

function decode(v: Uint8Array | undefined): LeaderState {
  if (!v) return { ballot: 0, leader: -1, leaseEnd: 0 };
  const [ballot, leader, leaseEnd] = str(v).split(':').map(Number);
  return { ballot: ballot ?? 0, leader: leader ?? -1, leaseEnd: leaseEnd ?? 0 };
}

function encode(s: LeaderState): Uint8Array {
  return bytes(`${s.ballot}:${s.leader}:${s.leaseEnd}`);
}

/** `election/log/` + a 10-byte versionstamp placeholder + client and op number + the placeholder's offset. */
function logKey(client: number, op: number): Uint8Array {
  const offset = new Uint8Array(4);
  new DataView(offset.buffer).setUint32(0, LOG.length, true);
  return concatBytes(LOG, new Uint8Array(10), bytes(`/${client}/${op}`), offset);
}

export default defineWorkload({
  name: 'LeaderElection',
  description: 'Clients claim leadership with ballots and leases; the check replays the versionstamped log.',
  kind: 'application',
  options: {
    testDuration: opt.number({
      default: 10,
      min: 0,
      unit: 's',
      doc: 'How long clients campaign, in simulated seconds.',
    }),
    leaseSeconds: opt.number({
      default: 1,
      min: 0.01,
      unit: 's',
      doc: 'How long a claim or heartbeat holds the lease.',
    }),
    pollSeconds: opt.number({
      default: 0.2,
      min: 0.001,
      unit: 's',
      doc: "Mean pause between a client's attempts.",
    }),
    resignProbability: opt.number({
      default: 0.1,
      min: 0,
      max: 1,
      unit: 'fraction',
      doc: 'Chance that a leader resigns (ends its lease) instead of renewing it.',
    }),
    snapshotLeaderRead: opt.bool({
      default: false,
      doc: 'Read the leader key without a read conflict when claiming (true: the split-brain bug).',
    }),
  },
  create(ctx) {
    const o = ctx.options;
    let ops = 0;
    let claims = 0;
    let renewals = 0;
    const attempt = async () => {
      const op = ops++;
      const resign = ctx.random.chance(o.resignProbability);
      return ctx.db.run(async (tr, info): Promise<'claim' | 'renew' | 'none'> => {
        // Operation logging: after commit_unknown_result, the log says whether the attempt committed.
        if (info.maybeCommitted) {
          const mine = await tr.getRange(LOG, strinc(LOG));
          const tag = `/${ctx.clientId}/${op}`;
          if (mine.some((kv) => str(kv.key.subarray(LOG.length + 10, kv.key.length - 4)) === tag))
            return 'none';
        }
        const state = decode(await tr.get(LEADER, { snapshot: o.snapshotLeaderRead }));
        const now = ctx.now();
        if (state.leader === ctx.clientId && now < state.leaseEnd) {
          tr.set(LEADER, encode({ ...state, leaseEnd: resign ? now : now + o.leaseSeconds }));
          const kind = resign ? 'resign' : 'heartbeat';
          tr.setVersionstampedKey(logKey(ctx.clientId, op), bytes(`${kind}:${state.ballot}:${ctx.clientId}`));
          return 'renew';
        }
        if (now < state.leaseEnd) return 'none';
        const next = { ballot: state.ballot + 1, leader: ctx.clientId, leaseEnd: now + o.leaseSeconds };
        tr.set(LEADER, encode(next));
        tr.setVersionstampedKey(logKey(ctx.clientId, op), bytes(`claim:${next.ballot}:${ctx.clientId}`));
        return 'claim';
      });
    };
    return {
      async start() {
        const end = ctx.now() + o.testDuration;
        while (ctx.now() < end) {
          const did = await attempt();
          if (did === 'claim') claims++;
          if (did === 'renew') renewals++;
          await ctx.delay(ctx.random.exponential(o.pollSeconds));
        }
      },
      async check() {
        if (ctx.clientId !== 0) return true;
        const { log, state } = await ctx.db.run(async (tr) => ({
          log: await tr.getRange(LOG, strinc(LOG)),
          state: decode(await tr.get(LEADER)),
        }));
        let ballot = 0;
        let leader = -1;
        const owner = new Map<number, number>();
        for (const kv of log) {
          const [kind, b, c] = str(kv.value).split(':');
          const entryBallot = Number(b);
          const client = Number(c);
          if (kind === 'claim') {
            if (entryBallot <= ballot)
              ctx.fail('a claim did not raise the ballot', {
                Ballot: entryBallot,
                Previous: ballot,
                Client: client,
              });
            const other = owner.get(entryBallot);
            if (other !== undefined && other !== client) {
              ctx.fail('two leaders claimed one ballot', {
                Ballot: entryBallot,
                First: other,
                Second: client,
              });
            }
            owner.set(entryBallot, client);
            ballot = entryBallot;
            leader = client;
          } else if (entryBallot !== ballot || client !== leader) {
            ctx.fail(`a ${kind} came from a client that was not the leader`, {
              Ballot: entryBallot,
              Client: client,
              Leader: leader,
            });
          }
        }
        if (state.ballot !== ballot || (log.length > 0 && state.leader !== leader)) {
          ctx.fail('the replayed log disagrees with the leader key', {
            LogBallot: ballot,
            LogLeader: leader,
            Ballot: state.ballot,
            Leader: state.leader,
          });
        }
        ctx.sometimes('leadership changed hands', new Set(owner.values()).size > 1);
        return true;
      },
      metrics: () => [
        { name: 'Claims', value: claims },
        { name: 'Renewals', value: renewals },
      ],
    };
  },
});
