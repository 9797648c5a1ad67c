// `faultline run [SPEC]`: one spec with one seed (random and printed when not given). Prints the report,
// writes the trace, and with --check-determinism runs the seed twice and compares.

import { createHash } from 'node:crypto';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { BadInputError } from '../core/errors.js';
import { ReportFold } from '../report/fold.js';
import { jsonReport, renderJson } from '../report/json.js';
import { DEFAULT_TIMELINE_ROWS } from '../report/model.js';
import { PictureFold } from '../report/picture.js';
import { colorEnabled } from '../report/style.js';
import { renderText } from '../report/text.js';
import { buggifyForSeed } from '../run/buggify-choice.js';
import { defaultSpec } from '../run/default-spec.js';
import { checkDeterminism, type DeterminismVerdict } from '../run/determinism.js';
import { prepareRun } from '../run/prepare.js';
import type { RunResult } from '../run/result.js';
import { runSpec } from '../run/run-spec.js';
import type { KnobOverride } from '../sim/knobs.js';
import { loadSpecFile } from '../spec/load.js';
import type { TestSpec } from '../spec/types.js';
import { FanOut } from '../trace/collector.js';
import type { TraceSink } from '../trace/event.js';
import { writeFailure } from '../trace/output-file.js';
import { TraceWriter } from '../trace/writer.js';
import { displayPath, pluginRegistry } from '../workload/plugin-loader.js';
import type { AnyWorkload } from '../workload/registry.js';
import { commandName, resolveSpecPath } from './builtins.js';
import { EXIT, exitCodeForOutcome } from './exit-codes.js';
import { checkHtmlPath, writeHtmlReport } from './html-output.js';
import { withInterrupts } from './interrupt.js';
import { type CliIo, outputWidth } from './io.js';
import { pluginRequests } from './plugin-flags.js';
import { RunProgress } from './run-progress.js';
import { pluginChanges } from './traced-plugins.js';

/** The options `faultline run` takes, as commander hands them over. */
export interface RunFlags {
  readonly seed?: string;
  readonly buggify?: string;
  readonly traceDir: string;
  readonly knob: readonly string[];
  readonly checkDeterminism: boolean;
  readonly format: string;
  readonly allEvents: boolean;
  readonly maxSimSeconds?: string;
  readonly maxMemory?: string;
  readonly html?: string;
  /** False with --no-oracle. */
  readonly oracle?: boolean;
  /** False with --no-color. */
  readonly color?: boolean;
  /** `--plugin FILE`, repeatable. */
  readonly plugin: readonly string[];
  /** `--typecheck`: type-check TypeScript plugins before loading them. */
  readonly typecheck?: boolean;
}

const CLI = '<command line>';

function flagError(flag: string, message: string, hint?: string): BadInputError {
  return new BadInputError(message, { file: CLI, key: flag }, hint);
}

/** A seed: a non-negative integer, decimal or 0x-hex (as fdbserver's -s accepts). */
export function parseSeed(text: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t)
    ? Number.parseInt(t.slice(2), 16)
    : /^\d+$/.test(t)
      ? Number(t)
      : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw flagError('--seed', `expected a non-negative integer, got '${text}'`, 'e.g. --seed 42');
  }
  return n;
}

/**
 * `on`/`off` (or `true`/`false`), or `random`: decided by the seed, on with FoundationDB's harness odds
 * (80 %), so the same seed always makes the same choice and the reproduce command names it.
 */
export function parseBuggify(text: string, seed: number): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'on' || t === 'true') return true;
  if (t === 'off' || t === 'false') return false;
  if (t === 'random') return buggifyForSeed(seed);
  throw flagError('--buggify', `expected on, off or random, got '${text}'`);
}

/** A simulated-time limit in seconds: a positive number. */
export function parseMaxSimSeconds(text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw flagError(
      '--max-sim-seconds',
      `expected a positive number of seconds, got '${text}'`,
      'e.g. --max-sim-seconds 600',
    );
  }
  return n;
}

/**
 * `--max-memory MB`: the heap budget of a run, in bytes. Default: 80 % of V8's heap limit, so a runaway
 * run ends as did-not-finish with what held the memory instead of a V8 heap abort.
 */
export function parseMaxMemory(text: string | undefined): number {
  if (text === undefined) return Math.floor(getHeapStatistics().heap_size_limit * 0.8);
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n < 64) {
    throw flagError(
      '--max-memory',
      `expected megabytes, at least 64, got '${text}'`,
      'e.g. --max-memory 2048',
    );
  }
  return Math.floor(n * 1048576);
}

/** `NAME=VALUE` knob settings; values are read by the knob's own type. */
export function parseKnobs(items: readonly string[]): KnobOverride[] {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw flagError(
        '--knob',
        `expected NAME=VALUE, got '${item}'`,
        'e.g. --knob max_read_transaction_life_versions=2000000',
      );
    }
    return { name: item.slice(0, eq).trim(), value: item.slice(eq + 1).trim(), file: CLI };
  });
}

/** A test title as a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
export function traceFileName(title: string, seed: number): string {
  const safe = title.replace(/[^A-Za-z0-9._-]/g, '_') || 'test';
  return `${safe}.${seed}.jsonl`;
}

/** Runs the `run` command; returns the exit code. Bad input throws (mapped by the caller). */
export async function runCommand(
  specArg: string | undefined,
  flags: RunFlags,
  io: CliIo,
  builtins: readonly AnyWorkload[],
  version: string,
): Promise<number> {
  const opts = readRunFlags(flags, io);
  const { spec, sha256, notes, registry, plugins } = await loadRun(specArg, flags, io, builtins);
  // Everything the user could have got wrong is checked before a trace file is opened.
  if (flags.html !== undefined) checkHtmlPath(flags.html);
  const { seed, buggify, knobOverrides } = opts;
  prepareRun({ spec, seed, ...(buggify !== undefined ? { buggify } : {}), knobOverrides, registry });

  const tracePath = path.join(flags.traceDir, traceFileName(spec.tests[0]!.testTitle, seed));
  const what = specArg ?? 'the default spec (CycleWithAttrition)';
  io.stderr(
    `faultline: running ${what} with seed ${seed}${opts.seedGiven ? '' : ' (random)'}; trace: ${tracePath}\n`,
  );
  for (const warning of pluginChanges(tracePath, plugins)) io.stderr(`warning: ${warning}\n`);
  const run = (traceSink: TraceWriter): Promise<RunResult> =>
    runSpec({
      spec,
      ...(specArg !== undefined ? { specPath: specArg } : {}),
      specSha256: sha256,
      seed,
      ...(buggify !== undefined ? { buggify } : {}),
      knobOverrides,
      traceSink,
      registry,
      plugins: plugins.map((p) => ({ file: displayPath(p.file), sha256: p.sha256 })),
      pluginFlags: flags.plugin,
      command: commandName(),
      version,
      realClock: io.clock,
      notes,
      ...(opts.maxSimSeconds !== undefined
        ? { maxSimSeconds: opts.maxSimSeconds, maxSimSecondsFlag: true }
        : {}),
      maxHeapBytes: opts.maxHeapBytes,
      ...(flags.oracle === false ? { noOracle: true } : {}),
    });

  const sinks = reportSinks(flags, io);
  const firstWriter = openTrace(tracePath, flags.checkDeterminism, sinks.downstream);
  let ran: RunResult;
  try {
    ran = await withInterrupts(io, firstWriter, () => run(firstWriter));
  } finally {
    sinks.progress?.finish();
  }
  if (firstWriter.writeError !== undefined) {
    io.stderr(`error: ${firstWriter.writeError}; the run's report follows, its trace is lost\n`);
  }
  const result = sinks.fold.result({ realTime: ran.realTime, tracePath });
  if (sinks.picture !== undefined && flags.html !== undefined)
    writeHtmlReport(flags.html, result, sinks.picture.picture(), io);
  let verdict: DeterminismVerdict | undefined;
  if (flags.checkDeterminism) {
    io.stderr(`faultline: running seed ${seed} again to check determinism\n`);
    const secondWriter = new TraceWriter({ memory: true });
    const second = await run(secondWriter);
    verdict = checkDeterminism(ran, second, firstWriter.lines(), secondWriter.lines());
  }
  printReport(result, verdict, flags, io);
  if (firstWriter.writeError !== undefined) return EXIT.output;
  if (verdict && !verdict.ok) return EXIT.determinism;
  return exitCodeForOutcome(result.outcome);
}

/** The run's settings from its flags; any bad flag is a BadInputError naming it. */
function readRunFlags(flags: RunFlags, io: CliIo) {
  if (flags.format !== 'text' && flags.format !== 'json') {
    throw flagError('--format', `expected text or json, got '${flags.format}'`);
  }
  const seedGiven = flags.seed !== undefined;
  const seed = seedGiven ? parseSeed(flags.seed!) : io.randomSeed();
  return {
    seed,
    seedGiven,
    buggify: flags.buggify !== undefined ? parseBuggify(flags.buggify, seed) : undefined,
    knobOverrides: parseKnobs(flags.knob),
    maxSimSeconds: flags.maxSimSeconds !== undefined ? parseMaxSimSeconds(flags.maxSimSeconds) : undefined,
    maxHeapBytes: parseMaxMemory(flags.maxMemory),
  };
}

/** The spec to run (the given file, or the built-in default) and the registry with its plugins. */
async function loadRun(
  specArg: string | undefined,
  flags: RunFlags,
  io: CliIo,
  builtins: readonly AnyWorkload[],
) {
  let spec: TestSpec | undefined;
  let sha256 = '';
  let notes: readonly string[] = [];
  if (specArg !== undefined) {
    const where = resolveSpecPath(specArg);
    if (where.shipped)
      io.stderr(
        `faultline: ${specArg} is not in this folder; running faultline's own copy at ${where.file}\n`,
      );
    const loaded = loadSpecFile(where.file);
    spec = loaded.spec;
    sha256 = loaded.sha256;
  }
  const testNames = (spec?.tests ?? []).flatMap((t) => t.workloads.map((w) => w.testName));
  const { registry, plugins } = await pluginRegistry(
    builtins,
    pluginRequests(flags.plugin, spec),
    testNames,
    {
      typecheck: flags.typecheck === true,
    },
  );
  if (spec === undefined) {
    const d = defaultSpec(registry);
    spec = d.spec;
    sha256 = createHash('sha256').update(d.text).digest('hex');
    notes = d.notes;
  }
  return { spec, sha256, notes, registry, plugins };
}

/**
 * What reads the events as they are written: the report's fold (exactly what `faultline render` reads
 * back), the HTML picture with --html, and a status line on a terminal.
 */
function reportSinks(flags: RunFlags, io: CliIo) {
  const fold = new ReportFold();
  const picture = flags.html !== undefined ? new PictureFold() : undefined;
  const progress = io.isTTY ? new RunProgress(io.stderr, io.clock) : undefined;
  const sinks = [
    fold,
    ...(picture !== undefined ? [picture] : []),
    ...(progress !== undefined ? [progress] : []),
  ];
  const downstream: TraceSink = sinks.length > 1 ? new FanOut(sinks) : fold;
  return { fold, picture, progress, downstream };
}

/** Prints the report (text or JSON) and, with --check-determinism, the verdict. */
function printReport(
  result: RunResult,
  verdict: DeterminismVerdict | undefined,
  flags: RunFlags,
  io: CliIo,
): void {
  if (flags.format === 'json') {
    const doc = verdict
      ? { ...jsonReport(result), determinism: { checked: true, ok: verdict.ok, message: verdict.message } }
      : undefined;
    io.stdout(doc ? `${JSON.stringify(doc, null, 2)}\n` : renderJson(result));
    return;
  }
  const color = flags.color !== false && colorEnabled(io.env, io.isTTY);
  const width = outputWidth(io);
  io.stdout(
    renderText(result, {
      color,
      maxTimelineRows: flags.allEvents ? 0 : DEFAULT_TIMELINE_ROWS,
      ...(width !== undefined ? { width } : {}),
    }),
  );
  if (verdict) {
    io.stdout(
      verdict.ok
        ? `Determinism: the second run matched (trace hash ${result.traceHash}, unseed ${result.unseed}).\n`
        : `DETERMINISM CHECK FAILED: ${verdict.message}\n${divergenceLines(verdict)}`,
    );
  }
}

/** Opens the trace file (under its `.partial` name until the run completes); a failure is bad input. */
function openTrace(tracePath: string, memory: boolean, downstream: TraceSink): TraceWriter {
  try {
    return new TraceWriter({ path: tracePath, memory, downstream });
  } catch (e) {
    if (e instanceof BadInputError) throw e;
    throw new BadInputError(
      `cannot write the trace file: ${writeFailure(e)}`,
      { file: tracePath },
      'choose another --trace-dir',
    );
  }
}

function divergenceLines(v: DeterminismVerdict): string {
  const d = v.divergence;
  if (!d) return '';
  return `  first run:  ${d.first ?? '(trace ended)'}\n  second run: ${d.second ?? '(trace ended)'}\n`;
}
