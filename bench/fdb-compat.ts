// FoundationDB compatibility report: runs every FoundationDB spec saved under tests/fdb/upstream/ on seeds
// 1-3 and writes docs/fdb-compatibility.md (passes / rejected: why / fails: why), keeping its Changes log.
//
// Run with `npx tsx bench/fdb-compat.ts [--seeds 1,2,3] [--only NAME,...] [--out FILE]`. Offline: the specs
// are the saved copies, each naming its FoundationDB path and commit in its first line. With `--only`, the
// specs not named keep the rows the previous report gave them (so a change can re-run just what it affects).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BadInputError } from '../src/core/errors.js';
import { runSpec } from '../src/run/run-spec.js';
import { loadSpecFile } from '../src/spec/load.js';
import { TraceWriter } from '../src/trace/writer.js';
import { Registry } from '../src/workload/registry.js';
import { builtinWorkloads } from '../workloads/index.js';

/** Where the saved FoundationDB specs live. */
export const UPSTREAM_DIR = 'tests/fdb/upstream';
/** The status of a spec the report did not run (a run cut short, or left out by `--only`). */
export const NOT_RUN = 'not run in this report';
/** Marks the hand-written log of explained changes, kept when the table is regenerated. */
export const CHANGES_HEADING = '## Changes';

/** One spec's row: its FoundationDB path, workloads and one status per seed. */
export interface CompatRow {
  readonly fdbPath: string;
  readonly workloads: readonly string[];
  readonly statuses: readonly string[];
}

/** Every saved spec file under `dir`, sorted. */
export function upstreamSpecs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.toml')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The workload names a spec stacks (testName lines), in order, without repeats. */
export function specWorkloads(text: string): string[] {
  const names = [...text.matchAll(/^\s*testName\s*=\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  return [...new Set(names)];
}

/** One run's status: `passes`, `rejected: <why>` or `fails: <why>`. */
export async function specStatus(file: string, seed: number, registry: Registry): Promise<string> {
  try {
    const loaded = loadSpecFile(file);
    const r = await runSpec({
      spec: loaded.spec,
      specPath: file,
      seed,
      traceSink: new TraceWriter({ memory: false }),
      registry,
    });
    if (r.outcome === 'passed') return 'passes';
    if (r.outcome === 'did-not-finish')
      return `fails: did not finish (${r.didNotFinish?.reason ?? 'unknown'})`;
    const f = r.failures[0];
    return `fails: ${f ? `${f.type}${f.reason ? ` (${f.reason})` : ''}` : 'a check failed'}`;
  } catch (e) {
    if (e instanceof BadInputError)
      return `rejected: ${e.message}${e.location?.key ? ` (${e.location.key})` : ''}`;
    throw e;
  }
}

/** The rows of a previous report's table, by FoundationDB path (empty when there is none). */
export function previousRows(report: string): Map<string, CompatRow> {
  const rows = new Map<string, CompatRow>();
  for (const line of report.split('\n')) {
    const m = /^\| `([^`]+)` \| (.*) \|$/.exec(line);
    if (!m) continue;
    const cells = m[2]!.split(/(?<!\\) \| /).map((c) => c.replaceAll('\\|', '|'));
    rows.set(m[1]!, { fdbPath: m[1]!, workloads: cells[0]!.split(', '), statuses: cells.slice(1) });
  }
  return rows;
}

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The report's Markdown: summary, table, and the Changes log carried over from the previous report. */
export function renderReport(rows: readonly CompatRow[], seeds: readonly number[], changes: string): string {
  const passAll = rows.filter((r) => r.statuses.every((s) => s === 'passes')).length;
  const rejected = rows.filter((r) => r.statuses.some((s) => s.startsWith('rejected'))).length;
  const notRun = rows.filter((r) => r.statuses.some((s) => s === NOT_RUN)).length;
  const lines = [
    '# FoundationDB compatibility',
    '',
    "FoundationDB's own specs from `tests/fast`, `tests/rare` and `tests/slow` that stack only workloads",
    'faultline implements (or could), run unchanged on seeds ' + seeds.join(', ') + '. Produced by',
    '`npx tsx bench/fdb-compat.ts` from the copies saved under `tests/fdb/upstream/` (each names its',
    'FoundationDB path and commit in its first line), so it runs offline. Every spec that passes is also copied',
    'unchanged into `tests/fdb/`, run on seed 1 in `npm test` (`tests/unit/fdb/upstream-specs.test.ts`), or,',
    'when a seed costs minutes, into `tests/fdb/long/`, run on seed 1 by `npm run test:sweeps`.',
    '',
    '**Rule:** every change to this table is explained, in the commit that makes it and in the Changes log',
    'at the end of this file (the script keeps that section when it regenerates the table).',
    '',
    `Summary: ${rows.length} specs; ${passAll} pass on every seed; ${rejected} are rejected before running` +
      (notRun > 0 ? `; ${notRun} were not run for this report.` : '.'),
    '',
    `| FoundationDB spec | workloads | ${seeds.map((s) => `seed ${s}`).join(' | ')} |`,
    `| --- | --- | ${seeds.map(() => '---').join(' | ')} |`,
    ...rows.map(
      (r) => `| \`${r.fdbPath}\` | ${cell(r.workloads.join(', '))} | ${r.statuses.map(cell).join(' | ')} |`,
    ),
    '',
    changes.trim() === '' ? `${CHANGES_HEADING}\n` : changes.trim(),
    '',
  ];
  return lines.join('\n');
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: readonly string[]): Promise<void> {
  const seeds = (flag(args, '--seeds') ?? '1,2,3').split(',').map(Number);
  const only = flag(args, '--only')?.split(',');
  const out = flag(args, '--out') ?? 'docs/fdb-compatibility.md';
  const registry = new Registry(builtinWorkloads);
  let previous = '';
  try {
    previous = readFileSync(out, 'utf8');
  } catch {
    previous = '';
  }
  const at = previous.indexOf(CHANGES_HEADING);
  const changes = at >= 0 ? previous.slice(at) : '';
  const kept = previousRows(previous);
  const all = upstreamSpecs(UPSTREAM_DIR);
  const selected = (f: string) => !only || only.some((o) => f.includes(o));
  // Every spec gets a row up front, so a report cut short still names what it did not run; with --only,
  // the others keep their previous statuses.
  const rows: CompatRow[] = all.map((file) => {
    const fdbPath = path.relative(UPSTREAM_DIR, file);
    const before = kept.get(fdbPath);
    const keep = !selected(file) && before !== undefined && before.statuses.length === seeds.length;
    return {
      fdbPath,
      workloads: specWorkloads(readFileSync(file, 'utf8')),
      statuses: keep ? before.statuses : seeds.map(() => NOT_RUN),
    };
  });
  for (const [i, file] of all.entries()) {
    if (!selected(file)) continue;
    const statuses: string[] = [];
    for (const seed of seeds) {
      statuses.push(await specStatus(file, seed, registry));
      process.stderr.write(`${rows[i]!.fdbPath} seed ${seed}: ${statuses.at(-1)}\n`);
    }
    rows[i] = { ...rows[i]!, statuses };
    writeFileSync(out, renderReport(rows, seeds, changes));
  }
}

if (process.argv[1]?.endsWith('fdb-compat.ts')) await main(process.argv.slice(2));
