import { describe, expect, it } from 'vitest';
import { describeNatsError } from './connection.js';

describe('describeNatsError', () => {
  const timeout = Object.assign(new Error('timeout'), { name: 'TimeoutError' });

  it('says a TLS timeout without a client certificate may be a server asking for one', () => {
    expect(describeNatsError(timeout, { servers: ['tls://nats.example.net:4222'], tls: { caFile: 'ca.pem' } })).toBe(
      'timeout (if the NATS server requires client certificates, give one: --nats-cert and --nats-key)',
    );
  });

  it('adds nothing when a client certificate is configured, without TLS, or for other errors', () => {
    expect(describeNatsError(timeout, { servers: ['tls://n:4222'], tls: { certFile: 'c.pem', keyFile: 'k.pem' } })).toBe('timeout');
    expect(describeNatsError(timeout, { servers: ['nats://n:4222'] })).toBe('timeout');
    expect(describeNatsError(new Error('Authorization Violation'), { servers: ['tls://n:4222'] })).toBe('Authorization Violation');
    expect(describeNatsError(new Error('first line\nsecond'))).toBe('first line');
  });
});
