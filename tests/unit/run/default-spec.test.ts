// The built-in default spec: the post's CycleWithAttrition, with chaos workloads only when registered.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_TEXT, defaultSpec } from '../../../src/run/default-spec.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { defineWorkload } from '../../../src/workload/contract.js';
import { Registry } from '../../../src/workload/registry.js';

const stub = (name: string, kind: 'application' | 'chaos') =>
  defineWorkload({ name, description: name, kind, options: {}, create: () => ({}) });

describe('defaultSpec', () => {
  it('is CycleWithAttrition: Cycle at 2500 tps for 30 s under three chaos workloads, BUGGIFY, triple', () => {
    const spec = parseSpec(DEFAULT_SPEC_TEXT, '<default>');
    expect(spec.configuration.buggify?.value).toBe(true);
    expect(spec.configuration.minimumReplication?.value).toBe(3);
    expect(spec.tests).toHaveLength(1);
    const t = spec.tests[0]!;
    expect(t.testTitle).toBe('CycleWithAttrition');
    expect(t.workloads.map((w) => w.testName)).toEqual(['Cycle', 'RandomClogging', 'Attrition', 'Rollback']);
    expect(t.workloads[0]!.options.transactionsPerSecond?.value).toBe(2500);
    for (const w of t.workloads) expect(w.options.testDuration?.value).toBe(30);
  });

  it('leaves out chaos workloads that are not registered, and says so', () => {
    const d = defaultSpec(new Registry([stub('Cycle', 'application'), stub('Attrition', 'chaos')]));
    expect(d.spec.tests[0]!.workloads.map((w) => w.testName)).toEqual(['Cycle', 'Attrition']);
    expect(d.notes).toEqual([
      'the default spec runs without RandomClogging: no workload of that name is registered in this build',
      'the default spec runs without Rollback: no workload of that name is registered in this build',
    ]);
    const all = defaultSpec(
      new Registry(['Cycle', 'RandomClogging', 'Attrition', 'Rollback'].map((n) => stub(n, 'chaos'))),
    );
    expect(all.notes).toEqual([]);
    expect(all.text).toBe(DEFAULT_SPEC_TEXT);
  });
});
