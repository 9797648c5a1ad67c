// Option schemas: every workload option declared once with type, default, bounds, unit and doc line.
// Values arrive from TOML (numbers may be written as strings, as FoundationDB accepts them).

interface OptionBase<T> {
  readonly default: T;
  readonly doc: string;
  /** Unit shown in docs: `s`, `tps`, `keys`, `bytes`, ... */
  readonly unit?: string;
}

export interface NumberOption extends OptionBase<number> {
  readonly type: 'number' | 'int';
  readonly min?: number;
  readonly max?: number;
}
export interface BooleanOption extends OptionBase<boolean> {
  readonly type: 'boolean';
}
export interface StringOption extends OptionBase<string> {
  readonly type: 'string';
  /** When present, the value must be one of these. */
  readonly choices?: readonly string[];
}
export interface StringListOption extends OptionBase<readonly string[]> {
  readonly type: 'string[]';
  /** When present, every item must be one of these. */
  readonly choices?: readonly string[];
}
export interface NumberListOption extends OptionBase<readonly number[]> {
  readonly type: 'number[]';
}

export type OptionSpec = NumberOption | BooleanOption | StringOption | StringListOption | NumberListOption;

/** A workload's options by name (FoundationDB's option names: `testDuration`, `transactionsPerSecond`...). */
export type OptionSchema = Readonly<Record<string, OptionSpec>>;

/** The typed values of a schema. */
export type OptionValues<S extends OptionSchema> = { readonly [K in keyof S]: S[K]['default'] };

/**
 * Upper bounds by unit for number options that declare no `max`, so that no spec value can make a run
 * endless or its memory unbounded: a rate of 1e12 transactions a second, a million actors per client or
 * a billion keys are rejected before the run starts, not found out by a V8 heap abort minutes later.
 */
const MAX_BY_UNIT: Readonly<Record<string, number>> = {
  s: 1_000_000,
  tps: 100_000,
  'keys/s': 100_000,
  actors: 10_000,
  keys: 1_000_000,
  key: 1_000_000,
  bytes: 10_000_000,
  operations: 100_000,
  ops: 100_000,
  reads: 100_000,
  writes: 100_000,
  ranges: 100_000,
  units: 1_000_000,
  recoveries: 100_000,
  processes: 1_000,
  workers: 1_000,
  zones: 1_000,
  factor: 1_000,
};

/** Any number option's upper bound when neither it nor its unit has one. */
const MAX_ANY = 1e9;

/**
 * The largest value a number option accepts: its own `max`, else its unit's, else 1e9; never below its
 * default (FoundationDB writes "no limit" as a huge default, e.g. ReadWrite's maxInsertRate of 1e12).
 */
export function optionMax(spec: NumberOption): number {
  const byUnit = (spec.unit !== undefined ? MAX_BY_UNIT[spec.unit] : undefined) ?? MAX_ANY;
  return spec.max ?? Math.max(byUnit, spec.default);
}

/** Builders for option specs, so schemas read as a table. */
export const opt = {
  number: (o: Omit<NumberOption, 'type'>): NumberOption => ({ type: 'number', ...o }),
  int: (o: Omit<NumberOption, 'type'>): NumberOption => ({ type: 'int', ...o }),
  bool: (o: Omit<BooleanOption, 'type'>): BooleanOption => ({ type: 'boolean', ...o }),
  string: (o: Omit<StringOption, 'type'>): StringOption => ({ type: 'string', ...o }),
  strings: (o: Omit<StringListOption, 'type'>): StringListOption => ({ type: 'string[]', ...o }),
  numbers: (o: Omit<NumberListOption, 'type'>): NumberListOption => ({ type: 'number[]', ...o }),
};
