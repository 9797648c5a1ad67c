// Layer 6, report/: pure consumers of RunResult and trace events. Never imports sim/, cluster/ or workload/.
export {
  type KnobEntry,
  type OptionEntry,
  renderKnobList,
  renderWorkloadDescription,
  renderWorkloadList,
  type WorkloadEntry,
} from './catalog.js';
export { formatRealDuration, formatSimDuration } from './format.js';
export { JSON_REPORT_VERSION, type JsonReport, jsonReport, renderJson } from './json.js';
export { buildReport, DEFAULT_TIMELINE_ROWS, type ReportModel, type ReportOptions } from './model.js';
export { colorEnabled } from './style.js';
export { renderReportText, renderText, type TextReportOptions } from './text.js';
export { chaosSummary, killTypeName, summarizeTimeline, type TimelineRow, timelineRows } from './timeline.js';
