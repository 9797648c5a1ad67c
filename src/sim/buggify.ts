// BUGGIFY: named fault sites that, when enabled for a run, are activated with 25% probability the first
// time they are evaluated, and then fire with their own probability (25% by default) each time.
import type { Random } from '../core/random.js';

/** Whether BUGGIFY is on for a run. */
export type BuggifyMode = 'on' | 'off';

/** An activated-or-not decision for a site, reported once per run (FoundationDB's BuggifySection). */
export interface BuggifySiteDecision {
  readonly site: string;
  readonly activated: boolean;
}

/**
 * The BUGGIFY registry of one run. Activation of a site is derived from the run seed and the site's
 * name, so it does not depend on the order in which sites are first reached.
 */
export class Buggify {
  private readonly activation = new Map<string, boolean>();
  private readonly fireRandom: Random;
  /** Probability a site is activated on first evaluation. */
  static readonly ACTIVATION_PROBABILITY = 0.25;
  /** Default probability an activated site fires. */
  static readonly FIRE_PROBABILITY = 0.25;

  constructor(
    readonly enabled: boolean,
    private readonly random: Random,
    private readonly onDecision: (d: BuggifySiteDecision) => void,
    /** Speed-up mode (set by the world): BUGGIFY keeps firing, but callers may consult it. */
  ) {
    this.fireRandom = random.fork('fire');
  }

  /** True when the site is active and fires now. `site` names the code location, e.g. `commitProxy.batchDelay`. */
  fires(site: string, probability = Buggify.FIRE_PROBABILITY): boolean {
    if (!this.enabled) return false;
    let active = this.activation.get(site);
    if (active === undefined) {
      active = this.random.fork(`site:${site}`).chance(Buggify.ACTIVATION_PROBABILITY);
      this.activation.set(site, active);
      this.onDecision({ site, activated: active });
    }
    return active && this.fireRandom.chance(probability);
  }

  /** Whether a site is active (evaluating it if it was never reached). */
  isActive(site: string): boolean {
    if (!this.enabled) return false;
    this.fires(site, 0);
    return this.activation.get(site) === true;
  }

  /** Sites decided so far, sorted by name. */
  decisions(): BuggifySiteDecision[] {
    return [...this.activation.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([site, activated]) => ({ site, activated }));
  }
}
