// Transactions per simulated second, traced for the HTML view's throughput strip: a daemon that wakes
// once a second and traces what the testers' clients committed and retried since its last wake. It
// draws no random numbers and only reads counters, so it changes nothing the run does.
import type { SimulatedCluster } from '../cluster/cluster.js';
import { seconds } from '../core/time.js';
import type { World } from '../sim/world.js';

/** Seconds between `ClientThroughput` events. */
export const THROUGHPUT_INTERVAL_SECONDS = 1;

/**
 * Starts the sampler. Each interval with any activity traces `ClientThroughput` with `Commits`,
 * `Retries` and `Conflicts` since the previous one (quiet intervals trace nothing).
 */
export function startThroughputSampler(world: World, cluster: SimulatedCluster): void {
  const clients = cluster.testers.map((_, i) => cluster.client(i));
  const total = () => {
    let commits = 0;
    let retries = 0;
    let conflicts = 0;
    for (const c of clients) {
      commits += c.stats.commits;
      retries += c.stats.retries;
      conflicts += c.stats.conflicts;
    }
    return { commits, retries, conflicts };
  };
  let last = total();
  world.kernel.spawn(
    'throughput sampler',
    async (task) => {
      for (;;) {
        await world.kernel.delay(seconds(THROUGHPUT_INTERVAL_SECONDS), task);
        const now = total();
        const commits = now.commits - last.commits;
        const retries = now.retries - last.retries;
        const conflicts = now.conflicts - last.conflicts;
        last = now;
        if (commits + retries + conflicts > 0) {
          world.trace('ClientThroughput', { Commits: commits, Retries: retries, Conflicts: conflicts });
        }
      }
    },
    { daemon: true },
  );
}
