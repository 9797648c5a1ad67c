// Progress while a sweep runs: a live bar on a terminal (done/total, passed, failed, runs/s, ETA), or in
// CI and other non-terminals a plain line every few seconds. Failures are printed above the bar as they
// happen. The one file that imports cli-progress.
import cliProgress from 'cli-progress';

/** Where the sweep stands. */
export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
}

/** A progress display. */
export interface ProgressView {
  /** New counts. */
  update(state: ProgressState): void;
  /** Prints a line (a failure) without breaking the display. */
  log(text: string): void;
  /** Ends the display (idempotent). */
  stop(): void;
}

/** How to show progress. */
export type ProgressOptions =
  | { readonly kind: 'bar'; readonly stream: NodeJS.WritableStream }
  | {
      readonly kind: 'lines';
      readonly write: (text: string) => void;
      /** Seconds between lines. */
      readonly everySeconds: number;
      /** Wall clock in milliseconds. */
      readonly clock: () => number;
    };

function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function barView(stream: NodeJS.WritableStream, total: number): ProgressView {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format:
        ' {bar} {value}/{total} | passed {passed} | failed {failed} | {rate} runs/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = performance.now();
  const bar = multi.create(total, 0, { passed: 0, failed: 0, rate: '0.00' });
  let stopped = false;
  return {
    update: (s) => {
      const rate = s.done / Math.max((performance.now() - start) / 1000, 1e-3);
      bar.update(s.done, { passed: s.passed, failed: s.failed, rate: rate.toFixed(2) });
    },
    log: (text) => multi.log(text.endsWith('\n') ? text : `${text}\n`),
    stop: () => {
      if (stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}

function linesView(o: Extract<ProgressOptions, { kind: 'lines' }>, total: number): ProgressView {
  const start = o.clock();
  let last: ProgressState = { done: 0, total, passed: 0, failed: 0 };
  const print = () => {
    const elapsed = (o.clock() - start) / 1000;
    const rate = elapsed > 0 ? last.done / elapsed : 0;
    o.write(
      `progress: ${last.done}/${last.total} runs (${last.passed} passed, ${last.failed} failed), ` +
        `${rate.toFixed(2)} runs/s, ETA ${eta(rate > 0 ? (last.total - last.done) / rate : Number.NaN)}\n`,
    );
  };
  const timer = setInterval(print, o.everySeconds * 1000);
  timer.unref();
  return {
    update: (s) => {
      last = s;
    },
    log: (text) => o.write(text.endsWith('\n') ? text : `${text}\n`),
    stop: () => clearInterval(timer),
  };
}

/** A progress display for a sweep of `total` runs. */
export function createProgress(options: ProgressOptions, total: number): ProgressView {
  return options.kind === 'bar' ? barView(options.stream, total) : linesView(options, total);
}
