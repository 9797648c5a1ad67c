// Result files: JSON Lines, a header naming the plan and shard, one line per finished run (appended whole,
// as runs finish, so the file is valid at every moment, even after a kill), and an end line when the
// sweep stops. Reading one back (for `merge`) treats it as untrusted input: every line is checked.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BadInputError, fileErrorReason } from '../core/errors.js';
import { ensureFolder, writeWhole } from '../trace/output-file.js';

import type { Shard } from './plan.js';
import type { SometimesHit, SweepOutcome, SweepRecord, Verdict } from './record.js';

/** The results-file format version (bump on an incompatible change). */
export const RESULTS_FORMAT = 1;

/** The first line: which plan and shard the file holds. */
export interface ResultsHeader {
  readonly kind: 'faultline-sweep';
  readonly format: number;
  readonly version: string;
  readonly planId: string;
  readonly seedsLabel: string;
  /** Runs in the whole plan. */
  readonly total: number;
  readonly shard: Shard;
  /** Runs in this shard's slice. */
  readonly planned: number;
  readonly specs: readonly {
    readonly path: string;
    readonly sha256: string;
    readonly expectFailure: boolean;
  }[];
  readonly jobs: number;
}

/** The last line: how the sweep stopped. */
export interface ResultsEnd {
  readonly kind: 'end';
  readonly finished: number;
  /** `completed`, `interrupted` (a signal), `max-failures` (stopped early). */
  readonly stopped: 'completed' | 'interrupted' | 'max-failures';
  readonly wallSeconds: number;
}

/** A results file read back. */
export interface ResultsFile {
  readonly file: string;
  readonly header: ResultsHeader;
  readonly records: readonly SweepRecord[];
  /** Absent when the sweep was killed before it could write its end line. */
  readonly end: ResultsEnd | undefined;
}

/** Appends whole lines to a results file as runs finish. */
export class ResultsWriter {
  constructor(
    readonly file: string,
    header: ResultsHeader,
  ) {
    try {
      // Not Node's recursive mkdir: it spins forever under /proc (see trace/output-file.ts).
      ensureFolder(path.dirname(path.resolve(file)));
      writeFileSync(file, `${JSON.stringify(header)}\n`);
    } catch (e) {
      if (e instanceof BadInputError) throw e;
      throw new BadInputError(
        `cannot write the results file: ${fileErrorReason(e, 'writing')}`,
        { file },
        'choose another --results path',
      );
    }
  }

  /** Appends one run (one write of one whole line). */
  add(record: SweepRecord): void {
    appendFileSync(this.file, `${JSON.stringify({ kind: 'run', ...record })}\n`);
  }

  /** Appends the end line. */
  end(end: Omit<ResultsEnd, 'kind'>): void {
    appendFileSync(this.file, `${JSON.stringify({ kind: 'end', ...end })}\n`);
  }
}

/** Writes a whole results file at once (a merge's output). */
export function writeResultsFile(
  file: string,
  header: ResultsHeader,
  records: readonly SweepRecord[],
  end: Omit<ResultsEnd, 'kind'>,
): void {
  const lines = [
    JSON.stringify(header),
    ...records.map((r) => JSON.stringify({ kind: 'run', ...r })),
    JSON.stringify({ kind: 'end', ...end }),
  ];
  writeWhole(file, `${lines.join('\n')}\n`);
}

type Json = Record<string, unknown>;

class LineReader {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly obj: Json,
  ) {}

  fail(key: string, want: string): never {
    throw new BadInputError(
      `expected ${want}`,
      { file: this.file, line: this.line, key },
      'is this a results file written by faultline sweep --results?',
    );
  }

  str(key: string): string {
    const v = this.obj[key];
    return typeof v === 'string' ? v : this.fail(key, 'a string');
  }

  num(key: string): number {
    const v = this.obj[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(key, 'a number');
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false');
  }

  optStr(key: string): string | undefined {
    return this.obj[key] === undefined ? undefined : this.str(key);
  }

  optNum(key: string): number | undefined {
    return this.obj[key] === undefined ? undefined : this.num(key);
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.obj[key];
    return values.includes(v as T) ? (v as T) : this.fail(key, `one of ${values.join(', ')}`);
  }

  sub(key: string): LineReader {
    const v = this.obj[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'an object');
    return new LineReader(this.file, this.line, v as Json);
  }

  list(key: string): LineReader[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) this.fail(key, 'a list');
    return v.map((x) => {
      if (typeof x !== 'object' || x === null) this.fail(key, 'a list of objects');
      return new LineReader(this.file, this.line, x as Json);
    });
  }
}

const OUTCOMES: readonly SweepOutcome[] = [
  'passed',
  'failed',
  'did-not-finish',
  'timeout',
  'out-of-memory',
  'crash',
  'nondeterministic',
];
const VERDICTS: readonly Verdict[] = ['passed', 'failed', 'caught', 'missed'];

function readHeader(r: LineReader): ResultsHeader {
  if (r.obj.kind !== 'faultline-sweep') r.fail('kind', "'faultline-sweep' on the first line");
  const format = r.num('format');
  if (format !== RESULTS_FORMAT) {
    throw new BadInputError(
      `results format ${format} is not supported (this faultline reads format ${RESULTS_FORMAT})`,
      { file: r.file, line: r.line },
      'merge files written by the same faultline version',
    );
  }
  const shard = r.sub('shard');
  return {
    kind: 'faultline-sweep',
    format,
    version: r.str('version'),
    planId: r.str('planId'),
    seedsLabel: r.str('seedsLabel'),
    total: r.num('total'),
    shard: { index: shard.num('index'), count: shard.num('count') },
    planned: r.num('planned'),
    specs: r.list('specs').map((s) => ({
      path: s.str('path'),
      sha256: s.str('sha256'),
      expectFailure: s.bool('expectFailure'),
    })),
    jobs: r.num('jobs'),
  };
}

function readRecord(r: LineReader): SweepRecord {
  const opt = <T>(key: string, v: T | undefined): { [k: string]: T } => (v === undefined ? {} : { [key]: v });
  const sometimes: SometimesHit[] = r
    .list('sometimes')
    .map((s) => ({ name: s.str('name'), hit: s.bool('hit') }));
  return {
    index: r.num('index'),
    spec: r.str('spec'),
    specSha256: r.str('specSha256'),
    title: r.str('title'),
    seed: r.num('seed'),
    buggify: r.bool('buggify'),
    expectFailure: r.bool('expectFailure'),
    outcome: r.oneOf('outcome', OUTCOMES),
    verdict: r.oneOf('verdict', VERDICTS),
    exitCode: r.num('exitCode'),
    ...opt('signature', r.optStr('signature')),
    ...opt('message', r.optStr('message')),
    ...opt('unseed', r.optNum('unseed')),
    ...opt('traceHash', r.optStr('traceHash')),
    ...opt('simSeconds', r.optNum('simSeconds')),
    wallSeconds: r.num('wallSeconds'),
    ...opt('cpuSeconds', r.optNum('cpuSeconds')),
    ...opt('peakMemoryMb', r.optNum('peakMemoryMb')),
    ...opt('tracePath', r.optStr('tracePath')),
    reproduce: r.str('reproduce'),
    sometimes,
  };
}

/** Reads a results file; anything malformed is a BadInputError naming the file and line. */
export function readResultsFile(file: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new BadInputError(`cannot read results file: ${fileErrorReason(e, 'reading')}`, {
      file,
    });
  }
  const lines = text.split('\n');
  let header: ResultsHeader | undefined;
  let end: ResultsEnd | undefined;
  const records: SweepRecord[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      throw new BadInputError('not a JSON line', { file, line: i + 1 }, 'results files are JSON Lines');
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new BadInputError('expected a JSON object', { file, line: i + 1 });
    }
    const r = new LineReader(file, i + 1, obj as Json);
    if (header === undefined) header = readHeader(r);
    else if (end !== undefined) throw new BadInputError('a line after the end line', { file, line: i + 1 });
    else if (r.obj.kind === 'run') records.push(readRecord(r));
    else if (r.obj.kind === 'end') {
      end = {
        kind: 'end',
        finished: r.num('finished'),
        stopped: r.oneOf('stopped', ['completed', 'interrupted', 'max-failures'] as const),
        wallSeconds: r.num('wallSeconds'),
      };
    } else r.fail('kind', "'run' or 'end'");
  });
  if (header === undefined) throw new BadInputError('the file is empty', { file }, 'was the sweep started?');
  return { file, header, records, end };
}
