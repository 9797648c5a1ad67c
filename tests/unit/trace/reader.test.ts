import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import type { TraceEvent } from '../../../src/trace/event.js';
import { parseTraceText, parseTraceTime, readTrace } from '../../../src/trace/reader.js';
import { TraceWriter } from '../../../src/trace/writer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempFile(name: string, text?: string): string {
  const d = mkdtempSync(path.join(tmpdir(), 'faultline-reader-'));
  dirs.push(d);
  const f = path.join(d, name);
  if (text !== undefined) writeFileSync(f, text);
  return f;
}

function caught(f: () => unknown): BadInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof BadInputError) return e;
    throw e;
  }
  throw new Error('expected a BadInputError');
}

describe('parseTraceTime', () => {
  it('reads seconds with six decimals into exact microseconds', () => {
    expect(parseTraceTime('12.345678')).toBe(12_345_678);
    expect(parseTraceTime('0.000001')).toBe(1);
    expect(parseTraceTime('3')).toBe(3_000_000);
    expect(parseTraceTime('-1.5')).toBe(-1_500_000);
    expect(parseTraceTime('1.0000005')).toBe(1_000_001);
    expect(parseTraceTime('1e-6')).toBe(1);
    expect(parseTraceTime('soon')).toBeUndefined();
    expect(parseTraceTime('')).toBeUndefined();
  });
});

describe('readTrace', () => {
  it('round-trips what the writer wrote, and re-writing the read events gives the same bytes and hash', () => {
    const events: TraceEvent[] = [
      {
        severity: 10,
        time: 0,
        type: 'ProgramStart',
        machine: '0.0.0.0:0',
        id: '0000000000000000',
        details: { RandomSeed: '42', Version: '0.1.0' },
      },
      {
        severity: 10,
        time: 12_345_678,
        type: 'CloggingPair',
        machine: '2.0.1.3:1',
        id: 'ab12cd34ef560789',
        details: { From: '2.0.1.3', To: '2.0.1.4', Seconds: '0.5' },
      },
      {
        severity: 40,
        time: 20_000_001,
        type: 'TestFailure',
        machine: '2.0.1.9:1',
        id: '0000000000000000',
        details: { ErrorKind: 'BugDetected', Reason: 'Cycle broke: "x"\n\\ é \x01' },
      },
      {
        severity: 5,
        time: 30_000_000,
        type: 'CoordinatorsChangeBeforeCommit',
        machine: '2.0.1.9:1',
        id: '0000000000000001',
        details: {},
      },
    ];
    const file = tempFile('run.jsonl');
    const w = new TraceWriter({ path: file });
    for (const e of events) w.emit(e);
    const first = w.finish();
    const back = readTrace(file);
    expect(back).toEqual(events);
    const again = new TraceWriter({ memory: true });
    for (const e of back) again.emit(e);
    expect(again.finish().hash).toBe(first.hash);
  });

  it('turns numbers and booleans into the strings the file holds', () => {
    const w = new TraceWriter();
    w.emit({
      severity: 10,
      time: 1,
      type: 'Metric',
      machine: 'm',
      id: 'i',
      details: { Value: 2.5, Ok: true },
    });
    expect(parseTraceText(w.lines().join('\n'), 'mem')[0]!.details).toEqual({ Value: '2.5', Ok: '1' });
  });

  it("reads FoundationDB's JSON traces: DateTime, ThreadID and the other extras become details", () => {
    const fdb = [
      '{  "Severity": "10", "Time": "0.000000", "DateTime": "2026-08-22T10:00:00Z", "Type": "ProgramStart", "Machine": "0.0.0.0:0", "ID": "0000000000000000", "RandomSeed": "93", "ActualTime": "1755856800", "ThreadID": "1234", "LogGroup": "default" }',
      '',
      '{  "Severity": "20", "Time": "12.345678", "DateTime": "2026-08-22T10:00:01Z", "Type": "FailMachine", "Machine": "3.4.3.2:1", "ID": "0000000000000000", "Key": "\\xff\\x02/conf", "Name": "caf\\xc3\\xa9", "Roles": "SS,TL" }\r',
      '{  "Severity": "40", "ErrorKind": "BugDetected", "Time": "13.000000", "DateTime": "x", "Type": "InternalError", "Machine": "3.4.3.2:1", "ID": "0000000000000000", "FailedAssertion": "a \\\\x41 b", "File": "f.cpp" }',
    ].join('\n');
    const events = parseTraceText(fdb, 'trace.0.0.0.0.1.json');
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({
      severity: 10,
      time: 0,
      type: 'ProgramStart',
      machine: '0.0.0.0:0',
      id: '0000000000000000',
      details: {
        DateTime: '2026-08-22T10:00:00Z',
        RandomSeed: '93',
        ActualTime: '1755856800',
        ThreadID: '1234',
        LogGroup: 'default',
      },
    });
    expect(events[1]).toMatchObject({
      severity: 20,
      time: 12_345_678,
      type: 'FailMachine',
      machine: '3.4.3.2:1',
    });
    // A binary key stays one character per byte; valid UTF-8 bytes decode to text.
    expect(events[1]!.details.Key).toBe('\xff\x02/conf');
    expect(events[1]!.details.Name).toBe('café');
    // An escaped backslash followed by x41 is not a \x escape.
    expect(events[2]!.details).toMatchObject({ ErrorKind: 'BugDetected', FailedAssertion: 'a \\x41 b' });
  });

  it('names the file and line of a malformed line', () => {
    const file = tempFile(
      'bad.jsonl',
      [
        '{"Severity":"10","Time":"1.000000","Type":"A","Machine":"m","ID":"i"}',
        '',
        '{"Severity":"10","Time":"1.000000","Type":"B",',
      ].join('\n'),
    );
    const e = caught(() => readTrace(file));
    expect(e.location).toMatchObject({ file, line: 3 });
    expect(e.format()).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: malformed trace line`),
    );
    expect(caught(() => parseTraceText('{"Severity":"11","Time":"1","Type":"A"}', 'f')).message).toMatch(
      /Severity "11"/,
    );
    expect(caught(() => parseTraceText('{"Severity":"10","Type":"A"}', 'f')).message).toMatch(/missing Time/);
    expect(caught(() => parseTraceText('[1,2]', 'f')).message).toMatch(/one JSON object per line/);
    expect(caught(() => parseTraceText('{"Severity":"10","Time":"x","Type":"A"}', 'f')).message).toMatch(
      /Time "x"/,
    );
  });

  it('explains XML traces and missing files instead of failing obscurely', () => {
    const xml = caught(() => parseTraceText('<?xml version="1.0"?>\n<Trace>', 'trace.xml'));
    expect(xml.hint).toMatch(/--trace-format json/);
    const missing = caught(() => readTrace('/nonexistent/faultline/trace.jsonl'));
    expect(missing.message).toMatch(/cannot read trace file: ENOENT/);
    expect(missing.location?.file).toBe('/nonexistent/faultline/trace.jsonl');
  });

  it('reads files larger than its read chunk without splitting lines', () => {
    const file = tempFile('big.jsonl');
    const w = new TraceWriter({ path: file });
    const n = 12_000;
    for (let i = 0; i < n; i++) {
      w.emit({
        severity: 10,
        time: i,
        type: 'Tick',
        machine: 'm',
        id: 'i',
        details: { I: i, Pad: 'ü'.repeat(20) },
      });
    }
    w.finish();
    const events = readTrace(file);
    expect(events).toHaveLength(n);
    expect(events.every((e, i) => e.details.I === String(i) && e.details.Pad === 'ü'.repeat(20))).toBe(true);
  });
});
