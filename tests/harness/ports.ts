// Moved to the lab package, which runs the same servers for `pnpm lab`.
export { freePort, freePorts } from '@wirewatch/lab';
