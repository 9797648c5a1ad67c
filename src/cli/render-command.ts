// `faultline render TRACE`: the report of a run from its trace alone (the same fold `run` prints), with
// exit code 0 when the traced run passed, 1 when it failed, 3 when it did not finish; 2 for a file that
// is not a trace. Problems with the file itself (malformed lines, a cut-off end) go to stderr.
import { BadInputError } from '../core/errors.js';
import { ReportFold } from '../report/fold.js';
import { renderJson } from '../report/json.js';
import { DEFAULT_TIMELINE_ROWS } from '../report/model.js';
import { PictureFold } from '../report/picture.js';
import { colorEnabled } from '../report/style.js';
import { renderText } from '../report/text.js';
import { type ScanStats, scanTraces, traceFiles } from '../trace/scan.js';
import { exitCodeForOutcome } from './exit-codes.js';
import { checkHtmlPath, writeHtmlReport } from './html-output.js';
import { type CliIo, outputWidth } from './io.js';

/** The options `faultline render` takes, as commander hands them over. */
export interface RenderFlags {
  readonly format: string;
  readonly allEvents: boolean;
  readonly color: boolean;
  readonly html?: string;
}

/** What was wrong with the file, for stderr: malformed lines (the first few by number), a cut-off end, what is missing. */
export function traceProblems(stats: ScanStats, missing: readonly string[]): string[] {
  const out: string[] = [];
  if (stats.malformed > 0) {
    out.push(`${stats.file}: ${stats.malformed} of ${stats.lines} lines are not trace events; skipped them`);
    for (const m of stats.firstMalformed) out.push(`  ${stats.file}:${m.line}: ${m.message}`);
    if (stats.malformed > stats.firstMalformed.length) {
      out.push(`  ... and ${stats.malformed - stats.firstMalformed.length} more`);
    }
  }
  if (stats.cutOff)
    out.push(
      `${stats.file}: the file ends mid-event (no final newline, or no </Trace>): it was cut off while being written`,
    );
  if (missing.length > 0) {
    out.push(
      `${stats.file}: the trace is truncated: no ${missing.join(', no ')} event; the report shows what it has`,
    );
  }
  return out;
}

/** Runs the `render` command; returns the exit code. Bad input throws (mapped by the caller). */
export function renderCommand(paths: readonly string[], flags: RenderFlags, io: CliIo): number {
  if (flags.format !== 'text' && flags.format !== 'json') {
    throw new BadInputError(`expected text or json, got '${flags.format}'`, {
      file: '<command line>',
      key: '--format',
    });
  }
  if (flags.html !== undefined) checkHtmlPath(flags.html);
  const fold = new ReportFold();
  const picture = flags.html !== undefined ? new PictureFold() : undefined;
  const files = traceFiles(paths);
  const stats = scanTraces(files, (e) => {
    fold.emit(e);
    picture?.emit(e);
  });
  for (const s of stats) {
    if (s.events === 0 && s.malformed > 0) {
      throw new BadInputError(
        `no line of it is a trace event (${s.firstMalformed[0]?.message ?? 'nothing parsed'})`,
        { file: s.file },
        'render reads faultline traces and FoundationDB traces (JSON or XML)',
      );
    }
  }
  const problems = stats.flatMap((s) => traceProblems(s, []));
  const missing = fold.missing();
  if (missing.length > 0) {
    problems.push(`the trace is truncated: no ${missing.join(', no ')} event; the report shows what it has`);
  }
  for (const line of problems) io.stderr(`faultline: ${line}\n`);
  const result = fold.result({ tracePath: files.length === 1 ? files[0]! : `${files.length} files` });
  if (picture !== undefined && flags.html !== undefined)
    writeHtmlReport(flags.html, result, picture.picture(), io);
  if (flags.format === 'json') io.stdout(renderJson(result));
  else {
    const color = flags.color && colorEnabled(io.env, io.isTTY);
    const width = outputWidth(io);
    io.stdout(
      renderText(result, {
        color,
        maxTimelineRows: flags.allEvents ? 0 : DEFAULT_TIMELINE_ROWS,
        ...(width !== undefined ? { width } : {}),
      }),
    );
  }
  return exitCodeForOutcome(result.outcome);
}
