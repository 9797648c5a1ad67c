// The built-in default spec that `faultline run` runs without a SPEC: the CycleWithAttrition test of
// "Diving into FoundationDB's simulation framework" (reference/posts): Cycle at 2500 tps for 30 s under
// RandomClogging, Attrition and Rollback, with BUGGIFY on and at least triple replication.
import { parseSpec } from '../spec/parse.js';
import type { TestSpec } from '../spec/types.js';
import type { Registry } from '../workload/registry.js';

/** The name the default spec goes by in errors, traces and the report. */
export const DEFAULT_SPEC_NAME = '<default>';

/** The chaos workloads of the default spec, in the post's order. */
export const DEFAULT_SPEC_CHAOS: readonly string[] = ['RandomClogging', 'Attrition', 'Rollback'];

const HEADER = `# faultline's built-in default: CycleWithAttrition, from "Diving into FoundationDB's simulation framework".
[configuration]
buggify = true
minimumReplication = 3

[[test]]
testTitle = 'CycleWithAttrition'

    [[test.workload]]
    testName = 'Cycle'
    testDuration = 30.0
    transactionsPerSecond = 2500.0
`;

function chaosBlock(name: string): string {
  return `
    [[test.workload]]
    testName = '${name}'
    testDuration = 30.0
`;
}

/** The default spec's full text, with every chaos workload. */
export const DEFAULT_SPEC_TEXT: string = HEADER + DEFAULT_SPEC_CHAOS.map(chaosBlock).join('');

/** The default spec as this build can run it. */
export interface DefaultSpec {
  readonly spec: TestSpec;
  /** The text it was parsed from. */
  readonly text: string;
  /** What was left out and why (shown in the report). */
  readonly notes: readonly string[];
}

/**
 * The default spec, keeping only the chaos workloads `registry` has: a build without one of them
 * still runs the default, and the report says which were left out.
 */
export function defaultSpec(registry: Registry): DefaultSpec {
  const present = DEFAULT_SPEC_CHAOS.filter((n) => registry.has(n));
  const missing = DEFAULT_SPEC_CHAOS.filter((n) => !registry.has(n));
  const text = HEADER + present.map(chaosBlock).join('');
  const notes = missing.map(
    (n) => `the default spec runs without ${n}: no workload of that name is registered in this build`,
  );
  return { spec: parseSpec(text, DEFAULT_SPEC_NAME), text, notes };
}
