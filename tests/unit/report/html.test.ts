// The HTML view's page as text: self-contained (no URL it could fetch), dense runs binned within the
// stated budget, and every trace string escaped.
import { describe, expect, it } from 'vitest';
import { ReportFold } from '../../../src/report/fold.js';
import { escapeHtml, LANE_BINS, LANE_DRAW_BUDGET, renderHtml } from '../../../src/report/html.js';
import { buildReport } from '../../../src/report/model.js';
import { PictureFold } from '../../../src/report/picture.js';
import type { Details, TraceEvent } from '../../../src/trace/event.js';

function ev(
  time: number,
  type: string,
  machine: string,
  details: Details,
  severity: 10 | 40 = 10,
): TraceEvent {
  return { severity, time: Math.round(time * 1e6), type, machine, id: '0000000000000000', details };
}

function page(events: readonly TraceEvent[]): string {
  const fold = new ReportFold();
  const picture = new PictureFold();
  for (const e of events) {
    fold.emit(e);
    picture.emit(e);
  }
  return renderHtml(buildReport(fold.result()), picture.picture());
}

const START = [
  ev(0, 'ProgramStart', '0.0.0.0:0', {
    RandomSeed: 1,
    TestFile: 'x.toml',
    CommandLine: 'faultline run x.toml --seed 1',
  }),
  ev(0, 'ClusterShape', '0.0.0.0:0', {
    Replication: 'single',
    Machines: 1,
    ConfigString: 'new single memory',
  }),
];
const END = [
  ev(99, 'RunSummary', '0.0.0.0:0', { Title: 'T' }),
  ev(99, 'ElapsedTime', '0.0.0.0:0', { SimTime: 99, RandomUnseed: 1 }),
];

describe('the HTML page', () => {
  it('bins a lane over budget and says so in the page', () => {
    const clogs = Array.from({ length: 1000 }, (_, i) =>
      ev(i * 0.09, 'ClogInterface', '0.0.0.0:0', { IP: '2.0.1.1', Delay: 0.05, Queue: 'All' }),
    );
    const html = page([...START, ...clogs, ...END]);
    const drawn = html.match(/data-kind="clog"/g) ?? [];
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.length).toBeLessThanOrEqual(LANE_BINS);
    const binnedCounts = [...html.matchAll(/data-binned="(\d+)"/g)].map((m) => Number(m[1]));
    expect(binnedCounts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(html).toContain(`at most ${LANE_DRAW_BUDGET} fault windows per lane`);
    expect(html).toContain(`2.0.1.1: 1000 fault windows drawn as ${LANE_BINS} bins`);
  });

  it('draws every window when under budget, and says nothing was binned', () => {
    const html = page([
      ...START,
      ev(1, 'ClogInterface', '0.0.0.0:0', { IP: '2.0.1.1', Delay: 1, Queue: 'All' }),
      ...END,
    ]);
    expect(html.match(/data-kind="clog"/g)).toHaveLength(1);
    expect(html).toContain('Nothing was binned');
  });

  it('is self-contained: one inline script allowed by its hash, nothing to fetch', () => {
    const html = page([...START, ...END]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes trace text everywhere, attributes included', () => {
    const evil = `"><script>alert(1)</script>'&`;
    const html = page([
      ...START,
      ev(2, 'TestFailure', '2.0.1.1:1', { Reason: evil }, 40),
      ev(3, 'ClogInterface', '0.0.0.0:0', { IP: evil, Delay: 1, Queue: evil }),
      ...END,
    ]);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain(`"><script>`);
    expect(html).toContain(escapeHtml(evil));
    expect(escapeHtml(evil)).toBe('&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#39;&#38;');
  });
});
