// The swarm generator: every generated spec parses, validates and prepares like a hand-written one.
import { describe, expect, it } from 'vitest';
import { prepareRun } from '../../../src/run/prepare.js';
import { parseSpec } from '../../../src/spec/parse.js';
import {
  generateSwarmSpec,
  MAX_SWARM_TEST_DURATION,
  SWARM_APPLICATIONS,
  SWARM_CHAOS,
  SWARM_PROFILES,
  SWARM_TESTS,
} from '../../../src/swarm/index.js';
import { Registry } from '../../../src/workload/registry.js';
import { builtinWorkloads } from '../../../workloads/index.js';

const registry = new Registry(builtinWorkloads);

describe('swarm spec generator', () => {
  it('makes specs that parse and validate, within the stated counts, for many seeds', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 400; seed++) {
      const g = generateSwarmSpec(seed, registry);
      const spec = parseSpec(g.toml, `swarm-${seed}.toml`);
      const prepared = prepareRun({ spec, seed, registry });
      expect(prepared.tests.length).toBe(g.tests.length);
      expect(g.tests.length).toBeGreaterThanOrEqual(SWARM_TESTS.min);
      expect(g.tests.length).toBeLessThanOrEqual(SWARM_TESTS.max);
      for (const t of g.tests) {
        const kinds = t.workloads.map((w) => registry.get(w.testName)!.kind);
        const apps = kinds.filter((k) => k === 'application').length;
        const chaos = kinds.filter((k) => k === 'chaos').length;
        expect(apps).toBeGreaterThanOrEqual(SWARM_APPLICATIONS.min);
        expect(apps).toBeLessThanOrEqual(SWARM_APPLICATIONS.max);
        expect(chaos).toBeLessThanOrEqual(SWARM_CHAOS.max);
        // The company each workload's checks assume (its `stacking`) is respected.
        const stacking = t.workloads.map((w) => registry.get(w.testName)!.stacking ?? 'any');
        if (stacking.includes('alone')) expect(apps).toBe(1);
        // At most one workload of each key family: their keys would overlap.
        const families = t.workloads.map((w) => registry.get(w.testName)!.keySpace).filter((k) => k);
        expect(new Set(families).size).toBe(families.length);
        if (stacking.includes('calm')) {
          expect(chaos).toBe(0);
          expect(t.keys.get('runFailureWorkloads')).toBe(false);
        }
        for (const w of t.workloads) {
          const d = w.options.get('testDuration');
          if (typeof d === 'number') expect(d).toBeLessThanOrEqual(MAX_SWARM_TEST_DURATION);
          seen.add(w.testName);
        }
      }
    }
    // The swarm reaches every registered workload.
    expect([...seen].sort()).toEqual(registry.names());
  });

  it('never draws a mode that needs data from an earlier test (Cycle skipSetup: swarm seed 86)', () => {
    let cycles = 0;
    for (let seed = 1; seed <= 400; seed++) {
      for (const t of generateSwarmSpec(seed, registry).tests) {
        for (const w of t.workloads) {
          if (w.testName !== 'Cycle') continue;
          cycles++;
          expect(w.options.has('skipSetup'), `seed ${seed}`).toBe(false);
        }
      }
    }
    expect(cycles).toBeGreaterThan(20);
  });

  it('quick profile: valid specs with short tests, capped durations and light loads', () => {
    const quick = SWARM_PROFILES.quick;
    let apiCorrectness = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const g = generateSwarmSpec(seed, registry, quick);
      expect(g.toml).toContain(`seed ${seed} (quick profile)`);
      const spec = parseSpec(g.toml, `swarm-${seed}.toml`);
      expect(prepareRun({ spec, seed, registry }).tests.length).toBe(g.tests.length);
      expect(g.tests.length).toBeLessThanOrEqual(quick.tests[1]);
      for (const t of g.tests) {
        for (const w of t.workloads) {
          const schema = registry.get(w.testName)!.options;
          for (const [name, v] of w.options) {
            const o = schema[name]!;
            // Every duration is short, whatever its default (ApiCorrectness's random pass: 60 s).
            if (
              o.type === 'number' &&
              o.unit === 's' &&
              (o.min ?? 0) <= quick.maxOtherSeconds &&
              name !== 'testDuration'
            )
              expect(v, `${w.testName}.${name}`).toBeLessThanOrEqual(quick.maxOtherSeconds);
          }
          if (w.testName === 'ApiCorrectness') {
            apiCorrectness++;
            // FoundationDB's 10 KB values are scaled down with the rest of the load.
            expect(w.options.get('maxValueLength')).toBeLessThanOrEqual(500);
          }
        }
      }
    }
    expect(apiCorrectness).toBeGreaterThan(5);
  });

  it("never draws options a workload's check refuses (Cycle's ring of 2: quick seeds 1017 and 1095)", () => {
    let cycles = 0;
    for (const profile of [SWARM_PROFILES.full, SWARM_PROFILES.quick]) {
      for (let seed = 1; seed <= 1200; seed++) {
        for (const t of generateSwarmSpec(seed, registry, profile).tests) {
          for (const w of t.workloads) {
            const def = registry.get(w.testName)!;
            if (!def.check) continue;
            if (w.testName === 'Cycle') cycles++;
            const values: Record<string, unknown> = {};
            for (const [k, o] of Object.entries(def.options)) values[k] = (o as { default: unknown }).default;
            for (const [k, v] of w.options) values[k] = v;
            expect(def.check(values), `${profile.name} seed ${seed} ${w.testName}`).toBeUndefined();
          }
        }
      }
    }
    expect(cycles).toBeGreaterThan(100);
  });

  it('gives the same text for the same seed and different text for different seeds', () => {
    expect(generateSwarmSpec(42, registry).toml).toBe(generateSwarmSpec(42, registry).toml);
    expect(generateSwarmSpec(42, registry).toml).not.toBe(generateSwarmSpec(43, registry).toml);
  });

  it('writes the configuration it chose, BUGGIFY included', () => {
    const g = generateSwarmSpec(7, registry);
    const spec = parseSpec(g.toml, 'swarm-7.toml');
    expect(spec.configuration.buggify?.value).toBe(g.buggify);
    expect(spec.configuration.machineCount?.value).toBe(g.configuration.get('machineCount'));
  });
});
