import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { LeaderLease } from '../../packages/bus/src/index.js';
import { ROOT } from '../corpus/corpus.js';
import { startLabNats, type LabNats } from '../deploy/lab-nats.js';
import { waitFor } from '../harness/index.js';
import { connect } from '../harness/nats-client.js';

/**
 * A replica whose NATS user may not write the lease bucket can never lead. That must be said, not
 * just stood by: on the lab's own NATS configuration the sensor user has the JetStream API but no
 * `$KV.>`, the collector user has both.
 */
const env = Object.fromEntries(
  readFileSync(join(ROOT, 'deploy/.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^NATS_\w+_PASSWORD=/.test(line))
    .map((line) => line.split('=') as [string, string]),
);

let nats: LabNats;
beforeAll(async () => {
  nats = await startLabNats('nats.conf', env);
}, 30_000);
afterAll(async () => nats?.server.dispose());

async function lease(user: 'sensor' | 'collector') {
  const nc = await connect({ servers: nats.url, user, pass: env[`NATS_${user.toUpperCase()}_PASSWORD`] });
  const errors: string[] = [];
  const changes: boolean[] = [];
  const l = new LeaderLease(nc, { bucket: 'lease_test', key: 'k', holder: user, ttlMs: 1500, onChange: (leader) => changes.push(leader), onError: (e) => errors.push(e.message) });
  await l.start();
  return { l, nc, errors, changes };
}

describe('leader lease errors', () => {
  it('reports a lease it may not write, once, and never leads; a permitted replica leads without errors', async () => {
    const denied = await lease('sensor');
    await waitFor(() => denied.errors.length > 0, { what: 'the lease error reported', timeoutMs: 20_000 });
    const allowed = await lease('collector');
    await waitFor(() => allowed.l.leader, { what: 'the permitted replica leads', timeoutMs: 10_000 });
    // Three renewals later (each a new revision of the key), the denied replica has tried as often and
    // its one error was not repeated.
    const kv = await new Kvm(allowed.nc).open('lease_test');
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
