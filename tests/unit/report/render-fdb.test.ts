// `faultline render` on FoundationDB's own traces (hand-written fixtures from the documented format in
// ../shared/reference/fdb-simulation.md §4): JSON with `\xNN` escapes, XML rolled over two files and
// merged by time, a truncated XML file (the JSON fixture is named .jsonl, not FoundationDB's .json, so the
// linter does not parse it as one JSON document); unknown event types and odd fields pass through harmlessly.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli/main.js';
import { ReportFold } from '../../../src/report/fold.js';
import { scanTraces } from '../../../src/trace/scan.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fx = (name: string) => path.join(FIXTURES, name);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function render(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { NO_COLOR: '1' },
    isTTY: false,
    clock: () => 0,
    randomSeed: () => 1,
    builtins: [],
  };
  const code = await main(['node', 'faultline', 'render', ...args], io);
  return { code, out: out.join(''), err: err.join('') };
}

interface JsonDoc {
  outcome: string;
  seed: number;
  overview: Record<string, unknown>;
  timeline: { time: number; type: string; details: string }[];
  metrics: { name: string; formatted: string }[];
  failures: { type: string; reason: string; time: number; details: Record<string, string> }[];
  unseed: number;
  reproduce: string;
  specPath: string;
  trace: { lines: number };
}

describe('render: FoundationDB JSON traces', () => {
  it('maps the §4.2 events into the report and passes without Severity-40 events', async () => {
    const r = await render([fx('fdb-pass.jsonl'), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out) as JsonDoc;
    expect(doc.outcome).toBe('passed');
    expect(doc.seed).toBe(301);
    expect(doc.specPath).toBe('tests/fast/CycleTest.toml');
    expect(doc.unseed).toBe(48213);
    expect(doc.reproduce).toContain('fdbserver -r simulation');
    expect(doc.overview).toMatchObject({
      replication: 'double',
      storageEngine: 'ssd',
      buggify: true,
      machines: 5,
      processes: 10,
      coordinators: 3,
      logs: 3,
      commitProxies: 2,
      grvProxies: 1,
      resolvers: 1,
      testers: 4,
      simulatedTime: '14.3s',
      realTime: '-', // FoundationDB's RealTime is wall-clock time: left out
    });
    expect(doc.timeline.map((t) => `${t.time} ${t.type}`)).toEqual([
      '2.25 Clog Interface',
      '2.5 Clog Pair',
      '4 Process Kill',
      '4.1 Recovery',
      '4.2 Coordinator Change',
      '5.3 Recovered',
      '6 Process Reboot',
      '7 Disk Failure',
      '7.5 Bit Flip',
    ]);
    expect(doc.timeline[2]!.details).toBe('KillInstantly process at 2.0.1.3:1');
    expect(doc.timeline[6]!.details).toBe('RebootProcess process at 2.0.1.4:2');
    expect(doc.metrics.map((m) => `${m.name}=${m.formatted}`)).toEqual(['Transactions=1234', 'Retries=56']);
    expect(doc.trace.lines).toBe(22); // the unknown event and the reboot's ProgramStart are read, not fatal
  });

  it("undoes FoundationDB's \\xNN escapes in details", () => {
    const events: { type: string; details: Record<string, unknown> }[] = [];
    scanTraces([fx('fdb-pass.jsonl')], (e) => events.push(e));
    const odd = events.find((e) => e.type === 'SomeFutureEvent')!;
    expect(odd.details.Bytes).toBe('\u00ff\u0000key\u0001');
    expect(odd.details['Weird Field']).toBe('');
    expect(odd.details.Nested).toBe('{"a":1}');
  });
});

describe('render: FoundationDB XML traces', () => {
  it('merges rolled files by time and fails on the Severity-40 event, its entities decoded', async () => {
    // Given in reverse order: the merge goes by Time, not by argument order.
    const r = await render([fx('fdb-fail.2.xml'), fx('fdb-fail.1.xml'), '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as JsonDoc;
    expect(doc.outcome).toBe('failed');
    expect(doc.seed).toBe(77);
    expect(doc.specPath).toBe('tests/negative/Bug.toml');
    expect(doc.failures).toHaveLength(1);
    expect(doc.failures[0]).toMatchObject({ type: 'CycleBadRead', time: 4.5, reason: '<bad> "read" & more' });
    expect(doc.failures[0]!.details.ErrorKind).toBe('BugDetected');
    expect(doc.timeline.map((t) => t.type)).toEqual(['Clog Interface', 'Process Kill']);
    expect(doc.overview).toMatchObject({ replication: 'single', storageEngine: 'memory', machines: 3 });
  });

  it('reads a folder of trace files', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'faultline-fdb-'));
    dirs.push(d);
    cpSync(fx('fdb-fail.1.xml'), path.join(d, 'trace.0.0.0.0.1.1.aaaaaa.1.1.xml'));
    cpSync(fx('fdb-fail.2.xml'), path.join(d, 'trace.0.0.0.0.1.1.aaaaaa.1.2.xml'));
    const r = await render([d]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED: 1 Severity-40 event');
    expect(r.out).toContain('CycleBadRead [Cycle]: <bad> "read" & more');
  });

  it('decodes numeric character references in attributes', () => {
    const events: { type: string; details: Record<string, unknown> }[] = [];
    scanTraces([fx('fdb-fail.2.xml')], (e) => events.push(e));
    expect(events.find((e) => e.type === 'UnknownThing')!.details).toEqual({ Odd_Field: 'AB', Empty: '' });
  });

  it('renders a truncated XML trace, saying what is missing, exit 3', async () => {
    const r = await render([fx('fdb-truncated.xml')]);
    expect(r.code).toBe(3);
    expect(r.out).toContain('DID NOT FINISH: the trace ends early (no TestResults, no ElapsedTime)');
    expect(r.err).toContain('fdb-truncated.xml:5: malformed trace line');
    expect(r.err).toContain('it was cut off while being written');
    expect(r.err).toContain('the trace is truncated: no TestResults, no ElapsedTime event');
    const fold = new ReportFold();
    scanTraces([fx('fdb-truncated.xml')], (e) => fold.emit(e));
    expect(fold.isFoundationDb()).toBe(true);
  });
});
