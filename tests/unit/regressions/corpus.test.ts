// The regression corpus: every spec in tests/regressions/ with the seeds that once found a bug in it
// (its `# seeds:` line) must pass on each of those seeds, exactly as `faultline run <spec> --seed N`.
// A spec's header says which bug it found and what fixed it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain, runSpecFile } from '../chaos/chaos-run.js';

const DIR = 'tests/regressions';

/** The seeds a corpus spec names on its `# seeds: 1, 2, 3` line. */
function corpusSeeds(text: string, file: string): number[] {
  const line = text.split('\n').find((l) => /^#\s*seeds:/.test(l));
  const seeds = (line?.replace(/^#\s*seeds:/, '') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new Error(`${file}: needs a '# seeds: N, M' line naming the seeds that found its bug`);
  return seeds;
}

const specs = readdirSync(DIR)
  .filter((f) => f.endsWith('.toml'))
  .sort();

describe('regression corpus', () => {
  it('holds specs, each naming its seeds', () => {
    expect(specs.length).toBeGreaterThan(0);
    for (const f of specs)
      expect(corpusSeeds(readFileSync(`${DIR}/${f}`, 'utf8'), f).length).toBeGreaterThan(0);
  });

  for (const f of specs) {
    for (const seed of corpusSeeds(readFileSync(`${DIR}/${f}`, 'utf8'), f)) {
      it(`${f} passes with seed ${seed}`, async () => {
        const { result } = await runSpecFile(`${DIR}/${f}`, seed);
        expect(result.outcome, explain(result)).toBe('passed');
      }, 300_000);
    }
  }
});
