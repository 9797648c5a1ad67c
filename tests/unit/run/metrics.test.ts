// Metric folding across clients (FoundationDB: summed, or averaged when flagged) and formatting.
import { describe, expect, it } from 'vitest';
import { foldMetrics, formatMetric } from '../../../src/run/metrics.js';

describe('foldMetrics', () => {
  it('sums same-named metrics across clients, keeping first-seen order', () => {
    const folded = foldMetrics([
      [
        { name: 'Transactions', value: 10 },
        { name: 'Retries', value: 1 },
      ],
      [
        { name: 'Transactions', value: 15 },
        { name: 'Retries', value: 2 },
      ],
      [{ name: 'Transactions', value: 5 }],
    ]);
    expect(folded.map((m) => [m.name, m.value, m.averaged])).toEqual([
      ['Transactions', 30, false],
      ['Retries', 3, false],
    ]);
  });

  it('averages a metric flagged averaged over the clients that reported it, with its format', () => {
    const folded = foldMetrics([
      [{ name: 'Avg Latency (ms)', value: 10, averaged: true, format: '%.3f' }],
      [{ name: 'Avg Latency (ms)', value: 20, averaged: true }],
    ]);
    expect(folded).toEqual([{ name: 'Avg Latency (ms)', value: 15, averaged: true, formatted: '15.000' }]);
  });
});

describe('formatMetric', () => {
  it('applies printf-like hints, units, and a default of 3 decimals for fractions', () => {
    expect(formatMetric(12.3456, '%.2f')).toBe('12.35');
    expect(formatMetric(12.6, '%d')).toBe('13');
    expect(formatMetric(97.5, '%.1f%%')).toBe('97.5%');
    expect(formatMetric(42, 'ops')).toBe('42 ops');
    expect(formatMetric(42)).toBe('42');
    expect(formatMetric(1 / 3)).toBe('0.333');
    expect(formatMetric(Number.NaN)).toBe('NaN');
  });
});
