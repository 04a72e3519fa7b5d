import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { LeaderLease } from '@wirewatch/bus';
import { ROOT } from '../corpus/corpus.js';
import { startLabNats, type LabNats } from '../deploy/lab-nats.js';
import { waitFor } from '../harness/index.js';
import { connect } from '../harness/nats-client.js';

/**
 * A replica whose NATS user may not write the lease bucket can never lead. That must be said, not
 * just stood by: on the lab's own NATS configuration, the collector user may write its lease bucket;
 * added to it, a user with the JetStream API but no `$KV.>` (the lab's users have no such half-right).
 */
const env = Object.fromEntries(
  readFileSync(join(ROOT, 'deploy/.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^NATS_\w+_PASSWORD=/.test(line))
    .map((line) => line.split('=') as [string, string]),
);

let nats: LabNats;
beforeAll(async () => {
  nats = await startLabNats('nats.conf', env, undefined, [NO_KV_USER]);
}, 30_000);
afterAll(async () => nats?.server.dispose());

const NO_KV_USER = '{ user: no-kv, password: no-kv, permissions: { publish: ["$JS.API.>"], subscribe: ["_INBOX.>"] } }';

async function lease(user: 'no-kv' | 'collector') {
  const nc =
    user === 'no-kv'
      ? await connect({ servers: nats.url, user, pass: 'no-kv' })
      : await connect({ servers: nats.url, user, pass: env.NATS_COLLECTOR_PASSWORD, inboxPrefix: '_INBOX.collector' });
  const errors: string[] = [];
  const changes: boolean[] = [];
  const l = new LeaderLease(nc, {
    bucket: 'wirewatch_collectors',
    key: 'k',
    holder: user,
    ttlMs: 1500,
    onChange: (leader) => changes.push(leader),
    onError: (e) => errors.push(e.message),
  });
  await l.start();
  return { l, nc, errors, changes };
}

describe('leader lease errors', () => {
  it('reports a lease it may not write, once, and never leads; a permitted replica leads without errors', async () => {
    const denied = await lease('no-kv');
    await waitFor(() => denied.errors.length > 0, { what: 'the lease error reported', timeoutMs: 20_000 });
    const allowed = await lease('collector');
    await waitFor(() => allowed.l.leader, { what: 'the permitted replica leads', timeoutMs: 10_000 });
    // Three renewals later (each a new revision of the key), the denied replica has tried as often and
    // its one error was not repeated.
    const kv = await new Kvm(allowed.nc).open('wirewatch_collectors');
    const revision = async () => (await kv.get('k'))?.revision ?? 0;
    const first = await revision();
    await waitFor(async () => (await revision()) >= first + 3, { what: 'three renewals', timeoutMs: 10_000 });
    expect(denied.errors).toHaveLength(1);
    expect(denied.errors[0]).toMatch(/permission|timeout/i);
    expect(denied.l.leader).toBe(false);
    expect(denied.changes).toEqual([]);
    expect(allowed.errors).toEqual([]);
    for (const x of [denied, allowed]) {
      await x.l.stop();
      await x.nc.close();
    }
  }, 60_000);
});
