// What a fresh process pays before its code is fast: the default spec (or `--spec FILE`) on `--seed N`,
// run `--runs R` times (default 3) in one process. The runs do the same work, so the first one's extra
// wall time over the last is V8's warm-up (interpreted and baseline code until the hot paths are
// optimized) plus the heap's growth: what every `faultline run`, and every seed of bench:throughput, pays.
//
//   npm run build && node dist/bench/warmup.js --seed 9 --runs 3
import { readFileSync } from 'node:fs';
import { DEFAULT_SPEC_TEXT } from '../src/run/default-spec.js';
import { flag } from './flags.js';
import { runOnce } from './run-once.js';

async function main(): Promise<void> {
  const seed = Number(flag('--seed') ?? 9);
  const runs = Math.max(2, Number(flag('--runs') ?? 3));
  const specPath = flag('--spec');
  const text = specPath ? readFileSync(specPath, 'utf8') : DEFAULT_SPEC_TEXT;
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(text, specPath ?? 'default.toml', seed);
    walls.push(r.wallSeconds);
    console.log(`run ${i + 1}: ${r.wallSeconds.toFixed(3)} s, ${r.committed} commits (${r.outcome})`);
  }
  const first = walls[0]!;
  const last = walls[walls.length - 1]!;
  console.log(
    `first run ${first.toFixed(3)} s, last ${last.toFixed(3)} s: ${(first - last).toFixed(3)} s of warm-up`,
  );
  console.log(
    JSON.stringify({
      bench: 'warmup',
      node: process.version,
      seed,
      runs,
      wallSeconds: walls,
      warmupSeconds: first - last,
    }),
  );
}

await main();
