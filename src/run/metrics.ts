// Folding workload metrics across tester clients as FoundationDB does: metrics of one name are summed,
// or averaged when the workload flags them `averaged`; and formatting them for the report and `Metric`.
import type { Metric } from '../workload/contract.js';
import type { MetricResult } from './result.js';

/**
 * Folds the metric lists of one workload's clients into one list, in the order names first appear.
 * Same-named metrics are summed, or averaged over the clients that reported them when any is flagged
 * `averaged`. The first format hint seen for a name is kept. Non-finite values are kept as they are.
 */
export function foldMetrics(perClient: ReadonlyArray<readonly Metric[]>): MetricResult[] {
  const acc = new Map<
    string,
    { sum: number; count: number; averaged: boolean; format: string | undefined }
  >();
  for (const list of perClient) {
    for (const m of list) {
      const a = acc.get(m.name) ?? { sum: 0, count: 0, averaged: false, format: undefined };
      a.sum += m.value;
      a.count++;
      a.averaged ||= m.averaged === true;
      a.format ??= m.format;
      acc.set(m.name, a);
    }
  }
  const out: MetricResult[] = [];
  for (const [name, a] of acc) {
    const value = a.averaged ? a.sum / a.count : a.sum;
    out.push({ name, value, averaged: a.averaged, formatted: formatMetric(value, a.format) });
  }
  return out;
}

/**
 * A metric value as shown: a printf-like hint (`%.3f`, `%d`, `%.1f%%`) is applied, another hint is
 * taken as a unit suffix; without a hint integers print as they are and fractions with 3 decimals.
 */
export function formatMetric(value: number, format?: string): string {
  if (!Number.isFinite(value)) return String(value);
  if (format?.includes('%')) {
    return format.replace(/%(\.(\d+))?([dfg%])/g, (_all, _p, digits: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      if (conv === 'd') return String(Math.round(value));
      if (conv === 'g') return String(Number(value.toPrecision(Number(digits ?? 6))));
      return value.toFixed(digits === undefined ? 6 : Number(digits));
    });
  }
  const plain = Number.isInteger(value) ? String(value) : value.toFixed(3);
  return format !== undefined && format !== '' ? `${plain} ${format}` : plain;
}
