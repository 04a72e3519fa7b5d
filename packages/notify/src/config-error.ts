/** A receiver's options are unusable; the message is one line naming the option. */
export class NotifyConfigError extends Error {
  override name = 'NotifyConfigError';
}

export function requirePositiveInteger(receiver: string, option: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new NotifyConfigError(`${receiver}: ${option} must be a positive integer, got ${String(value)}`);
  }
}
