// The default spec with Cycle's rate and every duration scaled, and optionally a fixed machine count:
// the scaling points of bench/throughput.ts and bench/timeline.ts.
import { DEFAULT_SPEC_TEXT } from '../src/run/default-spec.js';

export function scaledDefaultSpec(opts: { tps?: number; duration?: number; machines?: number }): string {
  let text = DEFAULT_SPEC_TEXT.replace(
    'transactionsPerSecond = 2500.0',
    `transactionsPerSecond = ${(2500 * (opts.tps ?? 1)).toFixed(1)}`,
  ).replaceAll('testDuration = 30.0', `testDuration = ${(30 * (opts.duration ?? 1)).toFixed(1)}`);
  if (opts.machines !== undefined) {
    text = text.replace('[configuration]\n', `[configuration]\nmachineCount = ${8 * opts.machines}\n`);
  }
  return text;
}
