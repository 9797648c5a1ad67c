// Layer 5, run/: one spec × one seed, from a TestSpec and a registry to a RunResult.
export { ClusterChaos } from './chaos.js';
export {
  DEFAULT_SPEC_CHAOS,
  DEFAULT_SPEC_NAME,
  DEFAULT_SPEC_TEXT,
  type DefaultSpec,
  defaultSpec,
} from './default-spec.js';
export { foldMetrics, formatMetric } from './metrics.js';
export { type PreparedRun, type PrepareOptions, prepareRun } from './prepare.js';
export { reproduceCommand, shellQuote } from './reproduce.js';
export * from './result.js';
export { type RunSpecOptions, runSpec, SPEEDUP_AFTER_SECONDS } from './run-spec.js';
