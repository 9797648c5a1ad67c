// Automatic failure injection, as FoundationDB's CompoundWorkload::addFailureInjection does it (reference
// §1.8 step 2): unless a test opts out or one of its workloads vetoes it, chaos workloads are added on top
// of the ones the spec declares, each candidate with its own probability and with randomized options.
// This module decides what is added; the run's TestRun instantiates and traces it.
import { BadInputError, didYouMean } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { SpecTest, SpecValue } from '../spec/types.js';
import type { AnyWorkload, Registry } from '../workload/registry.js';
import type { AddedWorkload, FailureInjectionResult } from './result.js';

/**
 * One of FoundationDB's failure injectors (a `FailureInjectorFactory`): the workload it adds, found by
 * name in the registry, its `shouldInject` rule and its `initFailureInjectionMode` option draws.
 */
export interface FailureInjector {
  /** The workload's `testName`. */
  readonly name: string;
  /** FoundationDB's probability rule as text (e.g. `0.25/(1+k)`; k = instances already present). */
  readonly rule: string;
  /**
   * FoundationDB's `shouldInject`: whether to add one more instance when `present` instances of this
   * workload are already in the test (declared in the spec or added before). Draws from `random`
   * exactly as FoundationDB does (no draw where it short-circuits).
   */
  shouldInject(random: Random, present: number): boolean;
  /**
   * FoundationDB's `initFailureInjectionMode`: the options of one added instance, drawn from `random`
   * in FoundationDB's order. Every other option keeps the workload's default, as FoundationDB builds
   * an injected workload with no options (`NoOptions`). Mirrors the `injectedOptions` each workload
   * module exports (a unit test holds them equal).
   */
  injectedOptions(random: Random): Readonly<Record<string, SpecValue>>;
}

/**
 * Most instances of one injector a test can get. FoundationDB has no limit, but its odds shrink with
 * every instance (at most 0.25/(1+k)), so 32 is never reached in practice; it is here because every loop
 * has a limit.
 */
export const MAX_INSTANCES_PER_INJECTOR = 32;

/** FoundationDB's default `FailureInjectionWorkload::shouldInject`: `k < 3` and `0.1/(1+k)`. */
function genericShouldInject(random: Random, present: number): boolean {
  return present < 3 && 0.1 / (1 + present) > random.next();
}

/**
 * The failure injectors faultline has, in FoundationDB's order (reference §1.8 step 2). FoundationDB's
 * RandomMoveKeys and RandomRangeLock have no faultline workload and are not candidates.
 */
export const FAILURE_INJECTORS: readonly FailureInjector[] = [
  {
    // RandomClogging.actor.cpp: `0.25 / (1 + alreadyAdded) > random01()`, no cap.
    name: 'RandomClogging',
    rule: '0.25/(1+k)',
    shouldInject: (random, present) => 0.25 / (1 + present) > random.next(),
    // Reference §2.9, injected mode: scale and clogginess in [0.1, 1), swizzle 30%, iterate 50%.
    injectedOptions: (random) => ({
      scale: Math.max(random.next(), 0.1),
      clogginess: Math.max(random.next(), 0.1),
      swizzle: random.chance(0.3) ? 1 : 0,
      iterate: random.chance(0.5),
    }),
  },
  {
    // MachineAttrition.actor.cpp: `random01() < 1.0 / (2.0 + alreadyAdded)`, no cap.
    name: 'Attrition',
    rule: '1/(2+k)',
    shouldInject: (random, present) => random.next() < 1 / (2 + present),
    // Reference §2.10, injected mode: default parameters (its randomizing helper is never called),
    // iterating with a first pause of 10 s. killDc and replacement are plain false without options.
    injectedOptions: () => ({ suspendDuration: 10, iterate: true, killDc: 'false', replacement: 'false' }),
  },
  {
    name: 'Rollback',
    rule: '0.1/(1+k), k<3',
    shouldInject: genericShouldInject,
    // Reference §2.11, injected mode: multiple 50% (a coin flip), enableFailures 20%.
    injectedOptions: (random) => ({ multiple: random.chance(0.5), enableFailures: random.chance(0.2) }),
  },
  {
    name: 'DiskFailureInjection',
    rule: '0.1/(1+k), k<3',
    shouldInject: genericShouldInject,
    // FoundationDB's initFailureInjectionMode only enables client 0: every option is its default.
    injectedOptions: () => ({}),
  },
];

/**
 * Every failure injector FoundationDB has (reference §1.8 step 2), faultline's or not: names a spec may
 * list in `disabledFailureInjectionWorkloads`.
 */
export const FDB_FAILURE_INJECTOR_NAMES: readonly string[] = [
  'RandomClogging',
  'Attrition',
  'Rollback',
  'DiskFailureInjection',
  'RandomMoveKeys',
  'RandomRangeLock',
];

/**
 * Injectors a declared workload vetoes by name (FoundationDB's `disableFailureInjectionWorkloads`):
 * DiskFailureInjection vetoes Attrition. (ConflictRange and Watches veto RandomRangeLock, which faultline
 * does not have.) A veto of every injector is the workload definition's `vetoesFailureInjection`.
 */
export const FAILURE_INJECTION_VETOES: ReadonlyMap<string, readonly string[]> = new Map([
  ['DiskFailureInjection', ['Attrition']],
]);

/** The PRNG stream label of test `testIndex`'s injection draws (forked from the run's root stream). */
export function failureInjectionStreamLabel(testIndex: number): string {
  return `failureInjection:${testIndex}`;
}

/** One workload failure injection adds: its definition and the options drawn for it. */
export interface InjectedWorkload {
  readonly def: AnyWorkload;
  /** The drawn options, as a spec would give them (validated against the schema by the caller). */
  readonly options: Readonly<Record<string, SpecValue>>;
}

/** What failure injection decided for one test. */
export interface FailureInjectionPlan {
  /** The workloads to add, in the order FoundationDB adds them. */
  readonly workloads: readonly InjectedWorkload[];
  /** The same, as plain data for the RunResult. */
  readonly result: FailureInjectionResult;
}

/**
 * The drawn options the registered workload declares, by name in sorted order. A workload registered
 * under an injector's name whose schema lacks one of them (a plugin's own Attrition, say) keeps its
 * default for it, as FoundationDB's injectors set fields, not spec options.
 */
function schemaOptions(
  def: AnyWorkload,
  drawn: Readonly<Record<string, SpecValue>>,
): Record<string, SpecValue> {
  const out: Record<string, SpecValue> = {};
  for (const k of Object.keys(drawn).sort()) {
    if (Object.hasOwn(def.options, k)) out[k] = drawn[k]!;
  }
  return out;
}

function plainOptions(
  options: Readonly<Record<string, SpecValue>>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const k of Object.keys(options)) {
    const v = options[k]!;
    out[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  return out;
}

/**
 * Checks `disabledFailureInjectionWorkloads` of a test: every name must be one of FoundationDB's failure
 * injectors or a registered workload; anything else is a BadInputError at the key's line with a
 * did-you-mean hint, since a misspelt name would silently disable nothing.
 */
export function checkDisabledInjectionNames(test: SpecTest, registry: Registry, file: string): void {
  const known = new Set([...FDB_FAILURE_INJECTOR_NAMES, ...registry.names()]);
  for (const name of test.keys.disabledFailureInjectionWorkloads) {
    if (known.has(name)) continue;
    const line = test.keyLines.disabledFailureInjectionWorkloads ?? test.line;
    const guess = didYouMean(name, FDB_FAILURE_INJECTOR_NAMES);
    throw new BadInputError(
      `'${name}' is not a failure-injection workload`,
      { file, line, key: 'disabledFailureInjectionWorkloads' },
      guess
        ? `did you mean '${guess}'?`
        : `failure-injection workloads: ${FDB_FAILURE_INJECTOR_NAMES.join(', ')}`,
    );
  }
}

/**
 * Decides which failure-injection workloads to add to one test, as FoundationDB's addFailureInjection:
 * nothing when `runFailureWorkloads = false`, when the test does not use the database, or when a declared
 * workload vetoes all injection; otherwise, for each injector in order that is registered and not
 * disabled (by `disabledFailureInjectionWorkloads` or a declared workload's veto by name), instances are
 * added while its `shouldInject` says so, counting instances already present (declared or added), each
 * with options from its `injectedOptions`. Every draw comes from `random`, which should be the test's own
 * stream (see `failureInjectionStreamLabel`) so that injection shifts no other stream.
 *
 * `[configuration] faultInjection = false` does not stop injection (reference §1.3: it keeps Attrition
 * from acting, and the chaos surface refuses its kills).
 */
export function planFailureInjection(
  test: SpecTest,
  declared: readonly AnyWorkload[],
  registry: Registry,
  random: Random,
): FailureInjectionPlan {
  const declaredChaos = declared.filter((d) => d.kind === 'chaos').map((d) => d.name);
  const none = (disabled: string): FailureInjectionPlan => ({
    workloads: [],
    result: { declared: declaredChaos, added: [], disabled, excluded: [] },
  });
  if (!test.keys.runFailureWorkloads) return none('runFailureWorkloads = false');
  if (!test.keys.useDB) return none('useDB = false');
  const vetoer = declared.find((d) => d.vetoesFailureInjection === true);
  if (vetoer !== undefined) return none(`vetoed by ${vetoer.name}`);

  const vetoedBy = new Map<string, string>();
  for (const d of declared) {
    for (const name of FAILURE_INJECTION_VETOES.get(d.name) ?? []) {
      if (!vetoedBy.has(name)) vetoedBy.set(name, d.name);
    }
  }
  const disabled = new Set(test.keys.disabledFailureInjectionWorkloads);
  const present = new Map<string, number>();
  for (const d of declared) present.set(d.name, (present.get(d.name) ?? 0) + 1);

  const workloads: InjectedWorkload[] = [];
  const added: AddedWorkload[] = [];
  const excluded: { name: string; reason: string }[] = [];
  for (const injector of FAILURE_INJECTORS) {
    const def = registry.get(injector.name);
    if (def === undefined) {
      excluded.push({ name: injector.name, reason: 'not registered' });
      continue;
    }
    const veto = vetoedBy.get(injector.name);
    if (veto !== undefined) {
      excluded.push({ name: injector.name, reason: `vetoed by ${veto}` });
      continue;
    }
    if (disabled.has(injector.name)) {
      excluded.push({ name: injector.name, reason: 'disabledFailureInjectionWorkloads' });
      continue;
    }
    while (
      (present.get(injector.name) ?? 0) < MAX_INSTANCES_PER_INJECTOR &&
      injector.shouldInject(random, present.get(injector.name) ?? 0)
    ) {
      const options = schemaOptions(def, injector.injectedOptions(random));
      workloads.push({ def, options });
      added.push({ name: injector.name, options: plainOptions(options) });
      present.set(injector.name, (present.get(injector.name) ?? 0) + 1);
    }
  }
  return { workloads, result: { declared: declaredChaos, added, excluded } };
}
