import { createServer, type Server } from 'node:net';

function listenOnAnyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve({ server, port: address.port });
      else reject(new Error('the kernel gave no port'));
    });
  });
}

/**
 * `count` distinct TCP ports on 127.0.0.1 that were free a moment ago: the kernel picks them while
 * all are held, so one server's two ports never collide; then they are released for the server.
 */
export async function freePorts(count: number): Promise<number[]> {
  const held = [];
  try {
    for (let i = 0; i < count; i++) held.push(await listenOnAnyPort());
    return held.map(({ port }) => port);
  } finally {
    await Promise.all(held.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}
