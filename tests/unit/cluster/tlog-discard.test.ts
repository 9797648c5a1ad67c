// A log whose epoch is over is discarded, its entries with it; a peek it was still serving must fail, not
// be answered from the emptied log. Such an answer has no entries but the log's whole end, and the storage
// server that asked skips every version up to that end (swarm seed 20200: a replica lost two clears; the
// spec is tests/regressions/PeekAnsweredByDiscardedLog.toml).
import { describe, expect, it } from 'vitest';
import { createTLog, type PeekReply, tlogEndpoints } from '../../../src/cluster/tlog.js';
import { seconds } from '../../../src/core/time.js';
import { RpcError } from '../../../src/sim/rpc.js';
import { finished, runScenario } from '../../support/cluster-scenario.js';

describe('a discarded log', () => {
  it('fails a peek it was still serving instead of answering it from no entries', async () => {
    const { outcome } = await runScenario(
      { seed: 1, config: { config: 'single', machineCount: 2, processesPerMachine: 1 } },
      async ({ world, cluster, delay }) => {
        const host = cluster.servers[0]!;
        const rpc = world.rpc(cluster.testers[0]!);
        const log = await createTLog(cluster.rt, host, {
          id: 'discardtest',
          epoch: 99,
          start: 0,
          tags: ['t'],
          seed: [],
        });
        const ep = tlogEndpoints('discardtest');
        // The peek asks past the log's end, so the log holds it (up to 0.5 s) waiting for data.
        const peek = rpc.request<PeekReply>(host.address, ep.peek, { tag: 't', from: 1 }, seconds(2)).then(
          (reply) => `answered: ${reply.entries.length} entries, end ${reply.end}`,
          (e: unknown) => (e instanceof RpcError ? e.errorName : String(e)),
        );
        await delay(0.1);
        log.discard();
        return await peek;
      },
    );
    expect(finished(outcome)).toBe('broken_promise');
  });
});
