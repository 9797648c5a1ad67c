// `faultline list` and `faultline describe`: the registered workloads and one workload's options, from
// plain data (the command line turns definitions into these; reporters never see workload code).
import { createStyle } from './style.js';
import { renderTable } from './table.js';

/** One option of a workload, as `describe` shows it. */
export interface OptionEntry {
  readonly name: string;
  /** `number`, `int`, `boolean`, `string`, `string[]`, `number[]`. */
  readonly type: string;
  /** The default, as text. */
  readonly default: string;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  readonly doc: string;
}

/** A workload as `list` and `describe` show it. */
export interface WorkloadEntry {
  readonly name: string;
  readonly kind: 'application' | 'chaos';
  readonly description: string;
  readonly options: readonly OptionEntry[];
  /** The plugin file it comes from; absent for a built-in. */
  readonly file?: string;
}

/** The workload list: name, kind and description, application workloads first. */
export function renderWorkloadList(entries: readonly WorkloadEntry[], color = false): string {
  const st = createStyle(color);
  const sorted = [...entries].sort((a, b) =>
    a.kind !== b.kind ? (a.kind === 'application' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const table = renderTable(
    ['Workload', 'Kind', 'Description'].map(st.bold),
    sorted.map((e) => [
      e.name,
      e.kind,
      e.file !== undefined ? `${e.description}\n(plugin: ${e.file})` : e.description,
    ]),
    { colWidths: [null, null, 80] },
  );
  return `${table}\n${st.dim(`${entries.length} workloads. 'faultline describe WORKLOAD' shows one's options.`)}\n`;
}

function bounds(o: OptionEntry): string {
  const parts: string[] = [];
  if (o.min !== undefined) parts.push(`>= ${o.min}`);
  if (o.max !== undefined) parts.push(`<= ${o.max}`);
  if (o.choices !== undefined) parts.push(`one of ${o.choices.join(', ')}`);
  return parts.join(', ');
}

/** One workload: its description and a table of its options (type, default, unit, bounds, doc). */
export function renderWorkloadDescription(e: WorkloadEntry, color = false): string {
  const st = createStyle(color);
  const from = e.file !== undefined ? `, plugin: ${e.file}` : '';
  const head = `${st.bold(e.name)} (${e.kind}${from})\n${e.description}\n`;
  if (e.options.length === 0) return `${head}\n${st.dim('No options.')}\n`;
  const table = renderTable(
    ['Option', 'Type', 'Default', 'Unit', 'Bounds', 'Description'].map(st.bold),
    e.options.map((o) => [o.name, o.type, o.default, o.unit ?? '', bounds(o), o.doc]),
    { colWidths: [null, null, null, null, null, 60] },
  );
  return `${head}\n${table}\n`;
}

/** A knob as `faultline knobs` shows it. */
export interface KnobEntry {
  readonly name: string;
  /** The default, as text. */
  readonly default: string;
  readonly unit: string;
  readonly doc: string;
  /** True when BUGGIFY may randomize it. */
  readonly randomized: boolean;
  /** The values an override may take, as text (`0.000001 .. 3600`); empty for non-numeric knobs. */
  readonly bounds: string;
}

/** The knob list: name, default, unit, bounds, whether BUGGIFY randomizes it, and its doc line. */
export function renderKnobList(entries: readonly KnobEntry[], color = false): string {
  const st = createStyle(color);
  const table = renderTable(
    ['Knob', 'Default', 'Unit', 'Bounds', 'BUGGIFY', 'Description'].map(st.bold),
    entries.map((k) => [k.name, k.default, k.unit, k.bounds, k.randomized ? 'randomized' : '', k.doc]),
    { colWidths: [null, null, null, null, null, 60] },
  );
  return `${table}\n${st.dim('Set one with [[knobs]] or [[test.knobs]] in a spec (lowercase names work), or --knob NAME=VALUE.')}\n`;
}
