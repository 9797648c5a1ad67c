// Ctrl-C and SIGTERM during a run: the trace so far is flushed and marked interrupted (a last
// TraceInterrupted event), left under its `.partial` name, one line says where, and the process exits
// 130 (SIGINT) or 143 (SIGTERM), as shells expect. The simulation yields to the event loop regularly
// (see sim/kernel.ts), so the handler runs within a few milliseconds of the signal.
import type { TraceWriter } from '../trace/writer.js';
import type { CliIo } from './io.js';

/** Exit codes of a run ended by a signal: 128 + the signal number. */
export const SIGNAL_EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `work` with SIGINT and SIGTERM handlers that close `writer` as interrupted and exit. The handlers
 * are removed when `work` settles.
 */
export async function withInterrupts<T>(io: CliIo, writer: TraceWriter, work: () => Promise<T>): Promise<T> {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => {
      const partial = writer.interrupt(signal);
      io.stderr(
        `faultline: interrupted by ${signal}; ${partial ? `the partial trace is ${partial} (it ends with a TraceInterrupted event)` : 'no trace file was written'}\n`,
      );
      process.exit(SIGNAL_EXIT[signal]);
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  try {
    return await work();
  } finally {
    for (const { signal, handler } of handlers) process.off(signal, handler);
  }
}
