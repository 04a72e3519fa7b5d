import { WirewatchError } from '@wirewatch/errors';

/** A capture that cannot start or cannot go on (no such device, permission denied, bad filter). One line. */
export class CaptureError extends WirewatchError {
  override readonly name = 'CaptureError';

  constructor(message: string, options?: ErrorOptions) {
    super('capture', message, options);
  }
}

/** The first line of an error's message, for errors that come from native code or the system. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].trim();
}
