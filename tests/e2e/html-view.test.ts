// The HTML view in a real browser (headless Chromium via playwright-core): lanes, marks, failure markers
// and tooltips match the trace; hostile trace text (<script>, an <img onerror>, </svg>) shows literally
// and runs nothing. Screenshots go to test-output/html-view/ (docs/render.md shows copies of them).
// In CI (CI=true) a missing browser fails the test; elsewhere the tests are skipped with the reason.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Details, Severity, TraceEvent } from '../../src/trace/event.js';
import { TraceWriter } from '../../src/trace/writer.js';
import { faultline, ROOT } from '../support/faultline-cli.js';

const OUT = path.join(ROOT, 'test-output', 'html-view');
const CHROMIUM = process.env.FAULTLINE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_BROWSER = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';

const HOSTILE_SCRIPT = '<script>window.__pwned = "script"</script>';
const HOSTILE_IMG = '"><img src=x onerror="window.__pwned = \'img\'">';
const HOSTILE_SVG = '</svg><script>window.__pwned = "svg"</script>';

function ev(
  time: number,
  type: string,
  machine: string,
  details: Details,
  severity: Severity = 10,
): TraceEvent {
  return { severity, time: Math.round(time * 1e6), type, machine, id: '0000000000000000', details };
}

/** A small hand-made run: two server machines and a tester, every kind of thing the view draws. */
function writeHostileTrace(file: string): void {
  const w = new TraceWriter({ path: file });
  const a = '2.0.1.1:1';
  const b = '2.0.1.2:1';
  const t = '3.4.3.1:1';
  const events = [
    ev(0, 'ProgramStart', '0.0.0.0:0', {
      RandomSeed: 9,
      TestFile: 'hostile.toml',
      CommandLine: 'faultline run hostile.toml --seed 9',
    }),
    ev(0, 'ClusterShape', '0.0.0.0:0', {
      Replication: 'double',
      Machines: 2,
      Processes: 2,
      ConfigString: 'new double memory',
    }),
    ev(0.5, 'Role', a, { As: 'MasterServer', Transition: 'Begin', RoleID: 'm1' }),
    ev(0.5, 'Role', b, { As: 'TLog', Transition: 'Begin', RoleID: 'l1' }),
    ev(0.6, 'MasterRecoveryState', a, { Status: 'fully_recovered', Epoch: 1 }),
    ev(1, 'ClientThroughput', '0.0.0.0:0', { Commits: 40, Retries: 3 }),
    ev(2, 'ClientThroughput', '0.0.0.0:0', { Commits: 55, Retries: 9 }),
    ev(2, 'ClogInterface', '0.0.0.0:0', { IP: '2.0.1.2', Delay: 1.5, Queue: HOSTILE_SVG }),
    ev(3, 'KillMachineProcess', a, { KillType: 0, Process: `name: fdbd address: ${a} zone: z1` }),
    ev(3.2, 'MasterRecoveryState', b, { Status: 'reading_coordinated_state', Epoch: 1 }),
    ev(3.5, 'TLogRollback', b, { Epoch: 2, From: 10, To: 20, Versions: 10 }),
    ev(4, 'MasterRecoveryState', b, { Status: 'fully_recovered', Epoch: 2 }),
    ev(4.5, 'CoordinatorsChangeBeforeCommit', t, { NewCoordinatorsKey: HOSTILE_IMG }),
    ev(5, 'WorkerStart', a, {}),
    ev(5.5, 'SetDiskFailure', b, { StallPeriod: 1, StallInterval: 2, ThrottlePeriod: 0.5 }),
    ev(6, 'RebootingProcess', b, { KillType: 7, Address: b }),
    ev(7, 'TestFailure', t, { Reason: HOSTILE_SCRIPT, Workload: 'Cycle' }, 40),
    ev(8, 'TestSummary', t, {
      Test: 0,
      Title: HOSTILE_SVG,
      Line: 1,
      Ran: true,
      Passed: false,
      StartTime: 1,
      EndTime: 8,
      TimedOut: false,
    }),
    ev(8, 'WorkloadSummary', t, {
      Test: 0,
      WorkloadIndex: 0,
      Name: 'Cycle',
      Position: 0,
      Kind: 'application',
      Line: 3,
      Passed: false,
    }),
    ev(8, 'InvariantResult', t, {
      Test: 0,
      WorkloadIndex: 0,
      Check: 'check',
      Status: 'fail',
      Reason: HOSTILE_IMG,
      FailedAt: 7,
      Count: 1,
    }),
    ev(8, 'RunSummary', '0.0.0.0:0', { Title: HOSTILE_SVG }),
    ev(8, 'ElapsedTime', '0.0.0.0:0', { SimTime: 8, RandomUnseed: 1 }),
  ];
  for (const e of events) w.emit(e);
  w.finish();
}

let dir = '';
let browser: Browser | undefined;

beforeAll(async () => {
  if (!HAVE_BROWSER) {
    if (IN_CI)
      throw new Error(`no browser at ${CHROMIUM}: CI must install chromium (apt-get install -y chromium)`);
    return;
  }
  dir = mkdtempSync(path.join(tmpdir(), 'faultline-html-'));
  mkdirSync(OUT, { recursive: true });
  const trace = path.join(dir, 'hostile.jsonl');
  writeHostileTrace(trace);
  const r = faultline(['render', trace, '--html', path.join(dir, 'hostile.html')]);
  if (r.code !== 1) throw new Error(`render --html of the hand-made trace: exit ${r.code}: ${r.stderr}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(
  file: string,
  width: number,
): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`file://${file}`);
  return { page, requests, errors };
}

describe.skipIf(!HAVE_BROWSER && !IN_CI)('the HTML view in Chromium', () => {
  it('draws the trace: a lane per machine, kills by kill type, marks, failures, throughput, tooltips', async () => {
    const { page, requests, errors } = await open(path.join(dir, 'hostile.html'), 1366);

    const lanes = await page.$$eval('g.lane', (gs) => gs.map((g) => g.getAttribute('data-machine')));
    expect(lanes).toEqual(['2.0.1.1', '2.0.1.2', '3.4.3.1']);
    const kinds = await page.$$eval('[data-kind]', (els) => els.map((e) => e.getAttribute('data-kind')));
    const count = (k: string) => kinds.filter((x) => x === k).length;
    expect(count('kill')).toBe(1);
    expect(count('reboot')).toBe(1);
    expect(await page.$eval('[data-kind="kill"]', (e) => e.getAttribute('data-kill-type'))).toBe(
      'KillInstantly',
    );
    expect(await page.$eval('[data-kind="reboot"]', (e) => e.getAttribute('data-kill-type'))).toBe(
      'RebootProcess',
    );
    expect(count('down')).toBe(2); // the killed process until its worker restarts; the rebooted one to the end
    expect(count('clog')).toBe(1);
    expect(count('disk')).toBe(1);
    expect(count('role')).toBe(2);
    expect(count('mark-recovery')).toBe(1); // the first full recovery is the cluster booting
    expect(count('mark-recovered')).toBe(1);
    expect(count('mark-rollback')).toBe(1);
    expect(count('mark-coordinators')).toBe(1);
    expect(count('throughput')).toBe(2);
    // The failure sits on the lane of the machine that traced it.
    const failureLane = await page.$eval('[data-kind="failure"]', (e) =>
      e.closest('g.lane')?.getAttribute('data-machine'),
    );
    expect(failureLane).toBe('3.4.3.1');
    expect(await page.getAttribute('#verdict', 'class')).toContain('failed');

    // Hover: the tooltip shows the event; click: the details panel keeps it.
    await page.hover('[data-kind="failure"]');
    const tip = page.locator('#tip');
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toContain('TestFailure at 7.000s on 3.4.3.1:1 (Severity 40)');
    await page.click('[data-kind="kill"]');
    expect(await page.textContent('#details-text')).toContain('KillMachineProcess at 3.000s on 2.0.1.1:1');
    await page.screenshot({ path: path.join(OUT, 'hostile-1366.png'), fullPage: true });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('shows hostile trace text literally and runs none of it', async () => {
    const html = path.join(dir, 'hostile.html');
    const { page, errors } = await open(html, 1366);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.$$eval('img', (x) => x.length)).toBe(0);
    expect(await page.$$eval('script', (x) => x.length)).toBe(1);
    expect(await page.$$eval('svg', (x) => x.length)).toBe(1);
    expect(await page.textContent('h1')).toContain(HOSTILE_SVG);
    expect(await page.textContent('#verdict')).toContain(HOSTILE_SCRIPT);
    expect(await page.textContent('#invariants')).toContain(HOSTILE_IMG);
    await page.click('[data-kind="mark-coordinators"]');
    expect(await page.textContent('#details-text')).toContain(`NewCoordinatorsKey: ${HOSTILE_IMG}`);
    await page.hover('[data-kind="clog"]');
    expect(await page.textContent('#tip')).toContain(`Queue: ${HOSTILE_SVG}`);
    // Nothing the page does from trace text is an inline handler.
    const handlers = await page.$$eval('*', (els) =>
      els.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name)),
    );
    expect(handlers).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('pictures a planted-bug failure so it is obvious at a glance (screenshots at desktop and laptop widths)', async () => {
    const html = path.join(dir, 'negative.html');
    const r = faultline([
      'run',
      path.join(ROOT, 'tests/negative/GrvSkipsEpochCheck.toml'),
      '--seed',
      '1',
      '--trace-dir',
      path.join(dir, 'traces'),
      '--html',
      html,
    ]);
    expect(r.code, r.stderr).toBe(1);
    for (const width of [1920, 1366]) {
      const { page, errors } = await open(html, width);
      expect(await page.textContent('#verdict')).toMatch(/^FAILED: \d+ Severity-40 events/);
      expect(await page.locator('[data-kind="failure"]').count()).toBeGreaterThan(0);
      expect(await page.locator('g.lane').count()).toBeGreaterThanOrEqual(5);
      // The page fits its width: nothing scrolls sideways.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await page.screenshot({ path: path.join(OUT, `planted-bug-${width}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
  }, 180_000);
});
