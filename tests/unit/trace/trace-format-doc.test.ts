// docs/trace-format.md against the code: every event type the report reads (the chaos set) or the run
// writes for it (the report's facts, throughput) is documented, so renaming one without the docs fails.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPORT_EVENT_TYPES } from '../../../src/run/result-trace.js';
import { CHAOS_EVENTS, EVENT_CATALOG, REPORT_EVENTS } from '../../../src/trace/catalog.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = readFileSync(`${ROOT}docs/trace-format.md`, 'utf8');

/** Every event type written with a literal name (`trace('Type', ...)`, `emit('Type', ...)`) in `folders`. */
function writtenTypes(folders: readonly string[]): string[] {
  const types = new Set<string>();
  for (const folder of folders) {
    for (const f of readdirSync(`${ROOT}${folder}`, { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.ts')) continue;
      const text = readFileSync(`${ROOT}${folder}/${f}`, 'utf8');
      for (const m of text.matchAll(/\b(?:trace|emit)\(\s*'([A-Z][A-Za-z0-9_:]+)'/g)) types.add(m[1]!);
    }
  }
  return [...types].sort();
}

/** Whether the doc names `type`, alone or through a `Prefix_*` family. */
function documented(type: string): boolean {
  if (DOC.includes(`\`${type}\``)) return true;
  const families = DOC.matchAll(/`([A-Za-z]+_)\*`/g);
  return [...families].some((m) => type.startsWith(m[1]!));
}

describe('docs/trace-format.md', () => {
  it('documents every event the report reads or the run writes for it', () => {
    const wanted = [...Object.keys(EVENT_CATALOG), 'ElapsedTime', 'ProgramStart'];
    const missing = wanted.filter((t) => !DOC.includes(`\`${t}\``));
    expect(missing).toEqual([]);
  });

  it('documents every event type the engine and the built-in workloads write', () => {
    const types = writtenTypes(['src', 'workloads']);
    expect(types.length).toBeGreaterThan(100);
    expect(types.filter((t) => !documented(t))).toEqual([]);
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
