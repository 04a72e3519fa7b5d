import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { redactSecrets } from './redact.js';
import { LogLines } from './test-support/log-lines.js';

describe('createLogger', () => {
  it('writes JSON lines with the service name and the level as a word', () => {
    const out = new LogLines();
    createLogger({ name: 'sensor', destination: out }).info({ interfaces: ['eth0'] }, 'capturing');
    expect(out.records()).toEqual([
      expect.objectContaining({
        name: 'sensor',
        level: 'info',
        msg: 'capturing',
        interfaces: ['eth0'],
        time: expect.any(String),
      }),
    ]);
  });

  it('never logs a value under a key named like a secret, at any depth', () => {
    const out = new LogLines();
    const logger = createLogger({ name: 'collector', level: 'debug', destination: out });
    logger.info(
      {
        nats: { url: 'nats://broker:4222', password: 'hunter2', user: 'wirewatch' },
        headers: { Authorization: 'Bearer abc.def' },
        influxToken: 'tok-123',
        sinks: [{ webhook: { secret: 'hmac-key' } }],
        NATS_CREDS: 'creds-file-body',
      },
      'connecting',
    );
    logger.child({ smtp: { pass: 'mail-pass' } }).warn({ apiKey: 'k-999' }, 'retrying');
    const text = out.text;
    for (const secret of ['hunter2', 'Bearer abc.def', 'tok-123', 'hmac-key', 'creds-file-body', 'mail-pass', 'k-999'])
      expect(text).not.toContain(secret);
    expect(text).toContain('nats://broker:4222');
    expect(text).toContain('wirewatch');
    expect(out.records()[0]).toMatchObject({
      nats: { password: '[redacted]' },
      headers: { Authorization: '[redacted]' },
    });
  });

  it('respects the level', () => {
    const out = new LogLines();
    const logger = createLogger({ name: 's', level: 'warn', destination: out });
    logger.info('hidden');
    logger.warn('shown');
    expect(out.records().map((r) => r.msg)).toEqual(['shown']);
  });
});

describe('redactSecrets', () => {
  it('copies only what it changes', () => {
    const clean = { a: { b: [1, 2] } };
    expect(redactSecrets(clean)).toBe(clean);
    const dirty = { a: { token: 'x' }, b: { c: 1 } };
    const redacted = redactSecrets(dirty);
    expect(redacted).toEqual({ a: { token: '[redacted]' }, b: { c: 1 } });
    expect(redacted.b).toBe(dirty.b);
    expect(dirty.a.token).toBe('x');
  });

  it('redacts secret-like keys only, not look-alikes such as passes or bypass', () => {
    expect(redactSecrets({ passes: 3, bypass: true, password: 'p' })).toEqual({
      passes: 3,
      bypass: true,
      password: '[redacted]',
    });
  });
});
