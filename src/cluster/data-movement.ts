// Moving key ranges between storage teams (FoundationDB's moveKeys), applied by a recovery: the range's
// shards are split at its ends and get the destination team; a destination process that holds no replica
// of a piece gets a new storage server that fetches it from the current replicas. The old members stay in
// the team, kept up to date, until the new ones hold a complete copy; a later recovery drops them.
import type { BKey } from './keys.js';
import type { DbConfig, RoleRef, Shard, WorkerReport } from './protocol.js';
import type { ClusterRuntime } from './runtime.js';
import type { FetchPlan } from './storage.js';

/** A request to move [begin, end) to storage on the processes at `destination` (one per zone). */
export interface MoveRequest {
  readonly begin: BKey;
  readonly end: BKey;
  readonly destination: readonly string[];
}

/** A new storage server's start: its shards and where each is fetched from. */
export interface StorageStart {
  readonly address: string;
  readonly init: { role: 'storage'; id: string; shards: { begin: BKey; end: BKey }[]; fetch: FetchPlan };
}

/** `shards` with a boundary at `key` (the shard containing it split in two). */
export function splitAt(shards: readonly Shard[], key: BKey): Shard[] {
  const out: Shard[] = [];
  for (const sh of shards) {
    if (sh.begin < key && key < sh.end) {
      out.push({ ...sh, end: key }, { ...sh, begin: key });
    } else out.push(sh);
  }
  return out;
}

/** The members of a shard that stay: its team without the members that are leaving. */
export function stayingMembers(sh: Shard): string[] {
  const leaving = new Set(sh.leaving ?? []);
  return sh.team.filter((id) => !leaving.has(id));
}

/**
 * Applies `moves` in order to the shard map. Returns the new map and storage list; new servers' starts are
 * appended to `inits`. A piece whose current members hold no complete copy stays where it is (traced).
 */
export function planMoves(
  rt: ClusterRuntime,
  epoch: number,
  servers: readonly WorkerReport[],
  storage: readonly RoleRef[],
  shards: readonly Shard[],
  moves: readonly MoveRequest[],
  inits: { push(start: StorageStart): unknown },
  uid: () => string,
): { storage: RoleRef[]; shards: Shard[] } {
  const hosted = new Set(servers.flatMap((w) => w.storage));
  const fetching = new Set(servers.flatMap((w) => w.fetching));
  const live = new Set(servers.map((w) => w.address));
  const byId = new Map(storage.map((s) => [s.id, s]));
  const created = new Map<string, { ref: RoleRef; shards: FetchPlan['shards'][number][] }>();
  let map = [...shards];
  for (const move of moves) {
    if (move.begin >= move.end || !move.destination.every((a) => live.has(a))) {
      rt.trace('MoveKeysSkipped', { Begin: move.begin, End: move.end, Reason: 'destination not live' });
      continue;
    }
    map = splitAt(splitAt(map, move.begin), move.end);
    map = map.map((sh) => {
      if (sh.end <= move.begin || sh.begin >= move.end) return sh;
      const complete = sh.team
        .filter((id) => hosted.has(id) && !fetching.has(id))
        .map((id) => byId.get(id))
        .filter((r): r is RoleRef => r !== undefined);
      if (complete.length === 0) {
        rt.trace('MoveKeysSkipped', { Begin: sh.begin, End: sh.end, Reason: 'no complete replica to copy' });
        return sh;
      }
      const staying = new Set(stayingMembers(sh));
      const team: string[] = [];
      for (const address of move.destination) {
        const kept = sh.team.find((id) => staying.has(id) && byId.get(id)?.address === address);
        if (kept) {
          team.push(kept);
          continue;
        }
        let c = created.get(address);
        if (!c) {
          c = { ref: { id: uid(), address }, shards: [] };
          created.set(address, c);
        }
        c.shards.push({ begin: sh.begin, end: sh.end, sources: complete });
        team.push(c.ref.id);
      }
      const leaving = sh.team.filter((id) => !team.includes(id));
      return { begin: sh.begin, end: sh.end, team: [...team, ...leaving], leaving };
    });
  }
  const newStorage = [...storage];
  for (const c of created.values()) {
    newStorage.push(c.ref);
    inits.push({
      address: c.ref.address,
      init: {
        role: 'storage',
        id: c.ref.id,
        shards: c.shards.map(({ begin, end }) => ({ begin, end })),
        fetch: { epoch, shards: c.shards },
      },
    });
    rt.trace('MoveKeysNewStorage', { NewStorage: c.ref.id, Address: c.ref.address, Shards: c.shards.length });
  }
  return { storage: newStorage, shards: map };
}

/**
 * Drops leaving members from shards whose staying members all hold complete copies (at least the
 * configured replication), and storage servers that hold no shard any more. Shards are never merged: a
 * storage server serves a range read within one of the ranges it was started with.
 */
export function dropLeavers(
  servers: readonly WorkerReport[],
  storage: readonly RoleRef[],
  shards: readonly Shard[],
  config: DbConfig,
): { storage: RoleRef[]; shards: Shard[] } {
  const hosted = new Set(servers.flatMap((w) => w.storage));
  const fetching = new Set(servers.flatMap((w) => w.fetching));
  const out: Shard[] = [];
  for (const sh of shards) {
    let next: Shard = sh;
    if (sh.leaving && sh.leaving.length > 0) {
      const staying = stayingMembers(sh);
      const complete = staying.filter((id) => hosted.has(id) && !fetching.has(id));
      if (complete.length === staying.length && staying.length >= config.replication) {
        next = { begin: sh.begin, end: sh.end, team: staying };
      }
    }
    out.push(next);
  }
  const used = new Set(out.flatMap((s) => s.team));
  return { storage: storage.filter((s) => used.has(s.id)), shards: out };
}

/** True when a shard map has leaving members that can go now. */
export function leaversReady(
  servers: readonly WorkerReport[],
  shards: readonly Shard[],
  replication: number,
): boolean {
  const hosted = new Set(servers.flatMap((w) => w.storage));
  const fetching = new Set(servers.flatMap((w) => w.fetching));
  return shards.some((sh) => {
    if (!sh.leaving || sh.leaving.length === 0) return false;
    const staying = stayingMembers(sh);
    return staying.length >= replication && staying.every((id) => hosted.has(id) && !fetching.has(id));
  });
}
