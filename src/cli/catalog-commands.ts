// `faultline list`, `faultline describe WORKLOAD` and `faultline knobs`: the registered workloads, one
// workload's options, and every knob a spec or the command line can set.
import { BadInputError, didYouMean } from '../core/errors.js';
import {
  renderKnobList,
  renderWorkloadDescription,
  renderWorkloadList,
  type WorkloadEntry,
} from '../report/catalog.js';
import { colorEnabled } from '../report/style.js';
import { knobDefinitions } from '../run/prepare.js';
import { type KnobBounds, knobBounds } from '../sim/knobs.js';
import { type OptionSpec, optionMax } from '../workload/options.js';
import type { AnyWorkload, Registry } from '../workload/registry.js';
import type { CliIo } from './io.js';

function defaultText(o: OptionSpec): string {
  const v = o.default;
  if (Array.isArray(v)) return v.length === 0 ? '[]' : v.join(',');
  if (typeof v === 'string') return v === '' ? "''" : v;
  return String(v);
}

/** A workload definition as plain data for the reporters. */
export function workloadEntry(def: AnyWorkload, file?: string): WorkloadEntry {
  const options = Object.keys(def.options).map((name) => {
    const o: OptionSpec = def.options[name]!;
    return {
      name,
      type: o.type,
      default: defaultText(o),
      doc: o.doc,
      ...(o.unit !== undefined ? { unit: o.unit } : {}),
      ...((o.type === 'number' || o.type === 'int') && o.min !== undefined ? { min: o.min } : {}),
      ...(o.type === 'number' || o.type === 'int' ? { max: optionMax(o) } : {}),
      ...((o.type === 'string' || o.type === 'string[]') && o.choices !== undefined
        ? { choices: o.choices }
        : {}),
    };
  });
  return {
    name: def.name,
    kind: def.kind,
    description: def.description,
    options,
    ...(file !== undefined ? { file } : {}),
  };
}

/** `faultline list`. */
export function listCommand(io: CliIo, registry: Registry): number {
  io.stdout(
    renderWorkloadList(
      registry.list().map((d) => workloadEntry(d, registry.fileOf(d.name))),
      colorEnabled(io.env, io.isTTY),
    ),
  );
  return 0;
}

/** `faultline describe WORKLOAD`; an unknown name is bad input with a did-you-mean hint. */
export function describeCommand(name: string, io: CliIo, registry: Registry): number {
  const def = registry.get(name);
  if (def === undefined) {
    const guess = didYouMean(name, registry.names());
    throw new BadInputError(
      `unknown workload '${name}'`,
      undefined,
      guess ? `did you mean '${guess}'?` : "run 'faultline list' to see the registered workloads",
    );
  }
  io.stdout(
    renderWorkloadDescription(workloadEntry(def, registry.fileOf(name)), colorEnabled(io.env, io.isTTY)),
  );
  return 0;
}

function boundsText(b: KnobBounds): string {
  return `${b.min} .. ${b.max}${b.integer ? ', whole' : ''}`;
}

/** `faultline knobs`: every knob, sorted by name. */
export function knobsCommand(io: CliIo): number {
  const entries = knobDefinitions()
    .map((k) => ({
      name: k.name,
      default: String(k.default),
      unit: k.unit,
      doc: k.doc,
      randomized: k.randomize !== undefined,
      bounds: typeof k.default === 'number' ? boundsText(knobBounds(k)) : '',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  io.stdout(renderKnobList(entries, colorEnabled(io.env, io.isTTY)));
  return 0;
}
