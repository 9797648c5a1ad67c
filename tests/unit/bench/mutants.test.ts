// The mutation harness's mutants stay current: each one's snippet occurs exactly once in today's
// source (a refactor that moves it makes the mutant stale, and this test says which to rewrite), the
// patched file still compiles, and the patch step refuses missing or ambiguous snippets.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyMutant, loadMutants, type Mutant } from '../../../bench/mutation/mutants.js';
import { transpile } from '../../../bench/mutation/transpile.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const mutants = loadMutants(ROOT);

describe('bench/mutation mutants', () => {
  it('has at least 30 mutants with distinct ids, all in src/cluster/', () => {
    expect(mutants.length).toBeGreaterThanOrEqual(30);
    expect(new Set(mutants.map((m) => m.id)).size).toBe(mutants.length);
    for (const m of mutants) {
      expect(m.file, m.id).toMatch(/^src\/cluster\/[\w-]+\.ts$/);
      expect(m.defect.length, m.id).toBeGreaterThan(10);
    }
  });

  for (const m of mutants) {
    it(`${m.id} applies to ${m.file} exactly once and compiles`, () => {
      const text = readFileSync(path.join(ROOT, m.file), 'utf8');
      const patched = applyMutant(m, text);
      expect(patched.ok ? '' : patched.reason, `${m.id} is stale`).toBe('');
      if (!patched.ok) return;
      expect(patched.text).not.toBe(text);
      expect(patched.text).toContain(m.replace);
      expect(() => transpile(patched.text, m.file)).not.toThrow();
    });
  }

  it('reports a missing or repeated snippet as stale instead of guessing', () => {
    const m: Mutant = { id: 't', file: 'x.ts', find: 'a < b', replace: 'a <= b', defect: 'a test mutant' };
    expect(applyMutant(m, 'if (a < b) f();')).toEqual({ ok: true, text: 'if (a <= b) f();' });
    expect(applyMutant(m, 'if (a > b) f();')).toEqual({ ok: false, reason: 'snippet not found' });
    expect(applyMutant(m, 'a < b; a < b;')).toEqual({ ok: false, reason: 'snippet found 2 times' });
    expect(applyMutant({ ...m, replace: m.find }, 'a < b').ok).toBe(false);
  });
});
