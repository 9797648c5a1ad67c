// What a fresh process pays before its code is fast: the default spec (or `--spec FILE`) on `--seed N`,
// run `--runs R` times (default 3) in one process. The runs do the same work, so the first one's extra
// wall time over the last is V8's warm-up (interpreted and baseline code until the hot paths are
// optimized) plus the heap's growth: what every `faultline run`, and every seed of bench:throughput, pays.
// It also shows where in the run the warm-up falls: the wall time of each simulated second (from the
// run's once-a-second ClientThroughput events, read by a sink of this bench's own), first run against
// last, for the seconds where they differ most.
//
//   npm run build && node dist/bench/warmup.js --seed 9 --runs 3 [--top 5]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { toSeconds } from '../src/core/time.js';
import { DEFAULT_SPEC_TEXT } from '../src/run/default-spec.js';
import type { TraceEvent, TraceSink } from '../src/trace/event.js';
import { flag } from './flags.js';
import { runOnce } from './run-once.js';

/** The real clock, taken before a run replaces `performance.now` with simulated time. */
const realNow = performance.now.bind(performance);

/** Wall milliseconds spent on each simulated second that ends with a ClientThroughput sample. */
class SecondsSink implements TraceSink {
  readonly wallMs = new Map<number, number>();
  private last = realNow();

  emit(e: TraceEvent): void {
    if (e.type !== 'ClientThroughput') return;
    const now = realNow();
    this.wallMs.set(Math.round(toSeconds(e.time)), now - this.last);
    this.last = now;
  }
}

/** The simulated seconds where the first run spent the most wall time over the last. */
function whereWarmupGoes(first: SecondsSink, last: SecondsSink, top: number): string[] {
  const rows = [...first.wallMs].map(([s, ms]) => ({ s, first: ms, last: last.wallMs.get(s) ?? 0 }));
  const extra = rows.reduce((a, r) => a + r.first - r.last, 0);
  return rows
    .sort((a, b) => b.first - b.last - (a.first - a.last))
    .slice(0, top)
    .map(
      (r) =>
        `  simulated second ${r.s}: ${r.first.toFixed(0)} ms first, ${r.last.toFixed(0)} ms last ` +
        `(${((100 * (r.first - r.last)) / Math.max(1, extra)).toFixed(0)} % of the sampled warm-up)`,
    );
}

async function main(): Promise<void> {
  const seed = Number(flag('--seed') ?? 9);
  const runs = Math.max(2, Number(flag('--runs') ?? 3));
  const top = Number(flag('--top') ?? 5);
  const specPath = flag('--spec');
  const text = specPath ? readFileSync(specPath, 'utf8') : DEFAULT_SPEC_TEXT;
  const walls: number[] = [];
  const seconds: SecondsSink[] = [];
  for (let i = 0; i < runs; i++) {
    const sink = new SecondsSink();
    const r = await runOnce(text, specPath ?? 'default.toml', seed, [sink]);
    walls.push(r.wallSeconds);
    seconds.push(sink);
    console.log(`run ${i + 1}: ${r.wallSeconds.toFixed(3)} s, ${r.committed} commits (${r.outcome})`);
  }
  const first = walls[0]!;
  const last = walls[walls.length - 1]!;
  console.log(
    `first run ${first.toFixed(3)} s, last ${last.toFixed(3)} s: ${(first - last).toFixed(3)} s of warm-up`,
  );
  console.log('where it goes (wall time per simulated second, first run against last):');
  for (const line of whereWarmupGoes(seconds[0]!, seconds[seconds.length - 1]!, top)) console.log(line);
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
