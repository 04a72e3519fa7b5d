import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimeoutError } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { describeNatsError, readNkeySeed } from './connection.js';

describe('describeNatsError', () => {
  // What nats.js 3.4 throws when a TLS server that requires client certificates drops a client without one (seen with nats-server 2.9.10, verify: true).
  const timeout = new TimeoutError();

  it('says a TLS timeout without a client certificate may be a server asking for one', () => {
    expect(describeNatsError(timeout, { servers: ['tls://nats.example.net:4222'], tls: { caFile: 'ca.pem' } })).toBe(
      'timeout (if the NATS server requires client certificates, give one: --nats-cert and --nats-key)',
    );
  });

  it('adds nothing when a client certificate is configured, without TLS, or for other errors', () => {
    expect(
      describeNatsError(timeout, { servers: ['tls://n:4222'], tls: { certFile: 'c.pem', keyFile: 'k.pem' } }),
    ).toBe('timeout');
    expect(describeNatsError(timeout, { servers: ['nats://n:4222'] })).toBe('timeout');
    expect(describeNatsError(new Error('Authorization Violation'), { servers: ['tls://n:4222'] })).toBe(
      'Authorization Violation',
    );
    // nats.js's own TimeoutError, not a message that says "timeout"
    expect(describeNatsError(new Error('timeout'), { servers: ['tls://n:4222'] })).toBe('timeout');
    expect(describeNatsError(new Error('first line\nsecond'))).toBe('first line');
  });
});

describe('readNkeySeed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirewatch-seed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const seed = `SU${'A'.repeat(56)}`;

  it('finds the user seed in a file of its own or among comments (as nsc writes them)', () => {
    writeFileSync(join(dir, 'plain.nk'), `${seed}\n`);
    writeFileSync(join(dir, 'commented.nk'), `# the seed of edge-1\n\n  ${seed}  \n# end\n`);
    for (const file of ['plain.nk', 'commented.nk'])
      expect(new TextDecoder().decode(readNkeySeed(join(dir, file)))).toBe(seed);
  });

  it('says which file holds no seed, without echoing its contents', () => {
    writeFileSync(join(dir, 'wrong.nk'), 'hunter2\n');
    expect(() => readNkeySeed(join(dir, 'wrong.nk'))).toThrow(
      `${join(dir, 'wrong.nk')}: no user NKey seed (a line starting with SU)`,
    );
    expect(() => readNkeySeed(join(dir, 'wrong.nk'))).not.toThrow(/hunter2/);
  });
});
