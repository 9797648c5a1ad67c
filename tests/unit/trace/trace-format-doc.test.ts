// docs/trace-format.md against the code: every event type the report reads (the chaos set) or the run
// writes for it (the report's facts, throughput) is documented, so renaming one without the docs fails.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPORT_EVENT_TYPES } from '../../../src/run/result-trace.js';
import { CHAOS_EVENTS, EVENT_CATALOG, REPORT_EVENTS } from '../../../src/trace/catalog.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/trace-format.md', import.meta.url)), 'utf8');

describe('docs/trace-format.md', () => {
  it('documents every event the report reads or the run writes for it', () => {
    const wanted = [...Object.keys(EVENT_CATALOG), 'ElapsedTime', 'ProgramStart'];
    const missing = wanted.filter((t) => !DOC.includes(`\`${t}\``));
    expect(missing).toEqual([]);
  });

  it('the catalogue holds every report event the run writes', () => {
    expect(Object.keys(REPORT_EVENTS).sort()).toEqual([...REPORT_EVENT_TYPES, 'ClientThroughput'].sort());
    expect(Object.keys(CHAOS_EVENTS).length).toBeGreaterThan(30);
  });

  it('documents every detail of each report event in its table row', () => {
    const row = (t: string) => DOC.split('\n').find((l) => l.startsWith(`| \`${t}\``)) ?? '';
    for (const [name, spec] of Object.entries(REPORT_EVENTS)) {
      for (const d of spec.details) expect(row(name), `${name}.${d}`).toContain(`\`${d}\``);
    }
  });

  it('documents the details of each report event in its table row', () => {
    const row = (t: string) => DOC.split('\n').find((l) => l.startsWith(`| \`${t}\``)) ?? '';
    expect(row('ClusterShape')).toContain('`ConfigString`');
    expect(row('InvariantResult')).toContain('`FailedAt`');
    expect(row('MetricResult')).toContain('`Formatted`');
    expect(row('DidNotFinish')).toContain('`Reason`');
    expect(row('ClientThroughput')).toContain('`Commits`');
  });
});
