// Moved to the lab package, which runs the same servers for `pnpm lab`.
export { errorText, settlesWithin, sleep, waitFor, type WaitOptions } from '@wirewatch/lab';
