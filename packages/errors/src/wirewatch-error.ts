/**
 * Kinds of failure a user can act on. `config`, `usage`, `input` (a capture file that cannot be
 * read) and `capture` (an interface that cannot be captured on) are what the user gave; `nats-permission`
 * (the NATS user may not do it) and `nats` (NATS refused it or did not answer) are the world's.
 */
export type WirewatchErrorCode = 'config' | 'usage' | 'input' | 'capture' | 'nats-permission' | 'nats';

/**
 * A failure wirewatch expects and can say in words: a code (the CLI maps it to an exit status) and a
 * message whose first line is all a user needs. The packages' own error classes extend it, so the
 * CLI needs this one class, not each package, to tell them apart.
 */
export class WirewatchError extends Error {
  constructor(
    readonly code: WirewatchErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** What to show, one line each: the message's first line, unless there are several problems to list. */
  lines(): readonly string[] {
    return [this.message.split('\n')[0]];
  }
}
