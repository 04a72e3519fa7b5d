/**
 * A process for the shutdown test: registers `onShutdown`, logs "ready", and on a signal runs a handler
 * that, depending on argv[2], drains (logs "drained" and resolves), hangs, or fails.
 */
import { createLogger } from '../logger.js';
import { onShutdown } from '../shutdown.js';

const mode = process.argv[2] ?? 'drain';
const logger = createLogger({ name: 'shutdown-child' });
const keepAlive = setInterval(() => undefined, 60_000);

onShutdown(
  async () => {
    if (mode === 'hang' || mode === 'hang-timeout') return new Promise(() => undefined);
    if (mode === 'fail') throw new Error('flush failed');
    await new Promise((resolve) => setImmediate(resolve));
    clearInterval(keepAlive);
    logger.info('drained');
  },
  { logger, timeoutMs: mode === 'hang-timeout' ? 100 : 30_000 },
);
logger.info('ready');
