// The oracle as a run uses it: attached to the cluster's history hooks, each violation traced as a
// Severity-40 OracleViolation (the first MAX_TRACED of them; the rest counted), and per test an
// invariant row in the report ('oracle') with the violations found while the test ran.
import type { SimulatedCluster } from '../cluster/cluster.js';
import { Oracle } from '../oracle/oracle.js';
import type { OracleViolation } from '../oracle/violation.js';
import type { World } from '../sim/world.js';
import { SevError } from '../trace/event.js';
import type { InvariantResult } from './result.js';

/** Violations traced per run; more are counted only (the first ones say what went wrong). */
const MAX_TRACED = 50;

/** A run's oracle and the violations it found. */
export class OracleRun {
  readonly oracle: Oracle;
  readonly violations: OracleViolation[] = [];
  private dropped = 0;

  constructor(
    private readonly world: World,
    cluster: SimulatedCluster,
  ) {
    this.oracle = new Oracle({
      now: () => world.now(),
      report: (v) => this.record(v),
      // Reads older than twice the read-version lifetime fail with transaction_too_old.
      retainVersions: 2 * world.knobs.num('MAX_READ_TRANSACTION_LIFE_VERSIONS'),
    });
    cluster.rt.history = this.oracle;
  }

  private record(v: OracleViolation): void {
    if (this.violations.length >= MAX_TRACED) {
      this.dropped++;
      return;
    }
    this.violations.push(v);
    this.world.trace(
      'OracleViolation',
      {
        Property: v.property,
        Reason: v.message,
        Transactions: v.attempts.join(','),
        Version: v.version,
        Key: v.key,
        Expected: v.expected,
        Observed: v.observed,
        At: v.time / 1e6,
      },
      { severity: SevError },
    );
  }

  /** Ends a test: checks what became final, and returns its invariant row (violations since `from`). */
  finishTest(from: number): InvariantResult {
    this.oracle.finishTest();
    const s = this.oracle.stats;
    this.world.trace('OracleSummary', {
      Attempts: s.attempts,
      ReadsChecked: s.readsChecked,
      ReadsUnchecked: s.readsUnchecked,
      CommitsApplied: s.commitsApplied,
      RolledBack: s.rolledBack,
      UnknownResolved: s.unknownResolved,
      ReplicasChecked: s.replicasChecked,
      WatchesChecked: s.watchesChecked,
      Violations: s.violations,
      FinalVersion: this.oracle.frontier,
    });
    const found = this.violations.slice(from);
    const first = found[0];
    if (!first) return { name: 'oracle', status: 'pass', count: s.commitsApplied };
    return {
      name: 'oracle',
      status: 'fail',
      reason: `${first.property}: ${first.message}`,
      evidence: {
        Property: first.property,
        Transactions: first.attempts.join(','),
        Version: String(first.version),
        Key: first.key,
        Expected: first.expected,
        Observed: first.observed,
      },
      time: first.time / 1e6,
      count: found.length + (from === 0 ? this.dropped : 0),
    };
  }

  /** Violations found so far (the index a test starts counting from). */
  get found(): number {
    return this.violations.length;
  }
}
