import type { Logger } from 'pino';

export interface ShutdownOptions {
  logger: Logger;
  /** How long the handler may take before the process exits with 1 anyway. Default 10 s. */
  timeoutMs?: number;
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  /** For tests: what exits (default `process.exit`) and what emits the signals (default `process`). */
  exit?: (code: number) => void;
  signalSource?: NodeJS.EventEmitter;
}

/**
 * On the first SIGTERM/SIGINT runs `handler` once (drain, flush, ack) and exits 0 when it resolves.
 * Exits 1, with an error line, if the handler fails, does not finish within `timeoutMs`, or a second
 * signal arrives meanwhile (an impatient operator's second Ctrl-C).
 * @returns a function that removes the signal listeners.
 */
export function onShutdown(handler: (signal: NodeJS.Signals) => unknown, options: ShutdownOptions): () => void {
  const { logger, timeoutMs = 10_000, signals = ['SIGTERM', 'SIGINT'] } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const source = options.signalSource ?? process;
  let stopping = false;
  let exited = false;
  let timer: NodeJS.Timeout | undefined;

  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(timer);
    logger.flush();
    exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.error({ signal }, 'second signal during shutdown: exiting now');
      finish(1);
      return;
    }
    stopping = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown did not finish in time: exiting');
      finish(1);
    }, timeoutMs);
    Promise.resolve()
      .then(() => handler(signal))
      .then(
        () => {
          if (exited) return;
          logger.info('shutdown complete');
          finish(0);
        },
        (error: unknown) => {
          if (exited) return;
          logger.error({ err: error }, 'shutdown failed');
          finish(1);
        },
      );
  };

  for (const signal of signals) source.on(signal, onSignal);
  return () => {
    for (const signal of signals) source.off(signal, onSignal);
    clearTimeout(timer);
  };
}
