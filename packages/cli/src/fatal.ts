import { WirewatchError, type WirewatchErrorCode } from '@wirewatch/errors';

/** A user-facing failure: one line on stderr, a chosen exit code, no stack trace. */
export class UsageError extends WirewatchError {
  override readonly name = 'UsageError';

  constructor(message: string, options?: ErrorOptions) {
    super('usage', message, options);
  }
}

/** 2: what the user gave is wrong (a setting, an argument, a file, an interface); 1: anything else. */
const EXIT_CODES: Record<WirewatchErrorCode, 1 | 2> = {
  config: 2,
  usage: 2,
  input: 2,
  capture: 2,
  'nats-permission': 1,
  nats: 1,
};

/**
 * Prints the error's line (a configuration's problems, one line each) and exits with its code's exit
 * status; an error wirewatch did not expect exits 1 with its first line (stack only with WIREWATCH_DEBUG=1).
 */
export function reportFatal(error: unknown): never {
  const known = error instanceof WirewatchError ? error : undefined;
  const lines = known?.lines() ?? [(error instanceof Error ? error.message : String(error)).split('\n')[0]];
  for (const line of lines) process.stderr.write(`wirewatch: ${line}\n`);
  const exitCode = known ? EXIT_CODES[known.code] : 1;
  if (exitCode === 1 && process.env.WIREWATCH_DEBUG === '1' && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  process.exit(exitCode);
}
