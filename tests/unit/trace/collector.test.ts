import { describe, expect, it } from 'vitest';
import { FanOut, TraceCollector } from '../../../src/trace/collector.js';
import type { Severity, TraceEvent } from '../../../src/trace/event.js';
import { TraceWriter } from '../../../src/trace/writer.js';

function ev(type: string, severity: Severity = 10, time = 0): TraceEvent {
  return { severity, time, type, machine: 'm', id: 'i', details: {} };
}

describe('TraceCollector', () => {
  it('keeps events in order, filtered by severity then by predicate', () => {
    const c = new TraceCollector({ minSeverity: 10, filter: (e) => e.type !== 'Noise' });
    for (const e of [ev('A'), ev('Noise'), ev('Debug', 5), ev('TestFailure', 40), ev('A', 10, 5)]) c.emit(e);
    expect(c.events.map((e) => e.type)).toEqual(['A', 'TestFailure', 'A']);
    expect(c.ofType('A').map((e) => e.time)).toEqual([0, 5]);
    expect(c.errors().map((e) => e.type)).toEqual(['TestFailure']);
    c.clear();
    expect(c.events).toEqual([]);
  });

  it('counts what it could not keep once full', () => {
    const c = new TraceCollector({ maxEvents: 2 });
    for (let i = 0; i < 5; i++) c.emit(ev(`E${i}`));
    expect(c.events.map((e) => e.type)).toEqual(['E0', 'E1']);
    expect(c.dropped).toBe(3);
  });
});

describe('FanOut', () => {
  it('sends every event to every sink, in order', () => {
    const a = new TraceCollector();
    const b = new TraceCollector({ filter: (e) => e.severity >= 40 });
    const w = new TraceWriter();
    const fan = new FanOut([a, b]);
    fan.add(w);
    fan.emit(ev('X'));
    fan.emit(ev('TestFailure', 40));
    expect(a.events.map((e) => e.type)).toEqual(['X', 'TestFailure']);
    expect(b.events.map((e) => e.type)).toEqual(['TestFailure']);
    expect(w.finish().written).toBe(2);
  });
});
