import type { Socket as UdpSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';

/** Binds `socket` to host:port and resolves with the port it got. */
export function bindUdp(socket: UdpSocket, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    socket.once('error', failed);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', failed);
      resolve(socket.address().port);
    });
  });
}

export function closeUdp(socket: UdpSocket | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!socket) return resolve();
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // never bound, or closed already
    }
  });
}

export function listenTcp(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** Destroys the sockets and resolves once each has closed. */
export function destroyAll(sockets: Set<Socket>): Promise<void> {
  const closed = [...sockets].map(
    (socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))),
  );
  for (const socket of sockets) socket.destroy();
  return Promise.all(closed).then(() => undefined);
}

/** Stops `server` listening and closes its connections (`sockets`). */
export async function closeTcp(server: Server | undefined, sockets: Set<Socket>): Promise<void> {
  const stopped = new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
  await destroyAll(sockets);
  await stopped;
}

/** Keeps `socket` in `set` until it closes. */
export function track(set: Set<Socket>, socket: Socket): Socket {
  set.add(socket);
  socket.once('close', () => set.delete(socket));
  return socket;
}
