import { WirewatchError } from '@wirewatch/errors';

/**
 * Invalid configuration: one line per problem, each naming where the value came from and the setting,
 * e.g. `config.yaml:7 nats.url: Invalid URL` or `WIREWATCH_SPOOL_MAX_BYTES spool.maxBytes: ...`.
 * Values are never part of the message (they may be secrets).
 */
export class ConfigError extends WirewatchError {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config', problems.join('\n'));
    this.problems = problems;
  }

  override lines(): readonly string[] {
    return this.problems;
  }
}
