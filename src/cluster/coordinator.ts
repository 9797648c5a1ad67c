// The coordinator role: a durable generation register (single-decree Paxos: promise, then accept) holding
// the coordinated state, and the leader register that elects the cluster controller by lease.
import { seconds } from '../core/time.js';
import type { SimFile } from '../sim/disk.js';
import type { SimProcess } from '../sim/process.js';
import { type CoordinatedState, EP } from './protocol.js';
import { openRecordLog, RecordLog } from './record-file.js';
import type { ClusterRuntime } from './runtime.js';

/** A coordinator's durable register. */
interface RegisterState {
  promised: number;
  acceptedGen: number;
  value: CoordinatedState | null;
  /** Set when the cluster moved to other coordinators: clients and workers follow it. */
  forward: string[] | null;
}

export interface CoordReadReply {
  readonly ok: boolean;
  readonly promised: number;
  readonly acceptedGen: number;
  readonly value: CoordinatedState | null;
  readonly forward: string[] | null;
}

export interface LeaderInfo {
  readonly address: string;
  readonly ballot: number;
}

/** Starts the coordinator role on `proc`, recovering its register from disk. */
export async function startCoordinator(rt: ClusterRuntime, proc: SimProcess): Promise<void> {
  const file: SimFile = rt.world.open(proc, 'coordination');
  const scan = await openRecordLog<RegisterState>(file);
  const reg: RegisterState = scan.records.at(-1) ?? {
    promised: 0,
    acceptedGen: 0,
    value: null,
    forward: null,
  };
  const records = new RecordLog(file, scan.end);
  if (rt.coordinatorsOf(proc).includes(proc.address) || reg.value !== null) proc.addRole('CD');
  const rpc = rt.world.rpc(proc);

  // Serialize durable writes of the register: each change is appended and synced before the reply.
  let chain: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    const snapshot = { ...reg };
    chain = chain.then(async () => {
      if (rt.buggify('coordinator.slowPersist', 0.05))
        await proc.delay(seconds(rt.world.random.uniform(0.01, 0.3)));
      rt.guard(proc, records.append(snapshot));
      await records.sync();
    });
    return chain;
  };

  rpc.serve<{ gen: number; join?: boolean }, CoordReadReply>(EP.coordRead, (req, respond) => {
    // A coordinator that forwards no longer takes part (masters must follow the forward), unless a master
    // is bringing it back into the coordinator set.
    if (req.gen > reg.promised && (reg.forward === null || req.join === true)) {
      reg.promised = req.gen;
      rt.guard(
        proc,
        persist().then(() =>
          respond.reply({
            ok: true,
            promised: reg.promised,
            acceptedGen: reg.acceptedGen,
            value: reg.value,
            forward: reg.forward,
          }),
        ),
      );
    } else {
      respond.reply({
        ok: false,
        promised: reg.promised,
        acceptedGen: reg.acceptedGen,
        value: reg.value,
        forward: reg.forward,
      });
    }
  });

  rpc.serve<
    { gen: number; value: CoordinatedState; forward?: string[]; join?: boolean },
    { ok: boolean; promised: number }
  >(EP.coordWrite, (req, respond) => {
    if (req.gen >= reg.promised && (reg.forward === null || req.forward !== undefined || req.join === true)) {
      proc.addRole('CD');
      reg.promised = req.gen;
      reg.acceptedGen = req.gen;
      reg.value = req.value;
      reg.forward = req.forward ?? (req.join === true ? null : reg.forward);
      rt.guard(
        proc,
        persist().then(() => respond.reply({ ok: true, promised: reg.promised })),
      );
    } else {
      respond.reply({ ok: false, promised: reg.promised });
    }
  });

  // Leader election: the register honours one leader while its lease lasts; candidates with a higher
  // ballot take over only after the lease expires. Kept in memory, as FoundationDB's leader register is.
  // Leases are measured on this process's own clock, so clock skew and drift (ClockSkew) reach them.
  let leader: LeaderInfo | null = null;
  let leaseUntil = 0;
  rpc.serve<{ address: string; ballot: number }, { leader: LeaderInfo | null; forward: string[] | null }>(
    EP.coordCandidacy,
    (req, respond) => {
      const now = proc.localTime();
      const expired = now >= leaseUntil;
      if (leader === null || expired || leader.address === req.address) {
        if (leader === null || leader.address !== req.address || req.ballot >= leader.ballot) {
          leader = { address: req.address, ballot: req.ballot };
        }
        leaseUntil = now + seconds(rt.knob('LEADER_LEASE'));
      }
      respond.reply({ leader, forward: reg.forward });
    },
  );
  rpc.serve<Record<string, never>, { leader: LeaderInfo | null; forward: string[] | null }>(
    EP.coordGetLeader,
    (_req, respond) => {
      const live = leader !== null && proc.localTime() < leaseUntil ? leader : null;
      respond.reply({ leader: live, forward: reg.forward });
    },
  );
}
