// The workload registry: the workloads a run can use (built-ins, then plugins), looked up by the spec's
// `testName`, and the validation of a `[[test.workload]]`'s options against the workload's schema.
// A registry is an object built at start-up and passed explicitly; there is no global one.
import { BadInputError, didYouMean, InternalError, type SourceLocation } from '../core/errors.js';
import type { Located, SpecValue } from '../spec/types.js';
import type { WorkloadDefinition } from './contract.js';
import { type OptionSchema, type OptionSpec, optionMax } from './options.js';

/**
 * Keys FoundationDB accepts in every `[[test.workload]]` besides the workload's own options (reference
 * §1.7), with why faultline accepts them. `testName` is taken out by the spec parser.
 */
export const COMMON_WORKLOAD_KEYS: ReadonlyMap<string, string> = new Map([
  [
    'runSetup',
    'accepted in every workload by FoundationDB, which honours only the [[test]] runSetup; so does faultline',
  ],
  ['enableDD', 'data distribution is always on in faultline'],
]);

/** Typed option values of one workload instance, keyed by option name (schema order). */
export type ValidatedOptions = Readonly<Record<string, unknown>>;

/** Where a `[[test.workload]]` is written, for errors. */
export interface WorkloadSite {
  readonly file: string;
  /** Line of the `[[test.workload]]` header (used when an option has no line of its own). */
  readonly line?: number;
}

/** A workload definition of any schema. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds workloads of every schema
export type AnyWorkload = WorkloadDefinition<any>;

function show(v: SpecValue): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
}

/**
 * A number as FoundationDB reads one from a spec: a TOML number, or a string holding a number
 * (`'2500.0'`). Undefined when it is neither.
 */
function numberOf(v: SpecValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Items of a list option: a TOML array, or one comma-separated string (FoundationDB's form). */
function listItems(v: SpecValue): SpecValue[] | undefined {
  if (Array.isArray(v)) return [...v];
  if (typeof v === 'string') {
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (typeof v === 'number' || typeof v === 'boolean') return [v];
  return undefined;
}

/** Converts one raw value by its option spec; throws a located BadInputError when it does not fit. */
function convert(spec: OptionSpec, raw: SpecValue, where: SourceLocation, workload: string): unknown {
  const bad = (message: string, hint?: string) =>
    new BadInputError(`${message} (option of ${workload})`, where, hint);
  const bounded = (n: number): number => {
    if (spec.type !== 'number' && spec.type !== 'int') return n;
    const unit = spec.unit ? ` ${spec.unit}` : '';
    if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${spec.min}${unit}, got ${n}`);
    const max = optionMax(spec);
    if (n > max) throw bad(`must be at most ${max}${unit}, got ${n}`, `the default is ${spec.default}`);
    return n;
  };
  /** `s` when the option has no choices or `s` is one of them; else a BadInputError with a hint. */
  const chosen = (s: string): string => {
    if (spec.type !== 'string' && spec.type !== 'string[]') return s;
    if (spec.choices && !spec.choices.includes(s)) {
      const guess = didYouMean(s, spec.choices);
      throw bad(
        `'${s}' is not one of ${spec.choices.join(', ')}`,
        guess ? `did you mean '${guess}'?` : undefined,
      );
    }
    return s;
  };
  switch (spec.type) {
    case 'number': {
      const n = numberOf(raw);
      if (n === undefined) throw bad(`expected a number, got ${show(raw)}`, `e.g. ${spec.default}`);
      return bounded(n);
    }
    case 'int': {
      const n = numberOf(raw);
      if (n === undefined) throw bad(`expected a whole number, got ${show(raw)}`, `e.g. ${spec.default}`);
      // FoundationDB scans integers C-style: 2500.0 reads as 2500. A fraction is more likely a mistake.
      if (!Number.isInteger(n)) throw bad(`expected a whole number, got ${show(raw)}`);
      return bounded(n);
    }
    case 'boolean': {
      // FoundationDB compares booleans to the exact strings `true` and `false`.
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw bad(`expected true or false, got ${show(raw)}`);
    }
    case 'string': {
      let s: string;
      if (typeof raw === 'string') s = raw;
      else if (typeof raw === 'number' || typeof raw === 'boolean') s = String(raw);
      else if (Array.isArray(raw)) s = raw.map((x: SpecValue) => String(x)).join(',');
      else throw bad(`expected a string, got ${show(raw)}`);
      return chosen(s);
    }
    case 'string[]': {
      const items = listItems(raw);
      if (items === undefined) throw bad(`expected a list of strings, got ${show(raw)}`);
      return items.map((x) => {
        if (typeof x === 'object') throw bad(`expected a list of strings, got ${show(raw)}`);
        const s = String(x);
        return chosen(s);
      });
    }
    case 'number[]': {
      const items = listItems(raw);
      if (items === undefined) throw bad(`expected a list of numbers, got ${show(raw)}`);
      return items.map((x) => {
        const n = numberOf(x);
        if (n === undefined) throw bad(`expected a list of numbers, got ${show(raw)}`);
        return n;
      });
    }
  }
}

/** The workloads one plugin file provides, as the registry takes them. */
export interface PluginWorkloads {
  /** The file, as users should see it. */
  readonly file: string;
  readonly workloads: readonly AnyWorkload[];
}

/** The workloads a run can use, by `testName`. */
export class Registry {
  private readonly byName = new Map<string, AnyWorkload>();
  /** The plugin file of each plugin workload, by name (built-ins have none). */
  private readonly files = new Map<string, string>();

  /**
   * Builds a registry from the built-in definitions, then each plugin file's. Two workloads with one
   * name are a BadInputError naming both files (or the built-in), since a plugin may clash with either.
   */
  constructor(definitions: readonly AnyWorkload[], plugins: readonly PluginWorkloads[] = []) {
    for (const def of definitions) {
      if (typeof def?.name !== 'string' || def.name === '' || typeof def.create !== 'function') {
        throw new InternalError(`not a workload definition: ${String(def?.name)}`);
      }
      const other = this.byName.get(def.name);
      if (other !== undefined && other !== def) {
        throw new InternalError(`two built-in workloads are named '${def.name}'`);
      }
      this.byName.set(def.name, def);
    }
    for (const p of plugins) {
      for (const def of p.workloads) {
        const other = this.byName.get(def.name);
        if (other !== undefined) {
          const otherFile = this.files.get(def.name);
          throw new BadInputError(
            `workload '${def.name}' is defined twice: here and ${otherFile !== undefined ? `in ${otherFile}` : "by faultline's built-in workload of that name"}`,
            { file: p.file, key: 'name' },
            otherFile !== undefined
              ? `rename one of them, in ${p.file} or ${otherFile}`
              : 'rename the plugin workload',
          );
        }
        this.byName.set(def.name, def);
        this.files.set(def.name, p.file);
      }
    }
  }

  /** The plugin file that provides workload `name`; undefined for a built-in or an unknown name. */
  fileOf(name: string): string | undefined {
    return this.files.get(name);
  }

  /** The workload named `name`, or undefined. */
  get(name: string): AnyWorkload | undefined {
    return this.byName.get(name);
  }

  /** True when a workload named `name` is registered. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every registered name, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Every registered workload, sorted by name. */
  list(): AnyWorkload[] {
    return this.names().map((n) => this.byName.get(n)!);
  }

  /**
   * The workload named `name`. An unknown name is a BadInputError at `where` (key `testName`) with a
   * did-you-mean hint, as FoundationDB's "perhaps testName (X) is not a valid workload".
   */
  lookup(name: string, where: WorkloadSite): AnyWorkload {
    const def = this.byName.get(name);
    if (def) return def;
    const guess = didYouMean(name, this.byName.keys());
    throw new BadInputError(
      `unknown workload '${name}'`,
      { file: where.file, ...(where.line !== undefined ? { line: where.line } : {}), key: 'testName' },
      guess ? `did you mean '${guess}'?` : "run 'faultline list' to see the registered workloads",
    );
  }

  /**
   * The typed options of one `[[test.workload]]`: each schema default, overridden by the spec's value
   * converted as FoundationDB reads it (numbers and booleans may be written as strings; lists as
   * comma-separated strings), checked against bounds and choices. FoundationDB's common workload keys
   * are accepted. Any other key is a BadInputError naming file, line and key, with a did-you-mean hint
   * and the valid names (FoundationDB rejects options no workload consumed).
   */
  validateOptions(
    def: AnyWorkload,
    rawOptions: Readonly<Record<string, Located<SpecValue>>>,
    where: WorkloadSite,
  ): ValidatedOptions {
    const schema: OptionSchema = def.options;
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(schema)) out[name] = schema[name]!.default;
    for (const name of Object.keys(rawOptions).sort()) {
      const raw = rawOptions[name]!;
      const site: SourceLocation = { file: where.file, line: raw.line, key: name };
      const spec = Object.hasOwn(schema, name) ? schema[name] : undefined;
      if (spec === undefined) {
        if (COMMON_WORKLOAD_KEYS.has(name)) continue;
        const valid = Object.keys(schema).sort();
        const guess = didYouMean(name, [...valid, ...COMMON_WORKLOAD_KEYS.keys()]);
        const list = valid.length > 0 ? `valid options: ${valid.join(', ')}` : `${def.name} takes no options`;
        throw new BadInputError(
          `unknown option for workload ${def.name}`,
          site,
          guess ? `did you mean '${guess}'? ${list}` : list,
        );
      }
      out[name] = convert(spec, raw.value, site, def.name);
    }
    const problem = def.check?.(out);
    if (problem) {
      const line = rawOptions[problem.option]?.line ?? where.line;
      const site: SourceLocation = {
        file: where.file,
        ...(line !== undefined ? { line } : {}),
        key: problem.option,
      };
      throw new BadInputError(`${def.name}: ${problem.message}`, site, problem.hint);
    }
    return out;
  }
}
