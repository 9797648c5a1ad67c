// Swarm testing: random, valid specs from a seed (the layer above the workload registry and below sweep).
export {
  generateSwarmSpec,
  SWARM_APPLICATIONS,
  SWARM_CHAOS,
  SWARM_TESTS,
  type SwarmSpec,
  type SwarmTest,
  type SwarmWorkload,
} from './generate.js';
export {
  MAX_SWARM_TEST_DURATION,
  MIN_SWARM_TEST_DURATION,
  SWARM_PROFILES,
  type SwarmProfile,
  type SwarmProfileName,
  type SwarmValue,
} from './options.js';
