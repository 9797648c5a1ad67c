// `--html FILE`: one self-contained HTML page (no network, no external files) picturing a run along
// simulated time, with the report's tables beneath. Every string from a trace is escaped; the page's one
// script is fixed text allowed by its hash in the Content-Security-Policy, and reads trace text only
// through textContent, so nothing in a trace can run.
import { createHash } from 'node:crypto';
import { round } from './format.js';
import type { InvariantRow, ReportModel } from './model.js';
import type { Lane, LaneItem, Mark, Picture, ThroughputSample } from './picture.js';
import { LANE_ITEM_CAP } from './picture.js';

/** Most fault windows drawn on one lane before they are binned. */
export const LANE_DRAW_BUDGET = 200;
/** Bins a lane's fault windows fall into when over budget. */
export const LANE_BINS = 120;
/** Most throughput bars drawn. */
export const THROUGHPUT_BARS = 400;

const WIDTH = 1200;
const GUTTER = 150;
const PLOT = WIDTH - GUTTER - 16;
const LANE_H = 46;
const STRIP_H = 90;

/** Escapes text for HTML content and attribute values (double- or single-quoted). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SCRIPT = `(() => {
  const tip = document.getElementById('tip');
  const panel = document.getElementById('details-text');
  const find = (t) => (t instanceof Element ? t.closest('[data-tip]') : null);
  document.addEventListener('mousemove', (ev) => {
    const el = find(ev.target);
    if (!el) { tip.hidden = true; return; }
    tip.textContent = el.getAttribute('data-tip');
    tip.hidden = false;
    const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = Math.max(4, x) + 'px';
    tip.style.top = Math.max(4, y) + 'px';
  });
  const show = (el) => { panel.textContent = el.getAttribute('data-tip'); panel.classList.add('pinned'); };
  document.addEventListener('click', (ev) => { const el = find(ev.target); if (el) show(el); });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { const el = find(document.activeElement); if (el) show(el); }
  });
})();`;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1400px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6473;margin:0 0 12px;overflow-wrap:anywhere}
.verdict{padding:12px 16px;border-radius:6px;font-weight:600;margin:8px 0 4px}
.verdict.passed{background:#e3f5e8;color:#17612e;border:1px solid #9ad3aa}
.verdict.failed{background:#fde7e7;color:#8c1d1d;border:2px solid #d9534f}
.verdict.did-not-finish{background:#fff4dc;color:#7a5200;border:2px solid #e0a800}
.verdict ul{margin:6px 0 0;padding-left:20px;font-weight:400}
.verdict li{overflow-wrap:anywhere}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px}
svg{display:block;width:100%;height:auto}
svg text{font:11px system-ui,sans-serif;fill:#333}
.lane-label{font-weight:600}
[data-tip]{cursor:pointer} [data-tip]:hover{stroke:#000;stroke-width:1.5}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:8px 0;font-size:12px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
#tip{position:fixed;z-index:10;max-width:480px;background:#1d2330;color:#fff;padding:6px 8px;border-radius:4px;
 font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere;pointer-events:none}
#details-text{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere;margin:0;min-height:2.8em;color:#5b6473}
#details-text.pinned{color:#1d2330}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}
th,td{border:1px solid #dde1e7;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef0f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}
#invariants td:nth-child(-n+4),#invariants th{white-space:nowrap;overflow-wrap:normal}
#invariants td:last-child{width:100%}
.status-pass{color:#17612e;font-weight:600}.status-fail{color:#b52020;font-weight:700}
.status-warn,.status-unmet{color:#8a6100;font-weight:600}.status-skipped{color:#777}
.note{color:#5b6473;font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:16px}
`;

/** What each colour means (also the CSS of the drawing). */
const KIND_COLOURS: Readonly<Record<string, string>> = {
  clog: '#f0ad4e',
  partition: '#c77dff',
  down: '#9aa3b0',
  kill: '#d9534f',
  reboot: '#337ab7',
  disk: '#8d5524',
  failure: '#b30000',
  recovery: '#e0a800',
  rollback: '#6f42c1',
  coordinators: '#20a39e',
  commits: '#5cb85c',
  retries: '#d9534f',
};
const ROLE_COLOURS = ['#1f77b4', '#2ca02c', '#ff7f0e', '#8c8c8c'];
const ROLE_ROW_NAMES = ['master, controller', 'logs', 'proxies, resolvers', 'storage'];

function x(t: number, end: number): number {
  return GUTTER + (end > 0 ? (t / end) * PLOT : 0);
}

function attrs(tip: string, cls: string): string {
  return `class="${cls}" data-tip="${escapeHtml(tip)}" tabindex="0"`;
}

/** Fault windows over budget become LANE_BINS bins; returns the items to draw and how many were binned. */
export function binItems(items: readonly LaneItem[], end: number): { drawn: LaneItem[]; binned: number } {
  const windows = items.filter((i) => i.kind === 'clog' || i.kind === 'partition');
  if (windows.length <= LANE_DRAW_BUDGET) return { drawn: [...items], binned: 0 };
  const bins = new Map<number, LaneItem>();
  for (const w of windows) {
    const b = Math.min(LANE_BINS - 1, Math.floor((w.start / Math.max(end, 1e-9)) * LANE_BINS));
    const bin = bins.get(b);
    if (!bin) {
      bins.set(b, {
        kind: w.kind,
        start: w.start,
        end: w.end ?? w.start,
        label: 'binned',
        tip: '',
        count: 1,
      });
    } else {
      bin.count = (bin.count ?? 1) + 1;
      bin.end = Math.max(bin.end ?? bin.start, w.end ?? w.start);
    }
  }
  const drawn = items.filter((i) => i.kind !== 'clog' && i.kind !== 'partition');
  for (const bin of bins.values()) {
    drawn.push({
      ...bin,
      tip: `${bin.count} fault windows binned: ${round(bin.start, 3)}s to ${round(bin.end ?? bin.start, 3)}s`,
    });
  }
  return { drawn, binned: windows.length };
}

function laneSvg(lane: Lane, y: number, end: number): { svg: string; binned: number } {
  const { drawn, binned } = binItems(lane.items, end);
  const parts: string[] = [];
  const procs = [...lane.processes].sort().join(', ');
  parts.push(
    `<g class="lane" data-machine="${escapeHtml(lane.machine)}">`,
    `<rect x="0" y="${y}" width="${WIDTH}" height="${LANE_H}" fill="${(y / LANE_H) % 2 ? '#fafbfc' : '#fff'}"/>`,
    `<text class="lane-label" x="6" y="${y + 18}">${escapeHtml(lane.machine)}</text>`,
    `<text x="6" y="${y + 33}" fill="#777">${escapeHtml(procs.length > 22 ? `${procs.slice(0, 21)}…` : procs)}</text>`,
  );
  const order: Record<string, number> = {
    role: 0,
    down: 1,
    clog: 2,
    partition: 2.5,
    disk: 3,
    reboot: 4,
    kill: 4,
    failure: 5,
  };
  drawn.sort((a, b) => (order[a.kind] ?? 0) - (order[b.kind] ?? 0));
  let lastLabelEnd = -Infinity;
  let labelRow = 0;
  for (const i of drawn) {
    const x0 = x(i.start, end);
    const tip = i.tip;
    switch (i.kind) {
      case 'role': {
        const row = i.row ?? 3;
        const w = Math.max(2, x(i.end ?? end, end) - x0);
        parts.push(
          `<rect ${attrs(tip, 'item role')} data-kind="role" x="${x0.toFixed(1)}" y="${y + 24 + row * 5}" width="${w.toFixed(1)}" height="4" fill="${ROLE_COLOURS[row]}"/>`,
        );
        break;
      }
      case 'down':
      case 'clog':
      case 'partition': {
        const w = Math.max(2, x(i.end ?? i.start, end) - x0);
        const yy = i.kind === 'down' ? y + 3 : y + 7;
        const h = i.kind === 'down' ? 19 : 11;
        const extra = i.count !== undefined && i.count > 1 ? ` data-binned="${i.count}"` : '';
        parts.push(
          `<rect ${attrs(tip, `item ${i.kind}`)} data-kind="${i.kind}"${extra} x="${x0.toFixed(1)}" y="${yy}" width="${w.toFixed(1)}" height="${h}" fill="${KIND_COLOURS[i.kind]}" fill-opacity="${i.kind === 'down' ? 0.45 : 0.8}"/>`,
        );
        break;
      }
      case 'kill':
      case 'reboot': {
        const c = KIND_COLOURS[i.kind];
        const shape =
          i.kind === 'kill'
            ? `<path d="M${(x0 - 6).toFixed(1)} ${y + 2} L${(x0 + 6).toFixed(1)} ${y + 2} L${x0.toFixed(1)} ${y + 14} Z" fill="${c}"/>`
            : `<circle cx="${x0.toFixed(1)}" cy="${y + 8}" r="5.5" fill="${c}"/>`;
        // Labels of kills close together go on alternate lines instead of over each other.
        labelRow = x0 < lastLabelEnd ? 1 - labelRow : 0;
        lastLabelEnd = x0 + 8 + i.label.length * 5.6;
        parts.push(
          `<g ${attrs(tip, `item ${i.kind}`)} data-kind="${i.kind}" data-kill-type="${escapeHtml(i.label)}">${shape}<text x="${(x0 + 8).toFixed(1)}" y="${y + 12 + labelRow * 11}" font-size="10" paint-order="stroke" stroke="#fff" stroke-width="3">${escapeHtml(i.label)}</text></g>`,
        );
        break;
      }
      case 'disk':
        parts.push(
          `<rect ${attrs(tip, 'item disk')} data-kind="disk" x="${(x0 - 4).toFixed(1)}" y="${y + 5}" width="8" height="14" fill="${KIND_COLOURS.disk}"/>`,
        );
        break;
      case 'failure':
        parts.push(
          `<g ${attrs(tip, 'item failure')} data-kind="failure"><circle cx="${x0.toFixed(1)}" cy="${y + 23}" r="9" fill="${KIND_COLOURS.failure}"/><path d="M${(x0 - 4).toFixed(1)} ${y + 19} l8 8 m0 -8 l-8 8" stroke="#fff" stroke-width="2.2"/></g>`,
        );
        break;
    }
  }
  parts.push('</g>');
  return { svg: parts.join(''), binned };
}

function markSvg(m: Mark, top: number, bottom: number, end: number): string {
  const mx = x(m.time, end).toFixed(1);
  const c = m.kind === 'recovered' ? KIND_COLOURS.recovery : KIND_COLOURS[m.kind];
  const dash = m.kind === 'recovery' ? '' : ' stroke-dasharray="4 3"';
  return `<g ${attrs(m.tip, 'mark')} data-kind="mark-${m.kind}"><line x1="${mx}" y1="${top}" x2="${mx}" y2="${bottom}" stroke="${c}" stroke-width="${m.kind === 'recovery' ? 2 : 1.5}"${dash}/><rect x="${(Number(mx) - 4).toFixed(1)}" y="${top - 11}" width="8" height="10" fill="${c}"/></g>`;
}

function axis(end: number, top: number, bottom: number): string {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
  const step = steps.find((s) => end / s <= 12) ?? Math.ceil(end / 12);
  const out: string[] = [];
  for (let t = 0; t <= end + 1e-9; t += step) {
    const tx = x(t, end).toFixed(1);
    out.push(
      `<line x1="${tx}" y1="${top}" x2="${tx}" y2="${bottom}" stroke="#e4e7ec"/>`,
      `<text x="${tx}" y="${top - 18}" text-anchor="middle" fill="#666">${round(t, 1)}s</text>`,
    );
  }
  return out.join('');
}

/** Throughput samples summed into at most THROUGHPUT_BARS bars. */
function binThroughput(samples: readonly ThroughputSample[], end: number): ThroughputSample[] {
  if (samples.length <= THROUGHPUT_BARS) return [...samples];
  const bars: { time: number; commits: number; retries: number }[] = [];
  for (const s of samples) {
    const b = Math.min(THROUGHPUT_BARS - 1, Math.floor((s.time / Math.max(end, 1e-9)) * THROUGHPUT_BARS));
    const bar = (bars[b] ??= { time: ((b + 1) / THROUGHPUT_BARS) * end, commits: 0, retries: 0 });
    bar.commits += s.commits;
    bar.retries += s.retries;
  }
  return bars.filter(Boolean);
}

function throughputSvg(p: Picture, top: number): string {
  const bars = binThroughput(p.throughput, p.endTime);
  const out = [
    `<text class="lane-label" x="6" y="${top + 16}">transactions</text>`,
    `<text x="6" y="${top + 31}" fill="#777">commits / retries</text>`,
  ];
  if (bars.length === 0) {
    out.push(`<text x="${GUTTER}" y="${top + 40}" fill="#777">no throughput samples in this trace</text>`);
    return out.join('');
  }
  const max = Math.max(1, ...bars.map((b) => Math.max(b.commits, b.retries)));
  const span = p.throughput.length > THROUGHPUT_BARS ? p.endTime / THROUGHPUT_BARS : 1;
  const w = Math.max(1, (span / Math.max(p.endTime, 1e-9)) * PLOT - 1);
  for (const b of bars) {
    const x1 = x(b.time, p.endTime) - w - 0.5;
    const hc = (b.commits / max) * (STRIP_H - 14);
    const hr = (b.retries / max) * (STRIP_H - 14);
    const tip = `${round(b.time - span, 3)}s to ${round(b.time, 3)}s: ${b.commits} commits, ${b.retries} retries`;
    out.push(
      `<g ${attrs(tip, 'item throughput')} data-kind="throughput"><rect x="${x1.toFixed(1)}" y="${(top + STRIP_H - hc).toFixed(1)}" width="${(w / 2).toFixed(1)}" height="${hc.toFixed(1)}" fill="${KIND_COLOURS.commits}"/><rect x="${(x1 + w / 2).toFixed(1)}" y="${(top + STRIP_H - hr).toFixed(1)}" width="${(w / 2).toFixed(1)}" height="${hr.toFixed(1)}" fill="${KIND_COLOURS.retries}" fill-opacity="0.7"/></g>`,
    );
  }
  out.push(`<text x="${WIDTH - 8}" y="${top + 12}" text-anchor="end" fill="#666">max ${max}/bar</text>`);
  return out.join('');
}

/** The drawing: axis, lanes, marks across them, throughput beneath; and what was binned. */
export function timelineSvg(p: Picture): { svg: string; binnedNotes: string[] } {
  const end = Math.max(p.endTime, 1e-6);
  const top = 40;
  const lanesBottom = top + p.lanes.length * LANE_H;
  const height = lanesBottom + 12 + STRIP_H + 8;
  const notes: string[] = [];
  const lanes = p.lanes.map((l, i) => {
    const r = laneSvg(l, top + i * LANE_H, end);
    if (r.binned > 0) notes.push(`${l.machine}: ${r.binned} fault windows drawn as ${LANE_BINS} bins`);
    if (l.dropped > 0)
      notes.push(`${l.machine}: ${l.dropped} events past the ${LANE_ITEM_CAP}-item lane cap not drawn`);
    return r.svg;
  });
  const svg = [
    `<svg id="timeline" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of the run">`,
    axis(end, top, lanesBottom),
    ...lanes,
    ...p.marks.map((m) => markSvg(m, top, lanesBottom, end)),
    throughputSvg({ ...p, endTime: end }, lanesBottom + 12),
    '</svg>',
  ].join('');
  return { svg, binnedNotes: notes };
}

function legend(): string {
  const sw = (c: string, label: string, extra = '') =>
    `<span><i class="sw" style="background:${c}${extra}"></i>${label}</span>`;
  return `<div class="legend">${[
    sw(KIND_COLOURS.clog!, 'clogged (window)'),
    sw(KIND_COLOURS.partition!, 'partitioned'),
    sw(KIND_COLOURS.down!, 'process down / rebooting'),
    sw(KIND_COLOURS.kill!, '▼ kill (kill type named)'),
    sw(KIND_COLOURS.reboot!, '● reboot (kill type named)', ';border-radius:50%'),
    sw(KIND_COLOURS.disk!, 'disk fault'),
    sw(KIND_COLOURS.failure!, '✖ Severity-40 failure', ';border-radius:50%'),
    sw(KIND_COLOURS.recovery!, '| recovery started / recovered'),
    sw(KIND_COLOURS.rollback!, '┆ rollback'),
    sw(KIND_COLOURS.coordinators!, '┆ coordinators / configuration change'),
    ...ROLE_COLOURS.map((c, i) => sw(c, `role: ${ROLE_ROW_NAMES[i]}`)),
    sw(KIND_COLOURS.commits!, 'commits per second'),
    sw(KIND_COLOURS.retries!, 'retries per second'),
  ].join('')}</div>`;
}

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  cls: readonly string[] = [],
): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td${cls[i] ? ` class="${cls[i]}"` : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function invariantText(r: InvariantRow): string {
  const parts = [r.reason ?? ''];
  if (r.time !== undefined && r.status === 'fail') parts.push(`at ${round(r.time, 3)}s`);
  if (r.count !== undefined && r.count > 1 && r.status === 'fail') parts.push(`(${r.count} times)`);
  if (r.evidence)
    parts.push(
      Object.entries(r.evidence)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    );
  return parts.filter(Boolean).join(' ');
}

function invariantsTable(m: ReportModel): string {
  if (m.invariants.length === 0) return '<p class="note">No invariants were checked.</p>';
  const th = ['Test', 'Workload', 'Check', 'Result', 'Details'].map((h) => `<th>${h}</th>`).join('');
  const rows = m.invariants
    .map(
      (r) =>
        `<tr data-status="${escapeHtml(r.status)}"><td>${escapeHtml(r.test)}</td><td>${escapeHtml(r.workload)}</td><td>${escapeHtml(r.check)}</td><td class="status-${escapeHtml(r.status)}">${escapeHtml(r.status.toUpperCase())}</td><td>${escapeHtml(invariantText(r))}</td></tr>`,
    )
    .join('');
  return `<table id="invariants"><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** The whole page. `picture` is the fold of the same events as `model`. */
export function renderHtml(m: ReportModel, picture: Picture): string {
  const o = m.overview;
  const { svg, binnedNotes } = timelineSvg(picture);
  const hash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; img-src data:`;
  const details = m.verdict.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('');
  const overview = table(
    [
      'Seed',
      'Replication',
      'Simulated time',
      'Real time',
      'Storage',
      'BUGGIFY',
      'Machines',
      'Processes',
      'Coordinators',
      'Logs',
      'Commit proxies',
      'GRV proxies',
      'Resolvers',
      'Testers',
    ],
    [
      [
        String(o.seed),
        o.replication,
        o.simulatedTime,
        o.realTime,
        o.storageEngine,
        o.buggify ? 'on' : 'off',
        ...[
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
    ],
  );
  const metrics =
    m.metrics.length === 0
      ? '<p class="note">No metrics were reported.</p>'
      : table(
          ['Test', 'Workload', 'Metric', 'Value'],
          m.metrics.map((r) => [r.test, r.workload, r.name, r.formatted]),
          ['', '', '', 'num'],
        );
  const budget = [
    `Drawing budget: at most ${LANE_DRAW_BUDGET} fault windows per lane (more are binned into ${LANE_BINS} bins), ${LANE_ITEM_CAP} items per lane kept, ${THROUGHPUT_BARS} throughput bars.`,
    binnedNotes.length > 0
      ? `Binned here: ${binnedNotes.join('; ')}.`
      : 'Nothing was binned: every event is drawn.',
    picture.marksDropped > 0 ? `${picture.marksDropped} cluster-wide marks past the cap were not drawn.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>faultline: ${escapeHtml(m.title)} seed ${o.seed}</title>
<style>${STYLE}</style></head>
<body><main>
<h1>${escapeHtml(m.title)} <span class="note">seed ${o.seed}</span></h1>
<p class="sub">${escapeHtml(m.specPath)} · ${escapeHtml(o.configString)}${o.plantedBug !== undefined ? ` · planted bug: <b>${escapeHtml(o.plantedBug)}</b>` : ''}</p>
<div id="verdict" class="verdict ${m.verdict.outcome}">${escapeHtml(m.verdict.headline)}${details ? `<ul>${details}</ul>` : ''}</div>
<p class="note">Reproduce: <code>${escapeHtml(m.reproduce)}</code></p>
<h2>What happened to the cluster</h2>
<div class="card">
${legend()}
${svg}
<p class="note">Hover over anything for its trace event; click to keep it below. Time is simulated seconds. ${escapeHtml(budget)}</p>
<pre id="details-text">Click an event to see its details here.</pre>
</div>
<h2>Overview</h2>${overview}
<h2>Chaos summary</h2>${m.chaosSummary.length > 0 ? `<ul>${m.chaosSummary.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '<p class="note">No chaos.</p>'}
<h2>Invariants</h2>${invariantsTable(m)}
<h2>Metrics</h2>${metrics}
${m.notes.length > 0 ? `<h2>Notes</h2><ul>${m.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<p class="note">Trace: ${escapeHtml(m.trace.path ?? '(in memory)')} · ${m.trace.lines} lines · hash ${escapeHtml(m.trace.hash)} · unseed ${m.unseed}</p>
</main>
<div id="tip" hidden></div>
<script>${SCRIPT}</script>
</body></html>
`;
}
