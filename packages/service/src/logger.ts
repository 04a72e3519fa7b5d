import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { redactSecrets } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** The service's name, on every line as `name`. */
  name: string;
  /** Default 'info'. */
  level?: Level | 'silent';
  /** Where JSON lines go; default stdout. */
  destination?: DestinationStream;
}

/**
 * A pino logger writing one JSON object per line, level as a word (`"level":"info"`), ISO time.
 * Any property named like a secret (password, token, secret, authorization, creds, api key, ...) is
 * replaced by `[redacted]` at any depth, in log objects and in child-logger bindings alike. Message
 * strings are not inspected: put values in properties, never in the message.
 */
export function createLogger(options: LoggerOptions): Logger {
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSecrets(bindings),
        log: (object) => redactSecrets(object),
      },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
  // pino applies `formatters.bindings` to the root logger only; children (fastify makes one per
  // request) inherit this method, so their bindings are redacted as well.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the logger it is called on (root or child) as `this`
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
