// Progress of a long run on a terminal: one status line on stderr (simulated time, the test phase,
// transactions committed so far), redrawn at most every few hundred real milliseconds and cleared when
// the run ends. Fed by the trace events as they are written; nothing at all when output is piped.
import type { TraceEvent, TraceSink } from '../trace/event.js';

/** Real milliseconds between redraws. */
export const PROGRESS_INTERVAL_MS = 250;

/** Test lifecycle events and the phase each begins. */
const PHASES: Readonly<Record<string, string>> = {
  TestsExpectedToPass: 'database ready',
  TestRunning: 'starting',
  TestSetupStart: 'setup',
  TestStarting: 'running',
  TestCheckingResults: 'checking',
  TestFetchingMetrics: 'metrics',
  ConsistencyCheckComplete: 'consistency check done',
  TestResults: 'test done',
};

/** A status line redrawn in place with `\r` (no escape codes: shorter lines are padded with spaces). */
export class RunProgress implements TraceSink {
  private phase = 'starting the cluster';
  private test = '';
  private commits = 0;
  private simTime = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private width = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly clock: () => number,
  ) {}

  emit(e: TraceEvent): void {
    this.simTime = e.time / 1_000_000;
    const phase = PHASES[e.type];
    if (phase !== undefined) this.phase = phase;
    if (e.type === 'TestRunning') this.test = String(e.details.WorkloadTitle ?? '');
    if (e.type === 'ClientThroughput') this.commits += Number(e.details.Commits) || 0;
    const now = this.clock();
    if (now - this.lastDraw >= PROGRESS_INTERVAL_MS) {
      this.lastDraw = now;
      this.draw();
    }
  }

  private draw(): void {
    const test = this.test ? ` ${this.test}:` : '';
    const line = `  simulated ${this.simTime.toFixed(1)}s ·${test} ${this.phase} · ${this.commits} transactions committed`;
    this.write(`\r${line.padEnd(this.width)}`);
    this.width = line.length;
  }

  /** Clears the status line (before the report is printed). */
  finish(): void {
    if (this.width > 0) this.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }
}
