import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte on a fresh socket: unlike fetch (or fastify's inject),
 * nothing normalises the path first, so `/x/../api`, `//api` or `/api%2Frules` reach the server as sent.
 */
export function rawRequest(
  to: { host: string; port: number },
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(to.port, to.host);
    const lines = [`${method} ${target} HTTP/1.1`, `host: ${to.host}:${to.port}`, 'connection: close'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (body !== undefined) lines.push(`content-length: ${Buffer.byteLength(body)}`);
    // Not end(): a server that sees the client's FIN may close before it answers. `connection: close` ends it.
    socket.on('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      if (status === undefined)
        return reject(new Error(`${method} ${target}: no HTTP response (${JSON.stringify(text.slice(0, 80))})`));
      const head = text.indexOf('\r\n\r\n');
      resolve({ status: Number(status), body: head === -1 ? '' : text.slice(head + 4) });
    });
  });
}
