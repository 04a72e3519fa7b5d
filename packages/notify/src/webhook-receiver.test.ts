import { afterEach, describe, expect, it } from 'vitest';
import { NotifyConfigError } from './config-error.js';
import type { NotificationReceiver } from './delivery.js';
import type { RetryEvent } from './retrying-delivery.js';
import { firingBandwidthAlert } from './test-support/notifications.js';
import {
  closedLoopbackPort,
  startWebhookTestServer,
  type WebhookTestServer,
} from './test-support/webhook-test-server.js';
import { createWebhookReceiver, DELIVERY_ID_HEADER } from './webhook-receiver.js';

const secret = 'shared-secret-for-tests';
const fastRetries = { minDelayMs: 10, maxDelayMs: 20 };
const servers: WebhookTestServer[] = [];
const receivers: NotificationReceiver[] = [];

async function server(...args: Parameters<typeof startWebhookTestServer>): Promise<WebhookTestServer> {
  const started = await startWebhookTestServer(...args);
  servers.push(started);
  return started;
}

function receiver(options: Parameters<typeof createWebhookReceiver>[0]): NotificationReceiver {
  const created = createWebhookReceiver(options);
  receivers.push(created);
  return created;
}

afterEach(async () => {
  for (const created of receivers.splice(0)) created.close();
  await Promise.all(servers.splice(0).map((started) => started.close()));
});

describe('webhook receiver', () => {
  it('retries 503 with backoff and delivers a signed JSON body on the third attempt', async () => {
    const hooks = await server(secret, (_hook, index, res) => res.writeHead(index < 2 ? 503 : 200).end());
    const webhook = receiver({ url: hooks.url, secret, ...fastRetries });
    const notification = firingBandwidthAlert();

    const result = await webhook.send(notification);

    expect(result).toMatchObject({ delivered: true, attempts: 3, receiver: `webhook ${new URL(hooks.url).origin}` });
    expect(hooks.requests).toHaveLength(3);
    for (const hook of hooks.requests) {
      expect(hook.verification.valid).toBe(true);
      expect(JSON.parse(hook.body)).toEqual({ version: 1, ...notification });
      expect(hook.headers['content-type']).toBe('application/json');
    }
    const deliveryIds = new Set(hooks.requests.map((hook) => hook.headers[DELIVERY_ID_HEADER.toLowerCase()]));
    expect(deliveryIds.size).toBe(1);
    expect(webhook.counters).toEqual({ sent: 1, failed: 0, retries: 2, inFlight: 0 });
  });

  it('does not retry a 400: one attempt, failed, permanent', async () => {
    const hooks = await server(secret, (_hook, _index, res) => res.writeHead(400).end('bad request body'));
    const webhook = receiver({ url: hooks.url, secret, ...fastRetries });

    const result = await webhook.send(firingBandwidthAlert());

    expect(result).toMatchObject({ delivered: false, attempts: 1, permanent: true, reason: 'HTTP 400 Bad Request' });
    expect(hooks.requests).toHaveLength(1);
    expect(webhook.counters).toEqual({ sent: 0, failed: 1, retries: 0, inFlight: 0 });
  });

  it('gives up on an endpoint that never answers after maxAttempts timeouts, in bounded time', async () => {
    const hooks = await server(secret, () => undefined);
    const webhook = receiver({ url: hooks.url, secret, timeoutMs: 150, maxAttempts: 3, ...fastRetries });

    const startedAt = performance.now();
    const result = await webhook.send(firingBandwidthAlert());
    const elapsedMs = performance.now() - startedAt;

    expect(result).toMatchObject({
      delivered: false,
      attempts: 3,
      permanent: false,
      reason: 'no response within 150 ms',
    });
    expect(hooks.requests).toHaveLength(3);
    expect(elapsedMs).toBeGreaterThanOrEqual(3 * 150 - 5);
    expect(elapsedMs).toBeLessThan(3 * 150 + 2 * 20 + 1_000);
    expect(webhook.counters).toEqual({ sent: 0, failed: 1, retries: 2, inFlight: 0 });
  });

  it('waits as long as Retry-After asks, and gives up when it asks for more than maxDelayMs', async () => {
    const hooks = await server(secret, (_hook, index, res) =>
      index === 0 ? res.writeHead(429, { 'Retry-After': '1' }).end() : res.writeHead(204).end(),
    );
    const webhook = receiver({ url: hooks.url, secret, minDelayMs: 10, maxDelayMs: 2_000 });
    expect(await webhook.send(firingBandwidthAlert())).toMatchObject({ delivered: true, attempts: 2 });
    const [first, second] = hooks.requests;
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(990);

    const busy = await server(secret, (_hook, _index, res) => res.writeHead(503, { 'Retry-After': '120' }).end());
    const impatient = receiver({ url: busy.url, secret, minDelayMs: 10, maxDelayMs: 2_000 });
    const result = await impatient.send(firingBandwidthAlert());
    expect(result).toMatchObject({ delivered: false, attempts: 1, permanent: false });
    expect(!result.delivered && result.reason).toBe(
      'HTTP 503 Service Unavailable; server asked to retry after 120 s, beyond maxDelayMs',
    );
  });

  it('sends concurrently: a held request does not delay the next one', async () => {
    let releaseSlow: () => void = () => undefined;
    const hooks = await server(secret, (hook, _index, res) => {
      if ((JSON.parse(hook.body) as { rule: string }).rule === 'slow') releaseSlow = () => res.writeHead(200).end();
      else res.writeHead(200).end();
    });
    const webhook = receiver({ url: hooks.url, secret, ...fastRetries });

    let slowSettled = false;
    const slow = webhook.send(firingBandwidthAlert({ rule: 'slow' })).finally(() => (slowSettled = true));
    await hooks.requestNumber(1);
    expect(webhook.counters.inFlight).toBe(1);
    const fast = await webhook.send(firingBandwidthAlert({ rule: 'fast' }));

    expect(fast).toMatchObject({ delivered: true, attempts: 1 });
    expect(slowSettled).toBe(false);
    releaseSlow();
    expect(await slow).toMatchObject({ delivered: true, attempts: 1 });
    expect(webhook.counters).toEqual({ sent: 2, failed: 0, retries: 0, inFlight: 0 });
  });

  it('reports a network error in one line that holds no secret: not the URL path, the key or a header', async () => {
    const port = await closedLoopbackPort();
    const webhook = receiver({
      url: `http://127.0.0.1:${port}/services/T0KEN-IN-PATH?key=QUERY-TOKEN`,
      secret,
      headers: { Authorization: 'Bearer header-token-value' },
      maxAttempts: 2,
      ...fastRetries,
    });

    const result = await webhook.send(firingBandwidthAlert());

    expect(result).toMatchObject({
      delivered: false,
      attempts: 2,
      permanent: false,
      receiver: `webhook http://127.0.0.1:${port}`,
    });
    const reason = result.delivered ? '' : result.reason;
    expect(reason).toBe(`network error: connect ECONNREFUSED 127.0.0.1:${port}`);
    for (const secretText of ['T0KEN-IN-PATH', 'QUERY-TOKEN', 'header-token-value', secret])
      expect(reason).not.toContain(secretText);
  });

  it('close() ends a delivery waiting to retry at once', async () => {
    const hooks = await server(secret, (_hook, _index, res) => res.writeHead(503).end());
    let retryScheduled: (event: RetryEvent) => void = () => undefined;
    const firstRetry = new Promise<RetryEvent>((resolve) => (retryScheduled = resolve));
    const webhook = receiver({
      url: hooks.url,
      secret,
      minDelayMs: 60_000,
      maxDelayMs: 60_000,
      onRetry: (event) => retryScheduled(event),
    });
    const sending = webhook.send(firingBandwidthAlert());
    expect(await firstRetry).toMatchObject({
      attempt: 1,
      reason: 'HTTP 503 Service Unavailable',
      retryInMs: expect.any(Number),
    });

    webhook.close();

    expect(await sending).toMatchObject({
      delivered: false,
      attempts: 1,
      permanent: true,
      reason: 'receiver closed while waiting to retry (HTTP 503 Service Unavailable)',
    });
    expect(await webhook.send(firingBandwidthAlert())).toMatchObject({
      delivered: false,
      attempts: 0,
      reason: 'receiver closed',
    });
  });

  it('refuses unusable options with one clear line', () => {
    expect(() => createWebhookReceiver({ url: 'not a url' })).toThrow(
      new NotifyConfigError('webhook: url is not a valid URL'),
    );
    expect(() => createWebhookReceiver({ url: 'ftp://example.net/' })).toThrow(
      'webhook: url must be http or https, got ftp:',
    );
    expect(() => createWebhookReceiver({ url: 'https://user:pw@example.net/' })).toThrow(/must not hold user:password/);
    expect(() => createWebhookReceiver({ url: 'https://example.net/', maxAttempts: 0 })).toThrow(
      'webhook: maxAttempts must be a positive integer, got 0',
    );
  });
});
