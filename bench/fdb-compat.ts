// FoundationDB compatibility report: runs every FoundationDB spec saved under tests/fdb/upstream/ on seeds
// 1-3 and writes docs/fdb-compatibility.md (passes / rejected: why / fails: why), keeping its Changes log.
//
// Run with `npx tsx bench/fdb-compat.ts [--seeds 1,2,3] [--only NAME,...] [--out FILE] [--max-wall SECONDS]`.
// Offline: the specs are the saved copies, each naming its FoundationDB path and commit in its first line.
// With `--only`, the specs not named keep the rows the previous report gave them (so a change can re-run
// just what it affects); a name matches every saved path that contains it (`slow/X.toml` names one spec).
// With `--max-wall`, each seed runs in a child process that is ended after that many seconds of wall time,
// and its status says so (`not finished within N minutes of wall time`), so one slow spec cannot hold up
// the report; without it every seed runs in this process, for as long as it takes.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
/** The status prefix of a seed ended by `--max-wall`. */
export const CUT_SHORT = 'not finished within';
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

/** The status of a seed ended after `seconds` of wall time. */
export function cutShortStatus(seconds: number): string {
  const minutes = seconds / 60;
  const amount = Number.isInteger(minutes) ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${seconds} s`;
  return `${CUT_SHORT} ${amount} of wall time`;
}

/** One seed's status with what it cost: wall seconds, and CPU seconds when the run ended by itself. */
export interface TimedStatus {
  readonly status: string;
  readonly wallSeconds: number;
  readonly cpuSeconds?: number;
}

const SCRIPT = fileURLToPath(import.meta.url);

/**
 * Runs one seed in a child process (this script with `--one`), ending it after `maxWallSeconds` of wall
 * time. The child writes its status as one JSON line; a child that dies without one is a crash.
 */
export function childStatus(file: string, seed: number, maxWallSeconds: number): Promise<TimedStatus> {
  const started = performance.now();
  const args = ['--import', 'tsx', SCRIPT, '--one', file, '--seed', String(seed)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  let cutShort = false;
  const timer = setTimeout(() => {
    cutShort = true;
    child.kill('SIGKILL');
  }, maxWallSeconds * 1000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallSeconds = (performance.now() - started) / 1000;
      if (cutShort) return resolve({ status: cutShortStatus(maxWallSeconds), wallSeconds });
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        const r = JSON.parse(line) as { status: string; cpuSeconds: number };
        resolve({ status: r.status, wallSeconds, cpuSeconds: r.cpuSeconds });
      } catch {
        resolve({ status: `fails: faultline crashed (exit code ${code ?? 'none'})`, wallSeconds });
      }
    });
  });
}

/** `--one FILE --seed N`: one seed's status and CPU seconds, as one JSON line on stdout. */
async function runOne(file: string, seed: number): Promise<void> {
  const status = await specStatus(file, seed, new Registry(builtinWorkloads));
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ status, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}

/** One seed's status, in this process or (with a wall-time limit) in a child process. */
async function timedStatus(
  file: string,
  seed: number,
  registry: Registry,
  maxWallSeconds: number | undefined,
): Promise<TimedStatus> {
  if (maxWallSeconds !== undefined) return childStatus(file, seed, maxWallSeconds);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const status = await specStatus(file, seed, registry);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    status,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
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

/** The verb for a count of specs: `one` for 1, else `many`. */
function verb(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

/** The report's Markdown: summary, table, and the Changes log carried over from the previous report. */
export function renderReport(rows: readonly CompatRow[], seeds: readonly number[], changes: string): string {
  const passAll = rows.filter((r) => r.statuses.every((s) => s === 'passes')).length;
  const rejected = rows.filter((r) => r.statuses.some((s) => s.startsWith('rejected'))).length;
  const notRun = rows.filter((r) => r.statuses.some((s) => s === NOT_RUN)).length;
  const fails = rows.filter((r) => r.statuses.some((s) => s.startsWith('fails'))).length;
  const cutShort = rows.filter((r) => r.statuses.some((s) => s.startsWith(CUT_SHORT))).length;
  const more = [
    ...(fails > 0 ? [`${fails} ${verb(fails, 'fails', 'fail')} on some seed`] : []),
    ...(cutShort > 0 ? [`${cutShort} did not finish a seed within the wall-time limit`] : []),
    ...(notRun > 0 ? [`${notRun} ${verb(notRun, 'was', 'were')} not run for this report`] : []),
  ];
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
    `Summary: ${rows.length} specs; ${passAll} ${verb(passAll, 'passes', 'pass')} on every seed; ${rejected} ${verb(rejected, 'is', 'are')} rejected before running` +
      more.map((m) => `; ${m}`).join('') +
      '.',
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
  const one = flag(args, '--one');
  if (one !== undefined) return runOne(one, Number(flag(args, '--seed') ?? '1'));
  const maxWallFlag = flag(args, '--max-wall');
  const maxWall = maxWallFlag === undefined ? undefined : Number(maxWallFlag);
  if (maxWall !== undefined && !(maxWall > 0))
    throw new Error(`--max-wall needs seconds > 0, not ${maxWallFlag}`);
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
      const t = await timedStatus(file, seed, registry, maxWall);
      statuses.push(t.status);
      const cpu = t.cpuSeconds === undefined ? '' : `, ${t.cpuSeconds.toFixed(1)} s CPU`;
      process.stderr.write(
        `${rows[i]!.fdbPath} seed ${seed}: ${t.status} (${t.wallSeconds.toFixed(1)} s wall${cpu})\n`,
      );
    }
    rows[i] = { ...rows[i]!, statuses };
    writeFileSync(out, renderReport(rows, seeds, changes));
  }
}

if (process.argv[1]?.endsWith('fdb-compat.ts')) await main(process.argv.slice(2));
