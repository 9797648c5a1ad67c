// SelectorCorrectness builds its selectors with the API's named constructors where one fits, so a
// constructor that builds the wrong selector is caught by its arithmetic: here firstGreaterThan made like
// firstGreaterOrEqual (the module is replaced for this file only).
import { describe, expect, it, vi } from 'vitest';
import selectorCorrectness from '../../../workloads/selector-correctness.js';
import { failuresOfType, runWorkloadForTest } from '../../support/workload-harness.js';

vi.mock('../../../src/cluster/selectors.js', async (original) => ({
  ...(await original<typeof import('../../../src/cluster/selectors.js')>()),
  firstGreaterThan: (key: Uint8Array) => ({ key, orEqual: false, offset: 1 }),
}));

describe('SelectorCorrectness and the named selector constructors', () => {
  it('catches a firstGreaterThan that includes its key', async () => {
    const r = await runWorkloadForTest({
      workload: selectorCorrectness,
      options: { testDuration: 3, testReadYourWrites: false },
      seed: 1,
    });
    expect(r.checkResults).toEqual([false]);
    const f = failuresOfType(r, 'RanSelTestFailure');
    expect(f.some((e) => e.details.Reason === 'The getRange results did not match expected size')).toBe(true);
  });
});
