import { gunzipSync } from 'node:zlib';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A database without partial writes, made of a real influxd: every write is first tried on a dry-run
 * database (`<db>_dryrun`, created by the test with the same retention); if influxd refuses any of it
 * there, the whole write is refused with influxd's answer and nothing reaches the real database.
 */
export interface AllOrNothingProxy {
  url: string;
  dryRunDatabase(db: string): string;
  /** Writes refused whole (none of their lines stored). */
  refusedWhole: number;
  /** Writes passed to the real database. */
  passed: number;
  close(): Promise<void>;
}

async function send(
  url: URL,
  method: string,
  headers: IncomingMessage['headers'],
  body: Buffer,
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, host: url.host, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function startAllOrNothingProxy(upstream: string): Promise<AllOrNothingProxy> {
  const dryRunDatabase = (db: string) => `${db}_dryrun`;
  const proxy: AllOrNothingProxy = {
    url: '',
    dryRunDatabase,
    refusedWhole: 0,
    passed: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const target = new URL(req.url ?? '/', upstream);
    const db = target.searchParams.get('db');
    if (req.method === 'POST' && target.pathname === '/write' && db) {
      const dry = new URL(target);
      dry.searchParams.set('db', dryRunDatabase(db));
      const tried = await send(dry, 'POST', req.headers, body);
      if (tried.status >= 300) {
        proxy.refusedWhole++;
        res
          .writeHead(tried.status, { 'content-type': tried.headers['content-type'] ?? 'application/json' })
          .end(tried.body);
        return;
      }
      proxy.passed++;
    }
    const answer = await send(target, req.method ?? 'GET', req.headers, body);
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(502).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}

/**
 * A gateway in front of a real influxd that answers `status` (a 4xx the collector cannot read as bad
 * data: not 400/413/422, nor 401/403/404) to every write whose body contains `marker`; the rest pass.
 */
export interface MarkerRefusingProxy {
  url: string;
  /** Writes refused (they contained the marker). */
  refused: number;
  close(): Promise<void>;
}

export async function startMarkerRefusingProxy(
  upstream: string,
  marker: string,
  status: number,
): Promise<MarkerRefusingProxy> {
  const proxy: MarkerRefusingProxy = {
    url: '',
    refused: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
    if (req.method === 'POST' && text.includes(marker)) {
      proxy.refused++;
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `refused by the gateway (${status})` }));
      return;
    }
    const answer = await send(new URL(req.url ?? '/', upstream), req.method ?? 'GET', req.headers, body);
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(502).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}
