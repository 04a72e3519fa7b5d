export { SpaceSaving, SPACE_SAVING_MAX_CAPACITY, SPACE_SAVING_MAX_KEY_WORDS } from './space-saving.js';
export type { HeavyHitter } from './space-saving.js';
export { HyperLogLog, hash64, HLL_MAX_PRECISION, HLL_MIN_PRECISION } from './hyperloglog.js';
