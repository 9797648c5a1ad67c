// Seeded PRNG streams forked by label. The only file that imports seedrandom.
import seedrandom from 'seedrandom';
import { fnv1a64 } from './hash.js';

/**
 * A deterministic random stream. Forks are derived from the root seed and a label, never from draws,
 * so adding draws in one subsystem does not shift any other stream.
 */
export class Random {
  private readonly gen: () => number;
  /** The seed material this stream was built from (root seed plus fork labels). */
  readonly seedLabel: string;

  constructor(seed: number | string) {
    this.seedLabel = String(seed);
    this.gen = seedrandom.alea(this.seedLabel);
  }

  /**
   * A new independent stream for `label`, derived from this stream's seed (not its state). Labels are
   * joined with `/`; a `/` or `%` inside a label is escaped first, so every chain of forks has its own
   * seed material: `fork('a/b')` and `fork('a').fork('b')` are different streams.
   */
  fork(label: string): Random {
    return new Random(`${this.seedLabel}/${escapeLabel(label)}`);
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
}

/** `label` with `%` and `/` percent-encoded (labels without them, every label faultline uses, are unchanged). */
function escapeLabel(label: string): string {
  return label.replace(/%/g, '%25').replace(/\//g, '%2F');
}

/** A 32-bit seed derived from a label, for callers that need an integer (e.g. per-test sharedRandomNumber). */
export function seedFromLabel(label: string): number {
  return Number(fnv1a64(label) & 0x7fffffffn);
}
