import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'correct horse battery staple';
const body = '{"version":1,"state":"firing","rule":"high-bandwidth"}';
const now = Date.parse('2024-05-01T10:00:00Z');
const timestamp = now / 1_000;

function signedHeaders(signedBody = body, signingSecret = secret, at = timestamp): Record<string, string> {
  return {
    'x-wirewatch-timestamp': String(at),
    'x-wirewatch-signature': signWebhookBody(signedBody, signingSecret, at),
  };
}

describe('webhook signature', () => {
  it('is sha256=<hex HMAC of "timestamp.body">', () => {
    // Reference value: printf '%s' "1714557600.$body" | openssl dgst -sha256 -hmac "$secret"
    expect(signWebhookBody(body, secret, timestamp)).toBe(
      'sha256=f4c301a7d127c0d19b5e8109ecb33eebac24773a3782a408f3530b0d5f66d698',
    );
    expect(signWebhookBody(body, secret, timestamp)).toBe(signWebhookBody(Buffer.from(body), secret, timestamp));
    expect(signWebhookBody(body, secret, timestamp)).not.toBe(signWebhookBody(body, secret, timestamp + 1));
  });

  it('verifies an untouched request, from node headers or fetch Headers', () => {
    expect(verifyWebhookSignature(body, signedHeaders(), secret, 60_000, now)).toEqual({
      valid: true,
      timestamp: new Date(now),
    });
    const fetchHeaders = new Headers({
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhookBody(body, secret, timestamp),
    });
    expect(verifyWebhookSignature(Buffer.from(body), fetchHeaders, secret, 60_000, now).valid).toBe(true);
  });

  it('refuses a tampered body, a wrong secret and a changed timestamp', () => {
    const tampered = body.replace('firing', 'resolved');
    expect(verifyWebhookSignature(tampered, signedHeaders(), secret, 60_000, now)).toEqual({
      valid: false,
      reason: 'signature does not match',
    });
    expect(verifyWebhookSignature(body, signedHeaders(body, 'other secret'), secret, 60_000, now).valid).toBe(false);
    const moved = { ...signedHeaders(), 'x-wirewatch-timestamp': String(timestamp + 1) };
    expect(verifyWebhookSignature(body, moved, secret, 60_000, now).valid).toBe(false);
  });

  it('refuses a replay outside the tolerance and requests without the headers', () => {
    const old = signedHeaders(body, secret, timestamp - 61);
    expect(verifyWebhookSignature(body, old, secret, 60_000, now)).toMatchObject({
      valid: false,
      reason: expect.stringContaining('tolerance'),
    });
    expect(verifyWebhookSignature(body, { 'x-wirewatch-timestamp': String(timestamp) }, secret, 60_000, now)).toEqual({
      valid: false,
      reason: 'missing X-Wirewatch-Signature header',
    });
    expect(
      verifyWebhookSignature(body, { ...signedHeaders(), 'x-wirewatch-timestamp': '1e9' }, secret, 60_000, now).valid,
    ).toBe(false);
  });

  it('accepts any of several secrets, for rotation', () => {
    expect(
      verifyWebhookSignature(body, signedHeaders(body, 'new secret'), [secret, 'new secret'], 60_000, now).valid,
    ).toBe(true);
  });
});
