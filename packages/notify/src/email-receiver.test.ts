import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationReceiver } from './delivery.js';
import { createEmailReceiver, type EmailReceiverOptions } from './email-receiver.js';
import { firingBandwidthAlert } from './test-support/notifications.js';
import { parseRawMail } from './test-support/raw-mail.js';
import { createSelfSignedCert, type SelfSignedCert } from './test-support/self-signed-cert.js';
import {
  startSmtpTestServer,
  type SmtpTestServer,
  type SmtpTestServerOptions,
} from './test-support/smtp-test-server.js';
import { closedLoopbackPort } from './test-support/webhook-test-server.js';

const password = 'p4ss-w0rd-never-shown';
const users = { alerts: password };
const fastRetries = { minDelayMs: 10, maxDelayMs: 20, timeoutMs: 5_000 };
const servers: SmtpTestServer[] = [];
const receivers: NotificationReceiver[] = [];
let cert: SelfSignedCert;

beforeAll(async () => {
  cert = await createSelfSignedCert();
});
afterAll(() => cert.remove());
afterEach(async () => {
  for (const receiver of receivers.splice(0)) receiver.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function smtpServer(options: Omit<SmtpTestServerOptions, 'users'> = {}): Promise<SmtpTestServer> {
  const server = await startSmtpTestServer({ users, ...options });
  servers.push(server);
  return server;
}

function emailReceiver(port: number, options: Partial<EmailReceiverOptions> = {}): NotificationReceiver {
  const receiver = createEmailReceiver({
    host: '127.0.0.1',
    port,
    auth: { user: 'alerts', pass: password },
    from: 'wirewatch <alerts@wirewatch.test>',
    to: ['oncall@example.test', 'netops@example.test'],
    ...fastRetries,
    ...options,
  });
  receivers.push(receiver);
  return receiver;
}

describe('e-mail receiver', () => {
  it.each(['PLAIN', 'LOGIN'])('authenticates with AUTH %s and delivers text and HTML bodies', async (method) => {
    const server = await smtpServer({ authMethods: [method] });
    const receiver = emailReceiver(server.port, { starttls: 'off' });
    const notification = firingBandwidthAlert({
      labels: { sensor: 'edge-1', interface: 'eth0', note: '<b>x</b> & "y"' },
    });

    const result = await receiver.send(notification);

    expect(result).toMatchObject({ delivered: true, attempts: 1, receiver: `email smtp://127.0.0.1:${server.port}` });
    expect(server.authAttempts).toEqual([{ method, username: 'alerts', accepted: true, secure: false }]);
    expect(server.messages).toHaveLength(1);
    const received = server.messages[0];
    expect(received).toMatchObject({
      user: 'alerts',
      from: 'alerts@wirewatch.test',
      to: ['oncall@example.test', 'netops@example.test'],
    });

    const mail = parseRawMail(received.raw);
    expect(mail.headers.get('subject')).toBe('[FIRING critical] high-bandwidth on edge-1');
    expect(mail.headers.get('from')).toBe('wirewatch <alerts@wirewatch.test>');
    expect(mail.headers.get('to')).toBe('oncall@example.test, netops@example.test');
    expect(mail.headers.get('x-wirewatch-state')).toBe('firing');
    expect(mail.headers.get('x-wirewatch-dedup-key')).toBe(notification.dedupKey);
    expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative/);

    const text = mail.parts.find((part) => part.contentType.startsWith('text/plain'))!.body;
    expect(text).toContain('bytes/s on edge-1 eth0 above 50 MB/s');
    expect(text).toMatch(/Value: +72\.4 MB\/s \(threshold 50 MB\/s\)/);
    expect(text).toMatch(/Firing since: +2024-05-01T10:00:00\.000Z \(12m 30s\)/);
    expect(text).toMatch(/Severity: +critical/);
    expect(text).toContain('  note = <b>x</b> & "y"');
    expect(text).toContain(notification.dashboardUrl);

    const html = mail.parts.find((part) => part.contentType.startsWith('text/html'))!.body;
    expect(html).toContain('72.4 MB/s (threshold 50 MB/s)');
    expect(html).toContain('<code>&#60;b&#62;x&#60;/b&#62; &#38; &#34;y&#34;</code>');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain(
      '<a href="https://grafana.example.net/d/wirewatch-traffic?var-sensor=edge-1&#38;from=now-1h">',
    );
    expect(receiver.counters).toEqual({ sent: 1, failed: 0, retries: 0, inFlight: 0 });
  });

  it('upgrades with STARTTLS (certificate checked against the given CA) before it authenticates', async () => {
    const server = await smtpServer({ tls: { key: cert.key, cert: cert.cert } });
    const receiver = emailReceiver(server.port, { starttls: 'required', tls: { ca: cert.cert } });

    expect(await receiver.send(firingBandwidthAlert())).toMatchObject({ delivered: true, attempts: 1 });
    expect(
      await receiver.send(firingBandwidthAlert({ state: 'resolved', at: '2024-05-01T10:30:00.000Z' })),
    ).toMatchObject({ delivered: true });

    expect(server.authAttempts.map((attempt) => attempt.secure)).toEqual([true, true]);
    expect(server.messages.map((message) => message.secure)).toEqual([true, true]);
    const [firing, resolved] = server.messages.map((message) => parseRawMail(message.raw));
    expect(resolved.headers.get('subject')).toBe('[RESOLVED] high-bandwidth on edge-1');
    expect(resolved.headers.get('references')).toBe(firing.headers.get('references'));
    expect(firing.headers.get('references')).toMatch(/^<[0-9a-f]{32}@wirewatch\.alert>$/);
  });

  it('refuses a certificate it cannot verify: failed at once, nothing sent', async () => {
    const server = await smtpServer({ tls: { key: cert.key, cert: cert.cert } });
    const receiver = emailReceiver(server.port, { starttls: 'required' });

    const result = await receiver.send(firingBandwidthAlert());

    expect(result).toMatchObject({ delivered: false, attempts: 1, permanent: true });
    expect(!result.delivered && result.reason).toBe('self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(server.authAttempts).toEqual([]);
  });

  it('does not send a password in clear: with auth, STARTTLS is required unless turned off', async () => {
    const server = await smtpServer();
    const receiver = emailReceiver(server.port);

    const result = await receiver.send(firingBandwidthAlert());

    expect(result).toMatchObject({ delivered: false, attempts: 1, permanent: true });
    expect(!result.delivered && result.reason).toBe(
      "server refused STARTTLS, which starttls 'required' needs: SMTP 500 Error: command not recognized",
    );
    expect(server.authAttempts).toEqual([]);
  });

  it('fails a bad password at once with one line that does not hold the password', async () => {
    const server = await smtpServer();
    const receiver = emailReceiver(server.port, {
      starttls: 'off',
      auth: { user: 'alerts', pass: 'wrong-Secret-123' },
    });

    const result = await receiver.send(firingBandwidthAlert());

    expect(result).toMatchObject({
      delivered: false,
      attempts: 1,
      permanent: true,
      reason: 'SMTP 535 Authentication credentials invalid (AUTH PLAIN)',
    });
    const reason = result.delivered ? '' : result.reason;
    expect(reason).not.toContain('wrong-Secret-123');
    expect(reason).not.toMatch(/\n/);
    expect(server.messages).toEqual([]);
    expect(receiver.counters).toEqual({ sent: 0, failed: 1, retries: 0, inFlight: 0 });
  });

  it('retries a transient 451 and delivers on the next attempt', async () => {
    const server = await smtpServer({ rejectData: [{ responseCode: 451, message: 'Local error, try again later' }] });
    const receiver = emailReceiver(server.port, { starttls: 'off' });

    const result = await receiver.send(firingBandwidthAlert());

    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    expect(server.dataCommands).toBe(2);
    expect(server.messages).toHaveLength(1);
    expect(receiver.counters).toEqual({ sent: 1, failed: 0, retries: 1, inFlight: 0 });
  });

  it('does not retry a permanent 550 on the message', async () => {
    const server = await smtpServer({ rejectData: [{ responseCode: 550, message: 'Message refused' }] });
    const receiver = emailReceiver(server.port, { starttls: 'off' });

    const result = await receiver.send(firingBandwidthAlert());

    expect(result).toMatchObject({ delivered: false, attempts: 1, permanent: true });
    expect(!result.delivered && result.reason).toMatch(/^SMTP 550 Message refused/);
    expect(server.dataCommands).toBe(1);
  });

  it('retries a refused connection up to maxAttempts', async () => {
    const port = await closedLoopbackPort();
    const receiver = emailReceiver(port, { starttls: 'off', maxAttempts: 3 });

    const result = await receiver.send(firingBandwidthAlert());

    expect(result).toMatchObject({ delivered: false, attempts: 3, permanent: false });
    expect(!result.delivered && result.reason).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(receiver.counters).toEqual({ sent: 0, failed: 1, retries: 2, inFlight: 0 });
  });

  it('bounds each attempt by timeoutMs when the server never greets', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const receiver = emailReceiver((silent.address() as AddressInfo).port, {
        starttls: 'off',
        timeoutMs: 150,
        maxAttempts: 2,
      });
      const startedAt = performance.now();
      const result = await receiver.send(firingBandwidthAlert());
      const elapsedMs = performance.now() - startedAt;

      expect(result).toMatchObject({ delivered: false, attempts: 2, permanent: false });
      expect(!result.delivered && result.reason).toMatch(/within 150 ms|Greeting never received/);
      expect(elapsedMs).toBeGreaterThanOrEqual(2 * 150 - 5);
      expect(elapsedMs).toBeLessThan(2 * 150 + 20 + 1_000);
    } finally {
      silent.close();
    }
  });

  it('refuses unusable options with one clear line', () => {
    const base = { host: 'mail.example.test', port: 587, from: 'a@example.test', to: ['b@example.test'] };
    expect(() => createEmailReceiver({ ...base, port: 0 })).toThrow('email: port must be 1-65535, got 0');
    expect(() => createEmailReceiver({ ...base, to: [] })).toThrow('email: to needs at least one address');
    expect(() => createEmailReceiver({ ...base, secure: true, starttls: 'off' })).toThrow(
      /starttls applies only without secure/,
    );
  });
});
