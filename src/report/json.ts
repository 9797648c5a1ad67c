// `--format json`: the report's content as one JSON document, for machines. The timeline is complete
// (never summarized); everything else is what the terminal report shows.
import type { RunResult } from '../run/result.js';
import { buildReport, type ReportModel } from './model.js';

/** Version of the JSON report's shape; bumped when a field changes meaning or goes away. */
export const JSON_REPORT_VERSION = 1;

/** The JSON report: the report model plus identifying fields. */
export interface JsonReport extends ReportModel {
  readonly reportVersion: number;
  readonly faultlineVersion: string;
  readonly outcome: RunResult['outcome'];
  readonly seed: number;
  readonly simTime: number;
  readonly realTime: number;
}

/** The JSON report of a run, as an object. */
export function jsonReport(r: RunResult): JsonReport {
  return {
    reportVersion: JSON_REPORT_VERSION,
    faultlineVersion: r.faultlineVersion,
    outcome: r.outcome,
    seed: r.seed,
    simTime: r.simTime,
    realTime: r.realTime,
    ...buildReport(r, { maxTimelineRows: 0 }),
  };
}

/** The JSON report of a run, as text (one document, two-space indented, newline-terminated). */
export function renderJson(r: RunResult): string {
  return `${JSON.stringify(jsonReport(r), null, 2)}\n`;
}
