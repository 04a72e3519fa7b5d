import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, type WebhookVerification } from '../webhook-signature.js';

export interface ReceivedHook {
  body: string;
  headers: IncomingHttpHeaders;
  verification: WebhookVerification;
  receivedAt: number;
}

export interface WebhookTestServer {
  url: string;
  requests: ReceivedHook[];
  /** Resolves when the n-th request (1-based) has arrived. */
  requestNumber(n: number): Promise<ReceivedHook>;
  close(): Promise<void>;
}

/** A node:http webhook endpoint on a free loopback port that checks every request's signature. */
export async function startWebhookTestServer(
  secret: string,
  respond: (hook: ReceivedHook, index: number, res: ServerResponse) => void,
): Promise<WebhookTestServer> {
  const requests: ReceivedHook[] = [];
  const waiters = new Map<number, (hook: ReceivedHook) => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const hook: ReceivedHook = {
        body: raw.toString('utf8'),
        headers: req.headers,
        verification: verifyWebhookSignature(raw, req.headers, secret, 60_000),
        receivedAt: performance.now(),
      };
      requests.push(hook);
      waiters.get(requests.length)?.(hook);
      respond(hook, requests.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/wirewatch`,
    requests,
    requestNumber(n) {
      const arrived = requests[n - 1];
      return arrived ? Promise.resolve(arrived) : new Promise((resolve) => waiters.set(n, resolve));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
