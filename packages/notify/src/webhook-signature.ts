import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature scheme (version 1)
 *
 * Every request carries
 *   X-Wirewatch-Timestamp: <Unix time of this attempt, in whole seconds>
 *   X-Wirewatch-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
 * where body is the exact bytes of the request body (UTF-8 JSON) and secret the shared secret as UTF-8.
 * Each retry is signed afresh with its own timestamp.
 *
 * A receiver recomputes the HMAC over the raw body bytes it received (before any JSON parsing),
 * compares in constant time, and refuses a timestamp further than its tolerance from its own clock:
 * a captured request then cannot be replayed later. To rotate secrets, verify against the old and the
 * new secret until every sender has the new one (`verifyWebhookSignature` accepts a list).
 */
export const SIGNATURE_HEADER = 'X-Wirewatch-Signature';
export const TIMESTAMP_HEADER = 'X-Wirewatch-Timestamp';
const SIGNATURE_PREFIX = 'sha256=';

export function signWebhookBody(body: string | Uint8Array, secret: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
  return `${SIGNATURE_PREFIX}${mac}`;
}

export type WebhookVerification = { valid: true; timestamp: Date } | { valid: false; reason: string };

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

/**
 * Checks a request signed by a wirewatch webhook receiver. `body` must be the raw bytes as received;
 * `headers` may be a fetch `Headers` or node's `req.headers` (names looked up case-insensitively).
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  headers: HeaderBag,
  secret: string | readonly string[],
  toleranceMs = 5 * 60_000,
  nowMs = Date.now(),
): WebhookVerification {
  const timestampText = headerValue(headers, TIMESTAMP_HEADER);
  const signature = headerValue(headers, SIGNATURE_HEADER);
  if (timestampText === undefined) return { valid: false, reason: `missing ${TIMESTAMP_HEADER} header` };
  if (signature === undefined) return { valid: false, reason: `missing ${SIGNATURE_HEADER} header` };
  if (!/^\d{1,12}$/.test(timestampText)) return { valid: false, reason: `${TIMESTAMP_HEADER} is not Unix seconds` };
  const timestampSeconds = Number(timestampText);
  if (Math.abs(nowMs - timestampSeconds * 1_000) > toleranceMs) {
    return {
      valid: false,
      reason: `${TIMESTAMP_HEADER} is outside the ${toleranceMs} ms tolerance (replay or clock skew)`,
    };
  }
  const received = Buffer.from(signature);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const matches = secrets.some((candidate) => {
    const expected = Buffer.from(signWebhookBody(body, candidate, timestampSeconds));
    return expected.length === received.length && timingSafeEqual(expected, received);
  });
  return matches
    ? { valid: true, timestamp: new Date(timestampSeconds * 1_000) }
    : { valid: false, reason: 'signature does not match' };
}

function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
