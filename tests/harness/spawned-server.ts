// Moved to the lab package, which runs the same servers for `pnpm lab`.
export { SpawnedServer, type SpawnSpec } from '@wirewatch/lab';
