// The terminal report of `faultline run` (cli.md): Simulation Overview, Chaos Workloads (declared in the
// spec and added by failure injection), Timeline of Chaos Events, Chaos Summary, Invariant Report,
// Metrics, then the verdict and the command that reproduces the run.
import type { RunResult } from '../run/result.js';
import { formatTime, round } from './format.js';
import { buildReport, type InvariantRow, type ReportModel, type ReportOptions } from './model.js';
import { createStyle, type Style } from './style.js';
import { renderTable, type TableOptions, terminalSafe } from './table.js';

/** Options of the text report. */
export interface TextReportOptions extends ReportOptions {
  /** Colour the output (see `colorEnabled`). Default false. */
  readonly color?: boolean;
  /** Fit every table into this many columns (the terminal's width). Default: tables as wide as their content. */
  readonly width?: number;
}

/** A table's options with the terminal width applied: fitted columns replace fixed ones. */
function sized(width: number | undefined, o: TableOptions = {}): TableOptions {
  if (width === undefined) return o;
  const { colWidths: _, ...rest } = o;
  return { ...rest, maxWidth: width };
}

/** Longest evidence value shown in the Invariant Report (the trace has all of it). */
const EVIDENCE_CHARS = 120;
/** Width of the wide Details columns. */
const DETAILS_WIDTH = 64;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

function invariantDetails(row: InvariantRow): string {
  const parts: string[] = [];
  if (row.reason) parts.push(row.reason);
  if (row.time !== undefined && row.status === 'fail') parts.push(`at ${round(row.time, 3)}s`);
  if (row.count !== undefined && row.count > 1 && row.status === 'fail') parts.push(`(${row.count} times)`);
  if (row.evidence) {
    const ev = Object.entries(row.evidence)
      .map(([k, v]) => `${k}=${clip(v, EVIDENCE_CHARS)}`)
      .join(' ');
    if (ev) parts.push(`evidence: ${ev}`);
  }
  return parts.join(' ');
}

function section(st: Style, title: string, body: string): string {
  return `${st.heading(title)}\n${body}\n`;
}

function overview(st: Style, m: ReportModel, w: number | undefined): string {
  const o = m.overview;
  const h = (s: string) => st.bold(s);
  const first = renderTable(
    ['Seed', 'Replication', 'Simulated Time', 'Real Time', 'Storage Engine', 'BUGGIFY'].map(h),
    [[String(o.seed), o.replication, o.simulatedTime, o.realTime, o.storageEngine, o.buggify ? 'on' : 'off']],
    sized(w),
  );
  const second = renderTable(
    [
      'Machines',
      'Processes',
      'Coordinators',
      'Logs',
      'Commit Proxies',
      'GRV Proxies',
      'Resolvers',
      'Testers',
    ].map(h),
    [
      [
        o.machines,
        o.processes,
        o.coordinators,
        o.logs,
        o.commitProxies,
        o.grvProxies,
        o.resolvers,
        o.testers,
      ].map(String),
    ],
    sized(w),
  );
  const bug = o.plantedBug !== undefined ? `\n${st.warn(`Planted bug: ${o.plantedBug}`)}` : '';
  return `${first}\n${second}\n${st.dim(o.configString)}${bug}`;
}

function chaosWorkloads(st: Style, m: ReportModel, w: number | undefined): string {
  if (m.chaosWorkloads.length === 0) return st.dim('No tests.');
  const rows = m.chaosWorkloads.map((r) => {
    const added = r.added.length > 0 ? r.added.join('\n') : 'none';
    return [
      r.test,
      r.declared.length > 0 ? r.declared.join(', ') : 'none',
      r.note !== undefined ? `${added}\n${st.dim(r.note)}` : added,
    ];
  });
  return renderTable(
    ['Test', 'Declared in Spec', 'Added by Failure Injection'].map(st.bold),
    rows,
    sized(w, { colWidths: [null, null, DETAILS_WIDTH + 2] }),
  );
}

function timeline(st: Style, m: ReportModel, w: number | undefined): string {
  if (m.timeline.length === 0) return st.dim('No chaos events.');
  const rows = m.timeline.map((r) => [formatTime(r.time), r.type, r.details]);
  const table = renderTable(
    ['Time (s)', 'Event Type', 'Details'].map(st.bold),
    rows,
    sized(w, { colWidths: [null, null, DETAILS_WIDTH + 2] }),
  );
  const notes: string[] = [];
  if (m.timeline.length < m.timelineEvents || m.timeline.some((r) => r.count > 1)) {
    notes.push(`${m.timelineEvents} events, summarized; run with --all-events to see every one.`);
  }
  if (m.chaosEventsDropped > 0)
    notes.push(`${m.chaosEventsDropped} more chaos events are in the trace file only.`);
  return notes.length > 0 ? `${table}\n${st.dim(notes.join(' '))}` : table;
}

function invariants(st: Style, m: ReportModel, w: number | undefined): string {
  if (m.invariants.length === 0) return st.dim('No invariants were checked.');
  const rows = m.invariants.map((r) => [
    r.test,
    r.workload,
    r.check,
    st.status(r.status),
    invariantDetails(r),
  ]);
  return renderTable(
    ['Test', 'Workload', 'Check', 'Result', 'Details'].map(st.bold),
    rows,
    sized(w, { colWidths: [null, null, null, null, DETAILS_WIDTH + 2] }),
  );
}

function metrics(st: Style, m: ReportModel, w: number | undefined): string {
  if (m.metrics.length === 0) return st.dim('No metrics were reported.');
  const tests = new Set(m.metrics.map((r) => r.test));
  const withTest = tests.size > 1;
  const head = [...(withTest ? ['Test'] : []), 'Workload', 'Metric', 'Value'].map(st.bold);
  const rows = m.metrics.map((r) => [...(withTest ? [r.test] : []), r.workload, r.name, r.formatted]);
  return renderTable(head, rows, sized(w, { rightAligned: [head.length - 1] }));
}

function verdict(st: Style, m: ReportModel): string {
  const lines = [st.verdict(m.verdict.outcome, m.verdict.headline)];
  for (const d of m.verdict.details) lines.push(`  ${d}`);
  lines.push('');
  const trace = m.trace.path !== undefined ? `${m.trace.path} ` : '';
  lines.push(
    `Unseed: ${m.unseed}   Trace: ${trace}(${m.trace.lines} lines, hash ${m.trace.hash}${m.trace.capped ? ', capped' : ''})`,
  );
  lines.push(`Reproduce: ${st.bold(m.reproduce)}`);
  return lines.join('\n');
}

/** Renders a report model as terminal text. */
export function renderReportText(m: ReportModel, color = false, width?: number): string {
  const st = createStyle(color);
  const parts = [
    `${st.bold('faultline')} ${m.specPath} ${st.dim(`(${m.title})`)}\n`,
    section(st, 'Simulation Overview', overview(st, m, width)),
    section(st, 'Chaos Workloads', chaosWorkloads(st, m, width)),
    section(st, 'Timeline of Chaos Events', timeline(st, m, width)),
    section(
      st,
      'Chaos Summary',
      m.chaosSummary.length > 0 ? m.chaosSummary.map((l) => `  ${l}`).join('\n') : st.dim('  No chaos.'),
    ),
    section(st, 'Invariant Report', invariants(st, m, width)),
    section(st, 'Metrics', metrics(st, m, width)),
  ];
  if (m.notes.length > 0) parts.push(section(st, 'Notes', m.notes.map((n) => `  - ${n}`).join('\n')));
  parts.push(verdict(st, m));
  return terminalSafe(`${parts.join('\n')}\n`);
}

/** The terminal report of a run. */
export function renderText(r: RunResult, opts: TextReportOptions = {}): string {
  return renderReportText(buildReport(r, opts), opts.color ?? false, opts.width);
}
