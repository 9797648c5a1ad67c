// A short scenario runner for tests: boots a simulated cluster from a seed, runs a body that drives
// transactions and faults, and returns what happened (trace events, outcome).
import type { ClusterClient } from '../../src/cluster/client.js';
import { SimulatedCluster } from '../../src/cluster/cluster.js';
import { resolveClusterConfig } from '../../src/cluster/config.js';
import { CLUSTER_KNOBS } from '../../src/cluster/knobs.js';
import { seconds } from '../../src/core/time.js';
import type { RunOutcome } from '../../src/sim/kernel.js';
import { World } from '../../src/sim/world.js';
import type { TraceEvent } from '../../src/trace/event.js';

export interface ScenarioContext {
  readonly world: World;
  readonly cluster: SimulatedCluster;
  /** Tester 0's client. */
  readonly db: ClusterClient;
  readonly events: TraceEvent[];
  /** Sleeps in simulated seconds. */
  delay(s: number): Promise<void>;
}

export interface ScenarioOptions {
  readonly seed: number;
  /** `[configuration]` values, as a spec would give them. */
  readonly config?: Record<string, unknown>;
  readonly buggify?: boolean;
  readonly knobs?: Record<string, number | boolean | string>;
  /** Simulated-time limit in seconds (default 600). */
  readonly maxSeconds?: number;
}

/** Boots a cluster, waits until it accepts commits, runs `body`, and returns the outcome and the trace. */
export async function runScenario<T>(
  opts: ScenarioOptions,
  body: (ctx: ScenarioContext) => Promise<T>,
): Promise<{ outcome: RunOutcome<T>; events: TraceEvent[]; world: World; cluster: SimulatedCluster }> {
  const events: TraceEvent[] = [];
  const world = new World({
    seed: opts.seed,
    buggify: opts.buggify ?? false,
    sink: { emit: (e) => events.push(e) },
    knobs: CLUSTER_KNOBS,
    knobOverrides: Object.entries(opts.knobs ?? {}).map(([name, value]) => ({ name, value })),
    limits: { maxTime: seconds(opts.maxSeconds ?? 600) },
  });
  const values = new Map(Object.entries(opts.config ?? {}).map(([k, v]) => [k, { value: v }]));
  const config = resolveClusterConfig({ file: '<scenario>', values }, world.random.fork('config'));
  const cluster = new SimulatedCluster(world, config);
  const outcome = await world.kernel.run(async () => {
    cluster.start();
    const db = cluster.client(0);
    await db.clusterInfo();
    return body({ world, cluster, db, events, delay: (s) => world.kernel.delay(seconds(s)) });
  });
  return { outcome, events, world, cluster };
}

/** The value of a finished outcome, or a thrown error describing why the run did not finish. */
export function finished<T>(outcome: RunOutcome<T>): T {
  if (outcome.kind === 'finished') return outcome.value;
  throw new Error(
    `run did not finish: ${outcome.reason}; stuck: ${outcome.stuck.map((s) => `${s.name} (${s.waitingOn})`).join(', ')}`,
  );
}

/** Counts the messages sent from now on to endpoints that `matches` accepts (by wrapping the network's send). */
export function countSends(world: World, matches: (endpoint: string) => boolean): { count: number } {
  const counter = { count: 0 };
  const network = world.network;
  const send = network.send.bind(network);
  network.send = (from, to, endpoint, payload) => {
    if (matches(endpoint)) counter.count++;
    send(from, to, endpoint, payload);
  };
  return counter;
}
