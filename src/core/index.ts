// Layer 0: everything else may import from here.
export * from './arrays.js';
export * from './errors.js';
export * from './hash.js';
export * from './random.js';
export * from './time.js';
