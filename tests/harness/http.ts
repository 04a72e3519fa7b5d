// Moved to the lab package, which runs the same servers for `pnpm lab`.
export { answers, expectOk } from '@wirewatch/lab';
