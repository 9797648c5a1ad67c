// Checking that a value a plugin exports is a workload definition: plugins are untrusted input, so every
// field defineWorkload's types promise is checked at run time, and each problem names the field and says
// how to fix it.
import { BadInputError, type SourceLocation } from '../core/errors.js';
import type { AnyWorkload } from './registry.js';

const OPTION_TYPES = ['number', 'int', 'boolean', 'string', 'string[]', 'number[]'] as const;
const KINDS = ['application', 'chaos'] as const;

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a value that means to be a workload: an object with a `create` and a `name` or `kind`. */
export function looksLikeWorkload(v: unknown): boolean {
  return isObject(v) && 'create' in v && ('name' in v || 'kind' in v);
}

/** What is wrong with a default value of an option of `type`, or undefined. */
function defaultProblem(type: string, d: unknown): string | undefined {
  switch (type) {
    case 'number':
      return typeof d === 'number' && Number.isFinite(d) ? undefined : 'a finite number';
    case 'int':
      return Number.isInteger(d) ? undefined : 'a whole number';
    case 'boolean':
      return typeof d === 'boolean' ? undefined : 'true or false';
    case 'string':
      return typeof d === 'string' ? undefined : 'a string';
    case 'string[]':
      return Array.isArray(d) && d.every((x) => typeof x === 'string') ? undefined : 'an array of strings';
    default:
      return Array.isArray(d) && d.every((x) => typeof x === 'number') ? undefined : 'an array of numbers';
  }
}

/** Checks one option spec; throws a BadInputError naming the option. */
function checkOption(name: string, o: unknown, at: SourceLocation): void {
  const bad = (msg: string, hint?: string) =>
    new BadInputError(`invalid option schema: option '${name}' ${msg}`, at, hint);
  if (!isObject(o))
    throw bad('is not an option spec', "declare it with opt, e.g. opt.int({ default: 10, doc: '...' })");
  const type = o.type;
  if (typeof type !== 'string' || !(OPTION_TYPES as readonly string[]).includes(type)) {
    throw bad(
      `has type ${JSON.stringify(type)}`,
      `use one of ${OPTION_TYPES.join(', ')} (or the opt builders)`,
    );
  }
  if (typeof o.doc !== 'string' || o.doc.trim() === '')
    throw bad('has no doc line', "add doc: 'what it does, with its unit'");
  const want = defaultProblem(type, o.default);
  if (want !== undefined) throw bad(`has default ${JSON.stringify(o.default)}, which is not ${want}`);
  for (const b of ['min', 'max'] as const) {
    if (o[b] !== undefined && (typeof o[b] !== 'number' || !Number.isFinite(o[b])))
      throw bad(`has a ${b} that is not a number`);
  }
  const d = o.default as number;
  if (typeof o.min === 'number' && d < o.min) throw bad(`has default ${d} below its min ${o.min}`);
  if (typeof o.max === 'number' && d > o.max) throw bad(`has default ${d} above its max ${o.max}`);
  if (o.choices !== undefined) {
    if (!Array.isArray(o.choices) || !o.choices.every((c) => typeof c === 'string')) {
      throw bad('has choices that are not an array of strings');
    }
    const values = type === 'string' ? [o.default] : type === 'string[]' ? (o.default as unknown[]) : [];
    const off = values.find((v) => !(o.choices as unknown[]).includes(v));
    if (off !== undefined) throw bad(`has default '${String(off)}', which is not one of its choices`);
  }
}

/**
 * `value` as a workload definition, or a BadInputError at `at` (the plugin file and the export) saying
 * which field is missing or wrong: name, description, kind, the option schema, create.
 */
export function checkWorkloadShape(value: unknown, at: SourceLocation): AnyWorkload {
  const hint = 'export the result of defineWorkload({ name, description, kind, options, create })';
  if (!isObject(value)) {
    const what = typeof value === 'function' ? 'a function' : value === null ? 'null' : typeof value;
    throw new BadInputError(`is ${what}, not a workload definition`, at, hint);
  }
  if (typeof value.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value.name)) {
    throw new BadInputError(
      `a workload's name must be a word (the spec's testName), got ${JSON.stringify(value.name)}`,
      at,
      "e.g. name: 'BankTransfer'",
    );
  }
  const named = { ...at, key: `${at.key ?? 'workload'} (${value.name})` };
  if (typeof value.description !== 'string' || value.description.trim() === '') {
    throw new BadInputError(
      'has no description',
      named,
      "add description: 'one line: what it does and checks'",
    );
  }
  if (!(KINDS as readonly unknown[]).includes(value.kind)) {
    throw new BadInputError(
      `has kind ${JSON.stringify(value.kind)}`,
      named,
      "kind is 'application' or 'chaos'",
    );
  }
  if (!isObject(value.options)) {
    throw new BadInputError(
      'invalid option schema: options must be an object of option specs',
      named,
      'write options: {} when it takes none',
    );
  }
  for (const name of Object.keys(value.options)) checkOption(name, value.options[name], named);
  if (typeof value.create !== 'function') {
    throw new BadInputError(
      'has no create function',
      named,
      'add create(ctx) { return { start: async () => {...} }; }',
    );
  }
  if (value.vetoesFailureInjection !== undefined && typeof value.vetoesFailureInjection !== 'boolean') {
    throw new BadInputError('vetoesFailureInjection must be true or false', named);
  }
  return value as unknown as AnyWorkload;
}
