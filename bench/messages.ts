// What a run's messages are: one run of the default spec (or `--spec FILE`) on `--seed N`, its messages
// counted by endpoint (a role's id stripped, so `ss.get.<id>` counts as `ss.get`), with the run's commits.
// Where the time of a run goes is mostly where its messages go; this says which protocol steps send them.
//
//   npm run build && node dist/bench/messages.js --seed 5
import { readFileSync } from 'node:fs';
import { DEFAULT_SPEC_TEXT } from '../src/run/default-spec.js';
import { Network } from '../src/sim/network.js';
import { flag } from './flags.js';
import { runOnce } from './run-once.js';

/** Counts every message a live process sends, by endpoint without its role id. */
function countMessages(): Map<string, number> {
  const counts = new Map<string, number>();
  const send = Network.prototype.send;
  Network.prototype.send = function (this: Network, from, to, endpoint, payload) {
    if (from.alive) {
      const name = endpoint.replace(/\.[0-9a-f]{16}$/, '');
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    send.call(this, from, to, endpoint, payload);
  };
  return counts;
}

async function main(): Promise<void> {
  const seed = Number(flag('--seed') ?? 1);
  const specPath = flag('--spec');
  const text = specPath ? readFileSync(specPath, 'utf8') : DEFAULT_SPEC_TEXT;
  const counts = countMessages();
  const { outcome, committed, wallSeconds } = await runOnce(text, specPath ?? 'default.toml', seed);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  console.log(
    `seed ${seed} (${outcome}): ${total} messages, ${committed} commits (the workloads' Transactions metrics), ${wallSeconds.toFixed(2)} s of wall time (${((1e6 * wallSeconds) / total).toFixed(1)} µs a message, everything included)`,
  );
  for (const [name, n] of rows)
    console.log(`${String(n).padStart(9)}  ${((100 * n) / total).toFixed(1).padStart(5)} %  ${name}`);
  console.log(
    JSON.stringify({
      bench: 'messages',
      node: process.version,
      seed,
      outcome,
      messages: total,
      committed,
      wallSeconds,
      byEndpoint: Object.fromEntries(rows),
    }),
  );
}

await main();
