// Moved to the lab package, which runs the same servers for `pnpm lab`.
export {
  lifecycleOf,
  logPathOf,
  makeServerDir,
  readLogTail,
  removeServerDir,
  startOrDispose,
  untilReady,
  type ReadyWait,
  type ServerControl,
} from '@wirewatch/lab';
