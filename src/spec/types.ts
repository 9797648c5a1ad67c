// The parsed test spec: plain data, every value with the line it came from so later layers can name it.

/** A TOML value as plain data (dates become their TOML text, e.g. `1979-05-27`). */
export type SpecValue =
  | string
  | number
  | boolean
  | readonly SpecValue[]
  | { readonly [key: string]: SpecValue };

/** A value and the 1-based line of the spec where it was written. */
export interface Located<T> {
  readonly value: T;
  readonly line: number;
}

/** A knob override from `[[knobs]]` or `[[test.knobs]]`; the name as written (lowercase by convention). */
export interface KnobSetting {
  readonly name: string;
  readonly value: string | number | boolean;
  readonly line: number;
}

/** A plugin file from the top-level `plugins = [...]` array, as written (relative to the spec's folder). */
export interface PluginRef {
  readonly path: string;
  readonly line: number;
}

/** Something the user should know but that does not stop the run (a FoundationDB key faultline ignores). */
export interface SpecWarning {
  readonly key: string;
  readonly line: number;
  readonly message: string;
}

/** FoundationDB's storage engines by `storageEngineType` number. */
export const STORAGE_ENGINES: readonly string[] = [
  'ssd',
  'memory',
  'memory-radixtree',
  'ssd-redwood-1',
  'ssd-rocksdb-v1',
  'ssd-sharded-rocksdb',
];

/** One key of `[configuration]` as written, in file order (logged by `SimulatorConfigFromToml`). */
export interface ConfigEntry {
  readonly key: string;
  readonly value: SpecValue;
  readonly line: number;
  /** False for FoundationDB keys faultline accepts but ignores (each also produces a warning). */
  readonly modelled: boolean;
}

/**
 * `[configuration]`: the cluster shape. Each modelled key is present only when the spec sets it; absent
 * keys are drawn from the seed by the cluster generator, as FoundationDB does.
 */
export interface ClusterConfigSpec {
  /** Forces BUGGIFY on or off, overriding the command line (`true`/`false`, or legacy `on`/`off`). */
  readonly buggify?: Located<boolean>;
  /** Fault injection on or off (off: no Attrition kills, no injected disk errors). */
  readonly faultInjection?: Located<boolean>;
  /** A `configure`-style redundancy string (`single`, `double`, `triple`, plus `key:=value` tokens). */
  readonly config?: Located<string>;
  /** Lower bound of the random redundancy level: 1 single, 2 double, 3 triple. 0..3. */
  readonly minimumReplication?: Located<number>;
  /** Server machines (all datacenters). >= 1. */
  readonly machineCount?: Located<number>;
  /** Database processes per machine. >= 1. */
  readonly processesPerMachine?: Located<number>;
  /** Simulated datacenters. >= 1. */
  readonly datacenters?: Located<number>;
  /** Coordinators. >= 1. */
  readonly coordinators?: Located<number>;
  /** Transaction logs (`logs`). >= 1. */
  readonly desiredTLogCount?: Located<number>;
  /** Commit proxies. >= 1. */
  readonly commitProxyCount?: Located<number>;
  /** GRV proxies. >= 1. */
  readonly grvProxyCount?: Located<number>;
  /** Resolvers. >= 1. */
  readonly resolverCount?: Located<number>;
  /** Storage engine number (index into {@link STORAGE_ENGINES}); an engine name is accepted too. */
  readonly storageEngineType?: Located<number>;
  /** One DC, single replication, one of each transaction role. */
  readonly simpleConfig?: Located<boolean>;
  /** Disables the whole-run simulated-time limit. */
  readonly longRunningTest?: Located<boolean>;
  /** faultline's own: tester processes (FoundationDB draws 4..8). >= 1. */
  readonly testerCount?: Located<number>;
  /** faultline's own: the name of a planted bug to switch on (see cluster.md). */
  readonly plantedBug?: Located<string>;
  /**
   * faultline's own: the spec is a negative test, expected to fail (a Severity-40 event, such as a
   * workload's check catching a planted bug). A sweep counts such a failure as the spec passing. Default false.
   */
  readonly expectFailure?: Located<boolean>;
  /**
   * faultline's own: check the database against the oracle's reference replay (docs/oracle.md).
   * Default true; `faultline run --no-oracle` turns it off too.
   */
  readonly oracle?: Located<boolean>;
  /** Every key as written, in file order, modelled or not. */
  readonly entries: readonly ConfigEntry[];
}

/** The typed `[[test]]` keys, defaults filled in (FoundationDB's simulation defaults). */
export interface TestKeys {
  /** Name of the test, in traces (`WorkloadTitle`) and the report. Default `Test<N>` (N = position, from 1). */
  readonly testTitle: string;
  /** Limit on the test's workload phases, simulated seconds. Default 15000; > 0. */
  readonly timeout: number;
  /** Liveness ping limit, simulated seconds; 0 = no pinging. Default 0. Non-zero requires `useDB`. */
  readonly databasePingDelay: number;
  /** Run the setup phase. Default true. */
  readonly runSetup: boolean;
  /** Run only the check phase. Default false. */
  readonly checkOnly: boolean;
  /** Clear all user data after the test. Default true. */
  readonly clearAfterTest: boolean;
  /** The test needs the database (false: unit-test style, no pinging, no consistency check). Default true. */
  readonly useDB: boolean;
  /** Delay before liveness pinging starts during the quiet wait, simulated seconds. Default 30. */
  readonly startDelay: number;
  /** Run the consistency check after the workloads. Default true. */
  readonly runConsistencyCheck: boolean;
  /** Include testing storage servers in the consistency check (faultline has none). Default true. */
  readonly runConsistencyCheckOnTSS: boolean;
  /** Removed in FoundationDB 7.3+; accepted with a warning. Default false. */
  readonly runConsistencyCheckOnCache: boolean;
  /** Max wait for data distribution in the consistency check, simulated seconds; 0 = 10000. Default 0. */
  readonly maxDDRunTime: number;
  /** Wait for a quiet cluster before the first test (OR-ed across tests). Default true. */
  readonly waitForQuiescenceBegin: boolean;
  /** Wait for a quiet cluster after the last test (OR-ed across tests). Default true. */
  readonly waitForQuiescenceEnd: boolean;
  /** Minimum spacing of random connection failures during the test, simulated seconds; 0 = normal. Default 0. */
  readonly connectionFailuresDisableDuration: number;
  /** Debug check of data-relocation durations. Default false. */
  readonly simCheckRelocationDuration: boolean;
  /** Backup/DR agents to start (not modelled). Default `none`. */
  readonly simBackupAgents: 'none' | 'BackupToFile' | 'BackupToDB' | 'BackupToFileAndDB';
  /** Re-enable perpetual storage wiggle after the initial quiet wait. Default true. */
  readonly restorePerpetualWiggleSetting: boolean;
  /** Randomly add failure-injection (chaos) workloads to this test. Default true. */
  readonly runFailureWorkloads: boolean;
  /** Failure-injection workloads never to add (a TOML array or a comma list). Default none. */
  readonly disabledFailureInjectionWorkloads: readonly string[];
  /** Dump the database after the test (not modelled). Default false. */
  readonly dumpAfterTest: boolean;
}

/** The phases a test runs, derived from `runSetup` and `checkOnly`. */
export interface TestPhases {
  readonly setup: boolean;
  readonly execution: boolean;
  readonly check: boolean;
  readonly metrics: boolean;
}

/** One `[[test.workload]]`: the workload name and its options, kept raw for the workload's own schema. */
export interface WorkloadSpec {
  /** The registered workload name (`Cycle`, `Attrition`, ...). */
  readonly testName: string;
  /** Line of the `[[test.workload]]` header. */
  readonly line: number;
  /**
   * Line of the `testName` key: where an unknown-workload error points. The header's line when the key
   * could not be placed (a workload written as an inline table).
   */
  readonly testNameLine: number;
  /** Every key other than `testName`, as written, with its line. */
  readonly options: Readonly<Record<string, Located<SpecValue>>>;
}

/** One `[[test]]`: run in file order; its workloads run concurrently. */
export interface SpecTest {
  /** Line of the `[[test]]` header. */
  readonly line: number;
  /** Same as `keys.testTitle`. */
  readonly testTitle: string;
  readonly keys: TestKeys;
  /** Lines of the keys the spec set explicitly (absent: the default is in effect). */
  readonly keyLines: Readonly<Partial<Record<keyof TestKeys | 'waitForQuiescence', number>>>;
  readonly phases: TestPhases;
  /** `[[test.knobs]]`: active only while this test runs. */
  readonly knobs: readonly KnobSetting[];
  readonly workloads: readonly WorkloadSpec[];
}

/** A whole spec file as plain data. */
export interface TestSpec {
  /** The file as named by the caller (used in every error and warning). */
  readonly file: string;
  readonly configuration: ClusterConfigSpec;
  /** Top-level `[[knobs]]`, in file order (later settings of one knob win). */
  readonly knobs: readonly KnobSetting[];
  readonly plugins: readonly PluginRef[];
  readonly tests: readonly SpecTest[];
  /** Harness grouping name (`testClass`); default: the first test's title. */
  readonly testClass: string;
  /** Harness priority multiplier (`testPriority`); larger = run less often. Default 1. */
  readonly testPriority: number;
  readonly warnings: readonly SpecWarning[];
}
