import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BadInputError, InternalError } from '../../../src/core/errors.js';
import type { Details, Severity, TraceEvent } from '../../../src/trace/event.js';
import { writeWhole } from '../../../src/trace/output-file.js';
import { escapeTraceString, formatTraceLine, TraceWriter } from '../../../src/trace/writer.js';

function ev(type: string, details: Details = {}, severity: Severity = 10, time = 1_500_000): TraceEvent {
  return { severity, time, type, machine: '2.0.1.3:1', id: '0123456789abcdef', details };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'faultline-trace-'));
  dirs.push(d);
  return d;
}

describe('trace line format', () => {
  it('writes Severity, Time, Type, Machine, ID, then details in insertion order, every value a string', () => {
    const line = formatTraceLine(
      ev('ClogInterface', { IP: '2.0.1.3', Delay: 0.4, Queue: 'Receive', Reboot: true, Off: false, N: 3 }),
    );
    expect(line).toBe(
      '{"Severity":"10","Time":"1.500000","Type":"ClogInterface","Machine":"2.0.1.3:1","ID":"0123456789abcdef",' +
        '"IP":"2.0.1.3","Delay":"0.4","Queue":"Receive","Reboot":"1","Off":"0","N":"3"}',
    );
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'Severity',
      'Time',
      'Type',
      'Machine',
      'ID',
      'IP',
      'Delay',
      'Queue',
      'Reboot',
      'Off',
      'N',
    ]);
    expect(Object.values(parsed).every((v) => typeof v === 'string')).toBe(true);
  });

  it('puts ErrorKind right after Severity on Severity-40 events, Unset unless a detail gives it', () => {
    expect(formatTraceLine(ev('TestFailure', { Reason: 'x' }, 40, 0))).toBe(
      '{"Severity":"40","ErrorKind":"Unset","Time":"0.000000","Type":"TestFailure","Machine":"2.0.1.3:1","ID":"0123456789abcdef","Reason":"x"}',
    );
    const withKind = JSON.parse(
      formatTraceLine(ev('InternalError', { File: 'a.ts', ErrorKind: 'BugDetected' }, 40)),
    );
    expect(Object.entries(withKind).slice(0, 3)).toEqual([
      ['Severity', '40'],
      ['ErrorKind', 'BugDetected'],
      ['Time', '1.500000'],
    ]);
    expect(Object.keys(withKind).filter((k) => k === 'ErrorKind')).toHaveLength(1);
    // Below 40 an ErrorKind detail is an ordinary detail in its place.
    expect(formatTraceLine(ev('W', { A: 1, ErrorKind: 'DiskIssue' }, 30))).toMatch(
      /"ID":"[0-9a-f]+","A":"1","ErrorKind":"DiskIssue"}$/,
    );
  });

  it('escapes quotes, backslashes and non-printable bytes as \\xNN (non-ASCII as UTF-8 bytes)', () => {
    expect(escapeTraceString('plain text 123')).toBe('plain text 123');
    expect(escapeTraceString('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeTraceString('\n\t\x00\x7f')).toBe('\\x0a\\x09\\x00\\x7f');
    expect(escapeTraceString('é€😀')).toBe('\\xc3\\xa9\\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80');
    expect(escapeTraceString('\xff')).toBe('\\xc3\\xbf');
    const line = formatTraceLine(ev('K\n', { 'key"1': 'v\x01' }));
    expect(line).toContain('"Type":"K\\x0a"');
    expect(line).toContain('"key\\"1":"v\\x01"');
    expect(/^[\x20-\x7e]*$/.test(line)).toBe(true);
  });

  it('refuses a detail named like a fixed field (it would duplicate a JSON key)', () => {
    expect(() => formatTraceLine(ev('X', { Time: 5 }))).toThrow(InternalError);
  });
});

describe('TraceWriter', () => {
  const stream = (delay: number): TraceEvent[] => [
    ev('ProgramStart', { RandomSeed: 7, ActualTime: 1_700_000_000 }, 10, 0),
    ev('ClogInterface', { IP: '2.0.1.3', Delay: delay }, 10, 2_000_000),
    ev('TestResults', { Workload: 'Cycle', Passed: 1 }, 10, 9_000_000),
  ];

  function hashOf(events: readonly TraceEvent[], opts = {}): string {
    const w = new TraceWriter(opts);
    for (const e of events) w.emit(e);
    return w.finish().hash;
  }

  it('hashes identical event streams identically and differently when one detail differs', () => {
    expect(hashOf(stream(0.4))).toBe(hashOf(stream(0.4)));
    expect(hashOf(stream(0.4))).not.toBe(hashOf(stream(0.5)));
    expect(hashOf(stream(0.4))).not.toBe(hashOf([...stream(0.4)].reverse()));
    expect(hashOf(stream(0.4))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('leaves ActualTime (and the other real-time fields) out of the hash but not out of the file', () => {
    const a = stream(0.4);
    const b = stream(0.4).map((e) =>
      e.type === 'ProgramStart' ? { ...e, details: { ...e.details, ActualTime: 1_800_000_000 } } : e,
    );
    const wa = new TraceWriter();
    const wb = new TraceWriter();
    for (const e of a) wa.emit(e);
    for (const e of b) wb.emit(e);
    expect(wa.lines()[0]).not.toBe(wb.lines()[0]);
    expect(wa.finish().hash).toBe(wb.finish().hash);
    // With ActualTime declared deterministic, the two runs differ.
    expect(hashOf(a, { nondeterministicFields: [] })).not.toBe(hashOf(b, { nondeterministicFields: [] }));
    // RealTime and DateTime are excluded by default too.
    const real = (t: number) => [
      ev('ElapsedTime', { SimTime: 9, RealTime: t, RandomUnseed: 4242, DateTime: `d${t}` }),
    ];
    expect(hashOf(real(1.5))).toBe(hashOf(real(2.5)));
  });

  it('writes one TracedTooManyLines at the cap, stops writing, and keeps counting', () => {
    const w = new TraceWriter({ maxLines: 5 });
    for (let i = 0; i < 12; i++) w.emit(ev('Tick', { I: i }, 10, i));
    const s = w.finish();
    expect(s).toMatchObject({ lines: 12, written: 5, capped: true, path: undefined });
    const lines = w.lines().map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).map((l) => l.I)).toEqual(['0', '1', '2', '3']);
    expect(lines.filter((l) => l.Type === 'TracedTooManyLines')).toHaveLength(1);
    expect(lines[4]).toMatchObject({
      Severity: '40',
      ErrorKind: 'Unset',
      Type: 'TracedTooManyLines',
      MaxLines: '5',
    });
    const uncapped = new TraceWriter({ maxLines: 5 });
    for (let i = 0; i < 4; i++) uncapped.emit(ev('Tick', { I: i }, 10, i));
    expect(uncapped.finish()).toMatchObject({ lines: 4, written: 4, capped: false });
  });

  it('drops Verbose and Sample events by default, keeps them with verbose, honours minSeverity', () => {
    const sevs: Severity[] = [0, 1, 5, 10, 20, 30, 40];
    const run = (opts: ConstructorParameters<typeof TraceWriter>[0]) => {
      const w = new TraceWriter(opts);
      for (const s of sevs) w.emit(ev(`S${s}`, {}, s));
      return w.lines().map((l) => (JSON.parse(l) as { Type: string }).Type);
    };
    expect(run({})).toEqual(['S5', 'S10', 'S20', 'S30', 'S40']);
    expect(run({ verbose: true })).toEqual(sevs.map((s) => `S${s}`));
    expect(run({ minSeverity: 20 })).toEqual(['S20', 'S30', 'S40']);
    expect(new TraceWriter().minSeverity).toBe(5);
  });

  it('writes to a file (creating its folder), flushing in chunks and on close', () => {
    const file = path.join(tempDir(), 'nested', 'deeper', 'Cycle.42.jsonl');
    const w = new TraceWriter({ path: file, bufferChars: 300 });
    const events = Array.from({ length: 50 }, (_, i) =>
      ev('Tick', { I: i, Pad: 'x'.repeat(40) }, 10, i * 1000),
    );
    for (const e of events) w.emit(e);
    // Some chunks are on disk before close (the buffer is bounded), under the `.partial` name only.
    const partial = readFileSync(`${file}.partial`, 'utf8');
    expect(partial.length).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(false);
    const s = w.finish();
    expect(existsSync(`${file}.partial`)).toBe(false);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(`${events.map((e) => formatTraceLine(e)).join('\n')}\n`);
    expect(s).toMatchObject({ lines: 50, written: 50, capped: false, path: file });
    expect(w.lines()).toEqual([]); // a file writer keeps nothing in memory by default
    expect(s.hash).toBe(hashOf(events));
  });

  it('refuses events after close', () => {
    const w = new TraceWriter();
    w.close();
    expect(() => w.emit(ev('Late'))).toThrow(InternalError);
    expect(() => w.emit(ev('Late'))).not.toThrow(BadInputError);
  });
});

describe('output to a device', () => {
  it('a trace or a whole file sent to /dev/null leaves /dev/null a device (no rename over it)', () => {
    const w = new TraceWriter({ path: '/dev/null' });
    w.emit(ev('First'));
    w.close();
    writeWhole('/dev/null', 'junit\n');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(existsSync('/dev/null.partial')).toBe(false);
  });
});
