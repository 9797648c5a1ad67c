// `--buggify random`: whether BUGGIFY is on for a seed, decided by the seed alone so that the same seed
// always makes the same choice (and the reproduce command can name it).
import { Random } from '../core/random.js';

/** FoundationDB's harness odds of BUGGIFY being on in a randomized run. */
export const BUGGIFY_RANDOM_ON_PROBABILITY = 0.8;

/** True when a `random` BUGGIFY choice comes out on for `seed` (80 % of seeds). */
export function buggifyForSeed(seed: number): boolean {
  return new Random(seed).fork('buggify-choice').chance(BUGGIFY_RANDOM_ON_PROBABILITY);
}
