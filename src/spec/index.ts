// Layer 1, spec/: TOML test specs to plain, located data. The rest of faultline imports from here.
export { CONFIGURATION_KEYS } from './configuration.js';
export { type LoadedSpec, loadSpecFile } from './load.js';
export { parseSpec } from './parse.js';
export { TEST_KEYS } from './test-keys.js';
export * from './types.js';
