import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNats, waitFor, type NatsHandle } from '../../../tests/harness/index.js';
import { LeaderLease } from './leader-lease.js';

let nats: NatsHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

const BUCKET = 'lease_test';

function replica(holder: string) {
  const errors: string[] = [];
  const changes: boolean[] = [];
  const lease = new LeaderLease(nc, {
    bucket: BUCKET,
    key: 'leader',
    holder,
    ttlMs: 1500,
    onChange: (leader) => changes.push(leader),
    onError: (e) => errors.push(e.message),
  });
  return { lease, errors, changes };
}

async function revision(): Promise<number> {
  return (await (await new Kvm(nc).open(BUCKET)).get('leader'))?.revision ?? 0;
}

describe('a lease held elsewhere is the normal way to lose: no error, no bucket recreated', () => {
  it('the second replica stands by while the first renews, and takes over once it stops', async () => {
    const a = replica('a');
    await a.lease.start();
    expect(a.lease.leader).toBe(true);
    const b = replica('b');
    await b.lease.start();
    // b's create meets a's key ("wrong last sequence") at every tick while a renews three times
    const first = await revision();
    await waitFor(async () => (await revision()) >= first + 3, { what: 'three renewals by a', timeoutMs: 10_000 });
    expect(b.lease.leader).toBe(false);
    expect(b.changes).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(b.lease.bucketsRecreated).toBe(0);

    await a.lease.stop();
    await waitFor(() => b.lease.leader, { what: 'b taking over', timeoutMs: 5_000 });
    expect(a.errors).toEqual([]);
    expect(a.changes).toEqual([true, false]);
    await b.lease.stop();
  });

  it('a leader whose key was written by someone else loses at its next renewal, silently', async () => {
    const a = replica('a');
    await a.lease.start();
    expect(a.lease.leader).toBe(true);
    // someone else's value: a's renewal names a revision that is no longer the key's
    await (await new Kvm(nc).open(BUCKET)).put('leader', new TextEncoder().encode('intruder'));
    await waitFor(() => !a.lease.leader, { what: 'a losing the lease', timeoutMs: 5_000 });
    expect(a.errors).toEqual([]);
    expect(a.lease.bucketsRecreated).toBe(0);
    await a.lease.stop();
  });
});
