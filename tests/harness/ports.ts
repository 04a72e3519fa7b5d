// Moved to the lab package, which runs the same servers for `pnpm lab`.
export * from '../../packages/lab/src/ports.js';
