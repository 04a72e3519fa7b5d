/**
 * What the collector's and the alerter's JetStream rights amount to, on a real nats-server with the
 * shipped accounts (nats.conf and, as three nodes, cluster.conf): they create missing streams and
 * their own consumers, and cannot change an existing stream (no STREAM.UPDATE; a CREATE of an existing
 * stream with another configuration is refused by the server). Changing a stream is the operator's
 * step, `wirewatch streams apply`.
 */
import { spawnSync } from 'node:child_process';
import { AckPolicy, jetstream, jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { nanos } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDurableConsumer, ensureStreams, streamSettings } from '@wirewatch/bus';
import { HEARTBEAT_SUBJECTS, SUMMARY_SUBJECTS } from '@wirewatch/protocol';
import { buildCli } from '../../scripts/build-cli.mjs';
import { labNats, startLabNats, type LabNats } from '../deploy/lab-nats.js';
import { freePorts, waitFor } from '../harness/index.js';
import { startOrDispose } from '../harness/server-control.js';
import { connectAs, LAB_NATS_ENV, refusedPublish, type WatchedConnection } from './nats-users.js';

const VIOLATION = /permissions violation/i;
const DAY = 24 * 3600;

let bundle: Promise<string> | undefined;
/** The CLI bundle, built by the one test that runs it. */
const cliBundle = () => (bundle ??= buildCli());

describe.each([
  ['nats.conf', 1],
  ['cluster.conf', 3],
] as const)('stream rights of the shipped accounts on %s', (config, replicas) => {
  let servers: LabNats[];
  let urls: string[];
  const open: WatchedConnection[] = [];
  const as = async (user: Parameters<typeof connectAs>[1]) => {
    const c = await connectAs(urls, user);
    open.push(c);
    return c;
  };
  const configOf = async (name: string): Promise<StreamConfig> =>
    (await (await jetstreamManager((await as('operator')).nc)).streams.info(name)).config;
  /** `wirewatch streams apply` as a lab user, against these servers. */
  const streamsApply = (cli: string, user: 'operator' | 'collector', ...flags: string[]) =>
    spawnSync(process.execPath, [cli, 'streams', 'apply', '--nats', urls.join(','), '--nats-user', user, ...flags], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        WIREWATCH_NATS_PASSWORD: LAB_NATS_ENV[`NATS_${user.toUpperCase()}_PASSWORD`],
        WIREWATCH_NATS_INBOX_PREFIX: user === 'collector' ? '_INBOX.collector' : '',
      },
      timeout: 30_000,
    });

  /** What a collector does at start, as its own user: the streams where missing, its three consumers. */
  async function collectorSetUp(streamReplicas: number): Promise<void> {
    const jsm = await ensureStreams((await as('collector')).nc, { replicas: streamReplicas });
    for (const name of ['collector-summaries', 'collector-fleet'])
      await ensureDurableConsumer(jsm, { name, filterSubject: SUMMARY_SUBJECTS });
    await ensureDurableConsumer(jsm, { name: 'collector-heartbeats', filterSubject: HEARTBEAT_SUBJECTS });
  }

  beforeAll(async () => {
    if (config === 'nats.conf') {
      servers = [await startLabNats(config, LAB_NATS_ENV)];
    } else {
      const routePorts = await freePorts(3);
      servers = await Promise.all(
        [0, 1, 2].map((i) =>
          labNats(config, { ...LAB_NATS_ENV, NATS_SERVER_NAME: `nats-${i}` }, { routePort: routePorts[i], routePorts }),
        ),
      );
      await Promise.all(servers.map((s) => startOrDispose(s.server)));
      await waitFor(
        async () => {
          const jsz = await Promise.all(
            servers.map(
              async (n) =>
                (await (await fetch(`${n.monitorUrl}/jsz`)).json()) as {
                  meta_cluster?: { leader?: string; cluster_size?: number };
                },
            ),
          );
          return jsz.every((j) => j.meta_cluster?.leader && j.meta_cluster.cluster_size === 3);
        },
        { what: 'a JetStream meta leader seen by all three nodes', timeoutMs: 30_000 },
      );
    }
    urls = servers.map((s) => s.url);
    // What the services do at start, as their own users, on an empty store.
    await collectorSetUp(replicas);
    const alerter = await as('alerter');
    await ensureStreams(alerter.nc, { replicas });
    await new Kvm(alerter.nc).create('wirewatch_alerter', { history: 1, replicas });
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.nc.close()));
    await Promise.allSettled((servers ?? []).map((s) => s.server.dispose()));
  });

  it.each(['collector', 'alerter'] as const)(
    'the %s may not update a stream: STREAM.UPDATE is refused for each of them, KV buckets included',
    async (user) => {
      const c = await as(user);
      const jsm = await jetstreamManager(c.nc);
      const before = await configOf('WIREWATCH');
      await expect(
        jsm.streams.update('WIREWATCH', {
          sources: [{ name: user === 'collector' ? 'KV_wirewatch_collectors' : 'KV_wirewatch_alerter' }],
        }),
        'sources',
      ).rejects.toThrow(VIOLATION);
      // nats.js's update type leaves out `sealed`, which the server's update takes
      await expect(
        jsm.streams.update('WIREWATCH', { sealed: true } as Parameters<typeof jsm.streams.update>[1]),
        'sealed',
      ).rejects.toThrow(VIOLATION);
      await expect(jsm.streams.update('WIREWATCH', { max_bytes: 1024 }), 'max_bytes').rejects.toThrow(VIOLATION);
      await expect(
        jsm.streams.update('WIREWATCH_DEADLETTER', { republish: { src: '>', dest: 'wirewatch.v1.summary.>' } }),
        'republish',
      ).rejects.toThrow(VIOLATION);
      const bucket = user === 'collector' ? 'wirewatch_collectors' : 'wirewatch_alerter';
      // the bucket of its own, created as the service creates it (the lease's)
      await new Kvm(c.nc).create(bucket, { history: 1, replicas });
      expect(await refusedPublish(c, `$JS.API.STREAM.UPDATE.KV_${bucket}`)).toMatch(VIOLATION);
      expect(await configOf('WIREWATCH')).toEqual(before);
    },
  );

  it('a CREATE of an existing stream with sources, a republish or a seal is refused by nats-server, and the stream stays as it was', async () => {
    const c = await as('collector');
    const jsm = await jetstreamManager(c.nc);
    for (const name of ['WIREWATCH', 'WIREWATCH_DEADLETTER']) {
      const before = await configOf(name);
      const altered: Array<[string, Partial<StreamConfig>]> = [
        ['sources', { sources: [{ name: 'KV_wirewatch_alerter' }] }],
        // copies of every message stored: into the alerter's KV, or from the dead letters onto a sensor's subjects
        [
          'republish',
          {
            republish:
              name === 'WIREWATCH'
                ? { src: '>', dest: '$KV.wirewatch_alerter.>' }
                : { src: '>', dest: 'wirewatch.v1.summary.>' },
          },
        ],
        ['sealed', { sealed: true }],
        ['smaller limits', { max_bytes: 1024, max_age: nanos(600_000) }],
      ];
      for (const [what, change] of altered) {
        // "already in use" (with a different configuration); a seal is refused on any create
        await expect(jsm.streams.add({ ...before, ...change }), `${name}: ${what}`).rejects.toThrow(
          what === 'sealed' ? /can not be sealed/i : /already in use/i,
        );
      }
      // The same configuration again is what a service's idempotent create sends: accepted, nothing changed.
      await jsm.streams.add(before);
      expect(await configOf(name)).toEqual(before);
    }
  });

  it('the streams lost (as with the NATS store), the collector creates them again with create rights alone; a sensor meanwhile hears a timeout', async () => {
    const op = await jetstreamManager((await as('operator')).nc);
    const settings = streamSettings({ replicas });
    for (const s of settings) await op.streams.delete(s.name);
    // Meanwhile a sensor's publish is not answered: through its account's service import it hears a
    // timeout, where a sensor inside WIREWATCH heard "no responders" (tests/pipeline/publish-hint.test.ts).
    const sensor = await as('sensor');
    await expect(
      jetstream(sensor.nc, { timeout: 1000 }).publish('wirewatch.v1.summary.lab', new TextEncoder().encode('{}')),
    ).rejects.toThrow(/timeout/i);
    await collectorSetUp(replicas);
    for (const s of settings) expect((await configOf(s.name)).num_replicas).toBe(replicas);
  });

  it("a service whose settings differ leaves the stream as it is and warns once, naming the difference and how to apply it; the operator's `wirewatch streams apply` applies it", async () => {
    const cli = await cliBundle();
    // Settings changed since the stream was made: here an operator shortened max_age by hand (and on the
    // cluster the stream was made with one replica, as by a service started with the default).
    const op = await jetstreamManager((await as('operator')).nc);
    const before = await configOf('WIREWATCH');
    if (replicas > 1) {
      await op.streams.delete('WIREWATCH');
      await collectorSetUp(1);
    }
    await op.streams.update('WIREWATCH', { ...(await configOf('WIREWATCH')), max_age: nanos(3600 * 1000) });
    const drifted = await configOf('WIREWATCH');

    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    await ensureStreams(
      (await as('collector')).nc,
      { replicas },
      { warn: (fields, message) => warnings.push({ fields: fields as Record<string, unknown>, message }) },
    );
    expect(warnings).toHaveLength(1);
    const expected = [`WIREWATCH max_age: 3600 s on NATS, ${DAY} s in the settings`];
    if (replicas > 1) expected.unshift(`WIREWATCH num_replicas: 1 on NATS, ${replicas} in the settings`);
    expect(warnings[0].fields.differences).toEqual(expected);
    expect(String(warnings[0].fields.apply)).toContain('wirewatch streams apply');
    expect(warnings[0].message).toMatch(/left as they are/);
    expect(await configOf('WIREWATCH')).toEqual(drifted);

    // The collector's user may not apply it: one line, the reason, the way out.
    const refused = streamsApply(cli, 'collector', '--replicas', String(replicas));
    expect(refused.status, refused.stderr).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^wirewatch: cannot apply the stream settings: .*permissions violation.*run this as the NATS operator user/i,
    );

    const applied = streamsApply(cli, 'operator', '--replicas', String(replicas));
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toBe(`WIREWATCH: updated (${expected.join('; ')})\nWIREWATCH_DEADLETTER: unchanged\n`);
    const after = await configOf('WIREWATCH');
    expect(after.max_age).toBe(nanos(DAY * 1000));
    expect(after.num_replicas).toBe(replicas);
    expect({ ...after, max_age: before.max_age, num_replicas: before.num_replicas }).toEqual({ ...before });
    await waitFor(
      async () => (await op.streams.info('WIREWATCH')).cluster?.replicas?.length === replicas - 1 || replicas === 1,
      { what: `${replicas} replicas of WIREWATCH`, timeoutMs: 20_000 },
    );

    // Nothing left to apply: the services are quiet, and the command says so.
    const quiet: string[] = [];
    await ensureStreams((await as('alerter')).nc, { replicas }, { warn: (_, message) => quiet.push(message) });
    expect(quiet).toEqual([]);
    expect(streamsApply(cli, 'operator', '--replicas', String(replicas)).stdout).toBe(
      'WIREWATCH: unchanged\nWIREWATCH_DEADLETTER: unchanged\n',
    );
  }, 60_000);

  it('what remains: a stream missing after a lost store may be created by a service with a configuration of its choosing (a republish); the other services warn; `wirewatch streams apply` says NATS cannot remove it in place, and once the operator deleted the stream creates it as the settings say', async () => {
    const cli = await cliBundle();
    const op = await jetstreamManager((await as('operator')).nc);
    await op.streams.delete('WIREWATCH_DEADLETTER');
    const [, deadLetters] = streamSettings({ replicas });
    const republish = { src: '>', dest: 'wirewatch.v1.summary.>' };
    await (await jetstreamManager((await as('collector')).nc)).streams.add({ ...deadLetters, republish });
    const warnings: Array<Record<string, unknown>> = [];
    await ensureStreams(
      (await as('alerter')).nc,
      { replicas },
      { warn: (fields) => warnings.push(fields as Record<string, unknown>) },
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        differences: [`WIREWATCH_DEADLETTER republish: ${JSON.stringify(republish)} on NATS, none in the settings`],
      }),
    ]);
    // nats-server 2.9.10 refuses to change a republish by update
    const refused = streamsApply(cli, 'operator', '--replicas', String(replicas));
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^wirewatch: cannot apply the stream settings: .*RePublish.*delete the stream as the operator/i,
    );
    await op.streams.delete('WIREWATCH_DEADLETTER');
    const applied = streamsApply(cli, 'operator', '--replicas', String(replicas));
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toBe('WIREWATCH: unchanged\nWIREWATCH_DEADLETTER: created\n');
    expect((await configOf('WIREWATCH_DEADLETTER')).republish).toBeUndefined();
  }, 60_000);

  describe('its own consumers', () => {
    it('consumer create is allowed with its own filter only: another filter, the legacy durable create and a filterless create are refused', async () => {
      const c = await as('collector');
      const jsm = await jetstreamManager(c.nc);
      await expect(
        jsm.consumers.add('WIREWATCH', { durable_name: 'collector-summaries', filter_subject: 'wirewatch.v1.alert.>' }),
      ).rejects.toThrow(VIOLATION);
      for (const subject of [
        '$JS.API.CONSUMER.DURABLE.CREATE.WIREWATCH.collector-summaries',
        '$JS.API.CONSUMER.CREATE.WIREWATCH.collector-summaries',
        '$JS.API.CONSUMER.CREATE.WIREWATCH.collector-summaries.wirewatch.v1.alert.>',
        '$JS.API.CONSUMER.CREATE.WIREWATCH.collector-heartbeats.wirewatch.v1.summary.>',
      ]) {
        expect(await refusedPublish(c, subject), subject).toMatch(VIOLATION);
      }
    });

    it('a filter that does not match the create subject is refused by nats-server', async () => {
      const c = await as('collector');
      // Allowed subject, another filter in the request: the server compares the two.
      const reply = await c.nc.request(
        '$JS.API.CONSUMER.CREATE.WIREWATCH.collector-summaries.wirewatch.v1.summary.>',
        JSON.stringify({
          stream_name: 'WIREWATCH',
          config: {
            durable_name: 'collector-summaries',
            filter_subject: 'wirewatch.v1.alert.>',
            ack_policy: 'explicit',
          },
        }),
      );
      expect(reply.json<{ error?: { description?: string } }>().error?.description).toMatch(/filter/i);
      const info = await (
        await jetstreamManager((await as('operator')).nc)
      ).consumers.info('WIREWATCH', 'collector-summaries');
      expect(info.config.filter_subject).toBe(SUMMARY_SUBJECTS);
    });

    it('its existing pull consumer cannot be turned into a push consumer delivering elsewhere', async () => {
      const c = await as('collector');
      const jsm = await jetstreamManager(c.nc);
      const { config: current } = await jsm.consumers.info('WIREWATCH', 'collector-summaries');
      await expect(
        jsm.consumers.add('WIREWATCH', { ...current, deliver_subject: '$KV.wirewatch_alerter.forged' }),
      ).rejects.toThrow(/push/i);
      const info = await (
        await jetstreamManager((await as('operator')).nc)
      ).consumers.info('WIREWATCH', 'collector-summaries');
      expect(info.config.deliver_subject).toBeUndefined();
    });

    it("what remains: while its own consumer is missing (a lost store), the collector may create it with a push deliver subject of its choosing; nats-server 2.9.10 leaves it unbound while only a stream's wildcard listens there", async () => {
      const op = await jetstreamManager((await as('operator')).nc);
      await op.consumers.delete('WIREWATCH', 'collector-heartbeats');
      const jsm = await jetstreamManager((await as('collector')).nc);
      const created = await jsm.consumers.add('WIREWATCH', {
        durable_name: 'collector-heartbeats',
        filter_subject: HEARTBEAT_SUBJECTS,
        deliver_subject: '$KV.wirewatch_alerter.forged',
        ack_policy: AckPolicy.Explicit,
      });
      expect(created.config.deliver_subject).toBe('$KV.wirewatch_alerter.forged');
      const sensor = await as('sensor');
      sensor.nc.publish('wirewatch.v1.heartbeat.lab', new TextEncoder().encode('{"forged":"delivered"}'));
      await sensor.nc.flush();
      await waitFor(async () => (await op.consumers.info('WIREWATCH', 'collector-heartbeats')).num_pending > 0, {
        what: 'the heartbeat pending on the push consumer',
        timeoutMs: 10_000,
      });
      const info = await op.consumers.info('WIREWATCH', 'collector-heartbeats');
      expect(info.push_bound ?? false).toBe(false);
      expect(info.delivered.consumer_seq).toBe(0);
      expect(await (await new Kvm((await as('operator')).nc).open('wirewatch_alerter')).get('forged')).toBeNull();
      // back to what the collector runs with
      await op.consumers.delete('WIREWATCH', 'collector-heartbeats');
      await ensureDurableConsumer(jsm, { name: 'collector-heartbeats', filterSubject: HEARTBEAT_SUBJECTS });
    });
  });
});
