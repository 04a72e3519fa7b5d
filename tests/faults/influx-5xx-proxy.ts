import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real InfluxDB that can refuse every write with a 5xx of our choosing
 * (`/ping` and queries always pass), and counts the writes it refused and passed.
 */
export interface RefusingProxy {
  url: string;
  /** 503, 500...: every write is answered with it; null: writes pass through. */
  refuseWith: number | null;
  readonly refused: Map<number, number>;
  /** Writes passed through, and what InfluxDB answered them. */
  readonly passed: Map<number, number>;
  close(): Promise<void>;
}

export async function startRefusingProxy(upstream: string): Promise<RefusingProxy> {
  const target = new URL(upstream);
  const proxy: RefusingProxy = {
    url: '',
    refuseWith: null,
    refused: new Map(),
    passed: new Map(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const bump = (m: Map<number, number>, status: number) => m.set(status, (m.get(status) ?? 0) + 1);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const isWrite = req.method === 'POST' && /^\/(write|api\/v2\/write)\b/.test(req.url ?? '');
    const status = proxy.refuseWith;
    if (isWrite && status !== null) {
      req.resume();
      req.on('end', () => {
        bump(proxy.refused, status);
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `refused by the test proxy (${status})` }));
      });
      return;
    }
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (isWrite) bump(proxy.passed, answer.statusCode ?? 0);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
