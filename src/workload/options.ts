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

/** Builders for option specs, so schemas read as a table. */
export const opt = {
  number: (o: Omit<NumberOption, 'type'>): NumberOption => ({ type: 'number', ...o }),
  int: (o: Omit<NumberOption, 'type'>): NumberOption => ({ type: 'int', ...o }),
  bool: (o: Omit<BooleanOption, 'type'>): BooleanOption => ({ type: 'boolean', ...o }),
  string: (o: Omit<StringOption, 'type'>): StringOption => ({ type: 'string', ...o }),
  strings: (o: Omit<StringListOption, 'type'>): StringListOption => ({ type: 'string[]', ...o }),
  numbers: (o: Omit<NumberListOption, 'type'>): NumberListOption => ({ type: 'number[]', ...o }),
};
