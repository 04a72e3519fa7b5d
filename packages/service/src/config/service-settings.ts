import type { LevelWithSilent } from 'pino';
import { z } from 'zod';

/**
 * The settings every service has, defined once: `http:` (where `/healthz`, `/readyz` and `/metrics`
 * listen) and `logLevel`. Each service composes them with its own default port and description.
 */

/** pino's levels, lowest first, and `silent` (service-settings.test.ts keeps the list equal to pino's). */
export const LOG_LEVELS = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
] as const satisfies readonly LevelWithSilent[];

export const logLevelSetting = z
  .enum(LOG_LEVELS)
  .default('info')
  .describe('Lowest level logged (JSON lines on stdout).');

const MAX_PORT = 65535;

/** A TCP port to connect to. */
export const tcpPort = z.number().int().min(1).max(MAX_PORT);

/** A TCP port to listen on; 0 lets the system pick a free one. */
const listenPort = z.number().int().min(0).max(MAX_PORT);

export interface HttpSettingsOptions {
  /** The listen address and why it is the default; default every interface. */
  host?: { default: string; description: string };
  /** What listens; default the three endpoints every service has. */
  description?: string;
}

const EVERY_INTERFACE = {
  default: '0.0.0.0',
  description: 'Address to listen on (`0.0.0.0`: every interface, for probes from outside a container).',
};

/** A service's `http:` setting, on `port` unless configured otherwise. */
export function httpConfigSchema(port: number, options: HttpSettingsOptions = {}) {
  const host = options.host ?? EVERY_INTERFACE;
  return z
    .object({
      host: z.string().default(host.default).describe(host.description),
      port: listenPort.default(port).describe('Port (0: any free port, logged at start).'),
    })
    .prefault({})
    .describe(options.description ?? '`/healthz`, `/readyz` and `/metrics`.');
}
