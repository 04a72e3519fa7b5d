/**
 * Setup file of `pnpm test:unit` (vitest.unit.config.ts): a unit test works on plain objects and
 * files, so starting a process, listening, connecting or sending a datagram fails it at once with one
 * line that says where such a test belongs, instead of making the quick suite slow or dependent on
 * servers and peers.
 */
import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

function refuse(what: string): never {
  throw new Error(
    `a unit test may not ${what}: list the test file in UNIT_EXCLUDE in vitest.unit.config.ts (it stays in \`pnpm test\`)`,
  );
}

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  Object.defineProperty(childProcess, name, {
    value: () => refuse(`start a process (child_process.${name})`),
    configurable: true,
    writable: true,
  });
}
net.Server.prototype.listen = () => refuse('listen on a socket');
net.Socket.prototype.connect = () => refuse('open a connection');
dgram.Socket.prototype.bind = () => refuse('bind a UDP socket');
dgram.Socket.prototype.send = () => refuse('send a datagram');
globalThis.fetch = () => refuse('fetch');
// Named imports of node: modules (import { spawn } from 'node:child_process') see the change too.
syncBuiltinESMExports();
