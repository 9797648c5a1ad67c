// Knobs: a registry of tunables with defaults, BUGGIFY-randomized values and overrides, all traced at start.
import { BadInputError, didYouMean, type SourceLocation } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { type FdbKnobSource, fdbKnobNames } from './fdb-knob-names.js';

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

/** An override naming a real FoundationDB knob that faultline does not model: accepted and ignored. */
export interface UnmodelledKnob {
  /** The name as the spec or command line wrote it. */
  readonly name: string;
  /** The FoundationDB source file that defines the knob. */
  readonly source: FdbKnobSource;
  readonly file?: string;
  readonly line?: number;
}

/** The warning text for an unmodelled FoundationDB knob (one per name, see {@link unmodelledKnobWarnings}). */
export function unmodelledKnobMessage(k: UnmodelledKnob): string {
  return `knob ${k.name.toLowerCase()} is a FoundationDB knob (${k.source}) that faultline does not model: ignored`;
}

/**
 * One warning per distinct unmodelled knob name (the first place it was set), in the order given, so a
 * knob set run-wide and again per test warns once.
 */
export function unmodelledKnobWarnings(
  knobs: readonly UnmodelledKnob[],
): { key: string; line: number; message: string }[] {
  const seen = new Set<string>();
  const out: { key: string; line: number; message: string }[] = [];
  for (const k of knobs) {
    const name = k.name.toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ key: k.name, line: k.line ?? 0, message: unmodelledKnobMessage(k) });
  }
  return out;
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

  /**
   * Applies overrides. A real FoundationDB knob faultline does not model is skipped and returned (the
   * caller warns); a name that is no knob at all is bad input with a did-you-mean suggestion drawn from
   * faultline's knobs and FoundationDB's.
   */
  override(overrides: readonly KnobOverride[]): UnmodelledKnob[] {
    const unmodelled: UnmodelledKnob[] = [];
    let fdb: ReadonlyMap<string, FdbKnobSource> | undefined;
    for (const o of overrides) {
      const key = o.name.toUpperCase();
      const def = this.defs.get(key);
      if (!def) {
        fdb ??= fdbKnobNames();
        const source = fdb.get(o.name.toLowerCase());
        if (source === undefined) throw unknownKnob(o, [...this.defs.keys()], fdb);
        unmodelled.push({
          name: o.name,
          source,
          ...(o.file !== undefined ? { file: o.file } : {}),
          ...(o.line !== undefined ? { line: o.line } : {}),
        });
        continue;
      }
      this.values.set(key, coerce(def, o));
      this.sources.set(key, 'override');
    }
    return unmodelled;
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

function unknownKnob(
  o: KnobOverride,
  modelled: readonly string[],
  fdb: ReadonlyMap<string, FdbKnobSource>,
): BadInputError {
  const lower = o.name.toLowerCase();
  const guess = didYouMean(lower, [...modelled.map((n) => n.toLowerCase()), ...fdb.keys()]);
  const modelledGuess = guess !== undefined && modelled.includes(guess.toUpperCase());
  return new BadInputError(
    `unknown knob '${o.name}'`,
    {
      file: o.file ?? '<command line>',
      ...(o.line !== undefined ? { line: o.line } : {}),
      key: o.name,
    },
    guess
      ? `did you mean '${modelledGuess ? guess.toUpperCase() : guess}'? 'faultline knobs' lists the knobs faultline models`
      : "it is neither a faultline knob nor a FoundationDB knob; run 'faultline knobs' to list knobs",
  );
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
