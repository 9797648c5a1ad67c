// Seeded PRNG streams forked by label, and the run's fingerprint over all of them. The only file that
// imports seedrandom.
import seedrandom from 'seedrandom';
import { fnv1a64, RollingHash } from './hash.js';

/** One stream of a family: its seed material and how many numbers it has drawn. */
interface StreamRecord {
  readonly label: string;
  draws: number;
}

/**
 * A deterministic random stream. Forks are derived from the root seed and a label, never from draws,
 * so adding draws in one subsystem does not shift any other stream.
 */
export class Random {
  private readonly gen: () => number;
  /** The seed material this stream was built from (root seed plus fork labels). */
  readonly seedLabel: string;
  /** Every stream of this family (the root and all its forks), in creation order; shared by all of them. */
  private readonly family: StreamRecord[];

  /** A root stream from `seed` (a new family). */
  constructor(seed: number | string, family?: StreamRecord[]) {
    this.seedLabel = String(seed);
    this.family = family ?? [];
    const record: StreamRecord = { label: this.seedLabel, draws: 0 };
    this.family.push(record);
    const alea = seedrandom.alea(this.seedLabel);
    this.gen = () => {
      record.draws++;
      return alea();
    };
  }

  /**
   * A new independent stream for `label`, derived from this stream's seed (not its state). Labels are
   * joined with `/`; a `/` or `%` inside a label is escaped first, so every chain of forks has its own
   * seed material: `fork('a/b')` and `fork('a').fork('b')` are different streams.
   */
  fork(label: string): Random {
    return new Random(`${this.seedLabel}/${escapeLabel(label)}`, this.family);
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.gen();
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.gen();
  }

  /** Uniform integer in [lo, hi) (hi exclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo) * this.gen());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.gen() < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[Math.floor(this.gen() * items.length)] as T;
  }

  /** A new array with the items in a uniformly random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const a = items.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.gen() * (i + 1));
      const t = a[i] as T;
      a[i] = a[j] as T;
      a[j] = t;
    }
    return a;
  }

  /** Exponentially distributed float with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number {
    return -Math.log(1 - this.gen()) * mean;
  }

  /** A 16-hex-digit id, as FoundationDB's UIDs print. */
  uid(): string {
    const a = Math.floor(this.gen() * 0x100000000);
    const b = Math.floor(this.gen() * 0x100000000);
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }

  /** Integer in [0, 100000], FoundationDB's `RandomUnseed` fingerprint range. */
  unseed(): number {
    return Math.floor(this.gen() * 100001);
  }

  /**
   * The family's fingerprint: one more draw from this stream (as FoundationDB's unseed), mixed with every
   * stream of the family (root and forks, in creation order: label and draw count, which fix its state)
   * and with `extra` (e.g. the trace hash). Two runs that drew differently anywhere disagree. An integer
   * in [0, 100000].
   */
  familyUnseed(extra = ''): number {
    const hash = new RollingHash();
    hash.update(String(this.unseed()));
    hash.update(extra);
    for (const r of this.family) hash.update(`${r.label}#${r.draws}`);
    return Number(BigInt(`0x${hash.digest()}`) % 100001n);
  }
}

/** `label` with `%` and `/` percent-encoded (labels without them, every label faultline uses, are unchanged). */
function escapeLabel(label: string): string {
  return label.replace(/%/g, '%25').replace(/\//g, '%2F');
}

/** A 32-bit seed derived from a label, for callers that need an integer (e.g. per-test sharedRandomNumber). */
export function seedFromLabel(label: string): number {
  return Number(fnv1a64(label) & 0x7fffffffn);
}
