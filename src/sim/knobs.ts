// Knobs: a registry of tunables with defaults, BUGGIFY-randomized values and overrides, all traced at start.
import { BadInputError, didYouMean, type SourceLocation } from '../core/errors.js';
import type { Random } from '../core/random.js';

/** A knob value. */
export type KnobValue = number | boolean | string;

/** A knob's definition. */
export interface KnobDef<T extends KnobValue = KnobValue> {
  /** FoundationDB-style upper-case name, e.g. `MAX_READ_TRANSACTION_LIFE_VERSIONS`. */
  readonly name: string;
  readonly default: T;
  /** Unit, for docs (`s`, `versions`, `bytes`, `count`, ...). */
  readonly unit: string;
  readonly doc: string;
  /** A randomized value, drawn when BUGGIFY is on (and the knob's coin comes up). */
  readonly randomize?: (random: Random) => T;
  /** Randomized even without BUGGIFY (FoundationDB does this for the transaction lifetime). */
  readonly alwaysRandomize?: boolean;
  /** Smallest value an override may set (numeric knobs). Default: by unit, see {@link knobBounds}. */
  readonly min?: number;
  /** Largest value an override may set (numeric knobs). Default: by unit, see {@link knobBounds}. */
  readonly max?: number;
}

/** The values an override of a numeric knob may take. */
export interface KnobBounds {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/**
 * Bounds that keep a simulation finite, by unit unless the knob sets its own: a time is at least one
 * microsecond (the clock's resolution; an interval of 0 would let a loop spin at one instant forever)
 * and at most an hour; counts (`versions`, `batches`, `shards`, ...) are whole numbers of at least 1,
 * at most 10,000 (shards and batches hold memory) or 10^12 versions.
 */
export function knobBounds(def: KnobDef): KnobBounds {
  const byUnit: KnobBounds =
    def.unit === 's'
      ? { min: 1e-6, max: 3600, integer: false }
      : def.unit === 'versions'
        ? { min: 1, max: 1e12, integer: true }
        : { min: 1, max: 10_000, integer: true };
  return { min: def.min ?? byUnit.min, max: def.max ?? byUnit.max, integer: byUnit.integer };
}

/** Where a knob's value came from. */
export type KnobSource = 'default' | 'randomized' | 'override';

/** An override from a spec or the command line, with where it came from (for error messages). */
export interface KnobOverride {
  readonly name: string;
  readonly value: KnobValue;
  readonly file?: string;
  readonly line?: number;
}

/** The knob values of one run: defaults, randomized under BUGGIFY, then overrides. */
export class Knobs {
  private readonly values = new Map<string, KnobValue>();
  private readonly sources = new Map<string, KnobSource>();
  private readonly defs = new Map<string, KnobDef>();

  constructor(defs: readonly KnobDef[], buggify: boolean, random: Random) {
    for (const d of defs) {
      if (this.defs.has(d.name)) throw new Error(`knob ${d.name} defined twice`);
      this.defs.set(d.name, d);
      const r = random.fork(`knob:${d.name}`);
      if (d.randomize && (d.alwaysRandomize || (buggify && r.chance(0.25)))) {
        this.values.set(d.name, d.randomize(r));
        this.sources.set(d.name, 'randomized');
      } else {
        this.values.set(d.name, d.default);
        this.sources.set(d.name, 'default');
      }
    }
  }

  /** Applies overrides; unknown knob names are bad input with a did-you-mean suggestion. */
  override(overrides: readonly KnobOverride[]): void {
    for (const o of overrides) {
      const key = o.name.toUpperCase();
      const def = this.defs.get(key);
      if (!def) {
        const guess = didYouMean(key, this.defs.keys());
        throw new BadInputError(
          `unknown knob '${o.name}'`,
          {
            file: o.file ?? '<command line>',
            ...(o.line !== undefined ? { line: o.line } : {}),
            key: o.name,
          },
          guess
            ? `did you mean '${guess}'? 'faultline knobs' lists them`
            : "run 'faultline knobs' to list knobs",
        );
      }
      this.values.set(key, coerce(def, o));
      this.sources.set(key, 'override');
    }
  }

  /** A numeric knob's value. */
  num(name: string): number {
    const v = this.values.get(name);
    if (typeof v !== 'number') throw new Error(`knob ${name} is not a registered number knob`);
    return v;
  }

  /** A boolean knob's value. */
  bool(name: string): boolean {
    const v = this.values.get(name);
    if (typeof v !== 'boolean') throw new Error(`knob ${name} is not a registered boolean knob`);
    return v;
  }

  /** Every knob with its value and source, sorted by name (for the start-of-run trace). */
  entries(): { name: string; value: KnobValue; source: KnobSource }[] {
    return [...this.values.keys()].sort().map((name) => ({
      name,
      value: this.values.get(name)!,
      source: this.sources.get(name)!,
    }));
  }
}

function coerce(def: KnobDef, o: KnobOverride): KnobValue {
  const v = o.value;
  const where = {
    file: o.file ?? '<command line>',
    ...(o.line !== undefined ? { line: o.line } : {}),
    key: o.name,
  };
  if (typeof def.default === 'number') return coerceNumber(def, v, where);
  if (typeof def.default === 'boolean') {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1' || v === 1) return true;
    if (v === 'false' || v === '0' || v === 0) return false;
    throw new BadInputError(`knob ${def.name} takes true or false, got '${String(v)}'`, where);
  }
  return String(v);
}

function coerceNumber(def: KnobDef, v: KnobValue, where: SourceLocation): number {
  const n = typeof v === 'number' ? v : Number(v);
  const blank = typeof v === 'string' && v.trim() === '';
  if (typeof v === 'boolean' || blank || Number.isNaN(n)) {
    throw new BadInputError(
      `knob ${def.name} takes a number, got ${blank ? 'an empty value' : `'${String(v)}'`}`,
      where,
      `e.g. ${def.name}=${def.default}`,
    );
  }
  const b = knobBounds(def);
  if (!(n >= b.min && n <= b.max) || (b.integer && !Number.isInteger(n))) {
    throw new BadInputError(
      `knob ${def.name} must be ${b.integer ? 'a whole number ' : ''}from ${b.min} to ${b.max} ${def.unit}, got ${String(v)}`,
      where,
      `the default is ${def.default}`,
    );
  }
  return n;
}
