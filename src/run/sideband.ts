// The sideband of one workload instance: messages between its clients over the simulated network,
// outside the database (FoundationDB's Sideband workload sends commit versions this way).
import type { SimProcess } from '../sim/process.js';
import type { World } from '../sim/world.js';
import type { Sideband, SidebandMessage } from '../workload/contract.js';

/**
 * Builds the sideband of client `clientId` of a workload instance. `channel` names the instance (unique
 * in the run); `testers` are the tester processes, indexed by client id. A message is a real network
 * message: it takes the network's latency, waits out clogs, and is lost if the connection fails.
 */
export function createSideband(
  world: World,
  testers: readonly SimProcess[],
  clientId: number,
  channel: string,
): Sideband {
  const me = testers[clientId]!;
  const endpoint = `sideband.${channel}`;
  const inbox: SidebandMessage[] = [];
  const waiting: ((m: SidebandMessage) => void)[] = [];
  me.listen(endpoint, (payload) => {
    const m = payload as SidebandMessage;
    const w = waiting.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  return {
    send(toClient: number, message: SidebandMessage): void {
      const to = testers[toClient];
      if (!to) throw new RangeError(`sideband: no client ${toClient} (this workload has ${testers.length})`);
      world.network.send(me, to.address, endpoint, { ...message });
    },
    receive(): Promise<SidebandMessage> {
      const next = inbox.shift();
      if (next) return Promise.resolve(next);
      const f = me.future<SidebandMessage>(`sideband message on ${endpoint}`);
      waiting.push((m) => f.resolve(m));
      return f.promise;
    },
  };
}
