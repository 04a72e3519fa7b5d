/**
 * Least privilege on the shipped NATS accounts (deploy/nats/accounts.conf), on a real nats-server
 * started with the shipped nats.conf and, as three nodes, cluster.conf: each user may do what its
 * service does (set up here with the services' own bus calls) and is refused everything else.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDurableConsumer, ensureStreams, LeaderLease, MaxDeliveriesWatcher } from '@wirewatch/bus';
import { HEARTBEAT_SUBJECTS, SUMMARY_SUBJECTS } from '@wirewatch/protocol';
import { makeSensorCredentials } from '@wirewatch/cli';
import { labNats, startLabNats, type LabNats } from '../deploy/lab-nats.js';
import { freePorts, waitFor } from '../harness/index.js';
import { startOrDispose } from '../harness/server-control.js';
import {
  connectAs,
  LAB_NATS_ENV,
  refusedPublish,
  subscriptionError,
  watched,
  type WatchedConnection,
} from './nats-users.js';

const VIOLATION = /permissions violation/i;
const STREAMS = [
  'WIREWATCH',
  'WIREWATCH_DEADLETTER',
  'KV_wirewatch_alerter',
  'KV_wirewatch_alerter_lease',
  'KV_wirewatch_collectors',
];
const CONSUMERS = [
  'collector-summaries',
  'collector-heartbeats',
  'collector-fleet',
  'alerter-summaries',
  'alerter-heartbeats',
];

let keys: string;
let sensorA: ReturnType<typeof makeSensorCredentials>;
let sensorB: ReturnType<typeof makeSensorCredentials>;
beforeAll(() => {
  keys = mkdtempSync(join(tmpdir(), 'wirewatch-nkeys-'));
  sensorA = makeSensorCredentials('edge-a', keys);
  sensorB = makeSensorCredentials('edge-b', keys);
});
afterAll(() => rmSync(keys, { recursive: true, force: true }));

/** A JetStream manager that does not first ask `$JS.API.INFO` (itself refused to a sensor). */
const manager = (c: WatchedConnection): Promise<JetStreamManager> => jetstreamManager(c.nc, { checkAPI: false });

describe.each([
  ['nats.conf', 1],
  ['cluster.conf', 3],
] as const)('the shipped accounts on %s', (config, replicas) => {
  let servers: LabNats[];
  let urls: string[];
  const open: WatchedConnection[] = [];
  /** Stream message counts and the alerter's state once the services' own set-up is done. */
  let before: { messages: Record<string, number>; state: string; leaseHolder: string };
  const as = async (user: Parameters<typeof connectAs>[1]) => {
    const c = await connectAs(urls, user);
    open.push(c);
    return c;
  };
  const asSensor = async (credentials: typeof sensorA, inboxPrefix: string) => {
    const { nkeyAuthenticator } = await import('@nats-io/transport-node');
    const seed = new TextEncoder().encode(readFileSync(credentials.seedFile, 'utf8').trim());
    const c = await watched(connect({ servers: urls, authenticator: nkeyAuthenticator(seed), inboxPrefix }));
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    const users = [sensorA.stanza, sensorB.stanza];
    if (config === 'nats.conf') {
      servers = [await startLabNats(config, LAB_NATS_ENV, undefined, users)];
    } else {
      const routePorts = await freePorts(3);
      servers = await Promise.all(
        [0, 1, 2].map((i) =>
          labNats(
            config,
            { ...LAB_NATS_ENV, NATS_SERVER_NAME: `nats-${i}` },
            { routePort: routePorts[i], routePorts },
            users,
          ),
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

    // What the services do at start, each as its own user: streams, consumers, KV buckets, leases.
    const collector = await as('collector');
    const cjsm = await ensureStreams(collector.nc, { replicas });
    for (const name of ['collector-summaries', 'collector-fleet'])
      await ensureDurableConsumer(cjsm, { name, filterSubject: SUMMARY_SUBJECTS });
    await ensureDurableConsumer(cjsm, { name: 'collector-heartbeats', filterSubject: HEARTBEAT_SUBJECTS });
    const fleetLease = new LeaderLease(collector.nc, {
      bucket: 'wirewatch_collectors',
      key: 'collector-fleet',
      holder: 'collector',
      ttlMs: 60_000,
      replicas,
      onChange: () => undefined,
    });
    await fleetLease.start();
    expect(fleetLease.leader).toBe(true);

    const alerter = await as('alerter');
    const ajsm = await ensureStreams(alerter.nc, { replicas });
    await ensureDurableConsumer(ajsm, { name: 'alerter-summaries', filterSubject: SUMMARY_SUBJECTS });
    await ensureDurableConsumer(ajsm, { name: 'alerter-heartbeats', filterSubject: HEARTBEAT_SUBJECTS });
    const state = await new Kvm(alerter.nc).create('wirewatch_alerter', { history: 1, replicas });
    await state.put('state', 'genuine');
    const alerterLease = new LeaderLease(alerter.nc, {
      bucket: 'wirewatch_alerter_lease',
      key: 'active',
      holder: 'alerter',
      ttlMs: 60_000,
      replicas,
      onChange: () => undefined,
    });
    await alerterLease.start();
    expect(alerterLease.leader).toBe(true);
    await jetstream(alerter.nc).publish('wirewatch.v1.alert.port-scan', new TextEncoder().encode('{"genuine":true}'));
    // a message its own consumer gave up on (max_deliver), copied to its own dead-letter subject
    await jetstream(alerter.nc).publish(
      'wirewatch.deadletter.alerter-summaries',
      new TextEncoder().encode('{"genuine":true}'),
    );

    // Each sensor publishes its own summary (JetStream, acked on its own inbox) and heartbeat.
    for (const [sensor, id] of [
      [await as('sensor'), 'lab'],
      [await asSensor(sensorA, '_INBOX.sensor.edge-a'), 'edge-a'],
    ] as const) {
      const ack = await jetstream(sensor.nc).publish(`wirewatch.v1.summary.${id}`, new TextEncoder().encode('{}'), {
        msgID: `${id}-1`,
      });
      expect(ack.stream).toBe('WIREWATCH');
      sensor.nc.publish(`wirewatch.v1.heartbeat.${id}`, new TextEncoder().encode('{}'));
      await sensor.nc.flush();
      expect(sensor.errors, id).toEqual([]);
    }
    before = await snapshot();
    expect(before.messages.WIREWATCH).toBeGreaterThanOrEqual(4);
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.nc.close()));
    await Promise.allSettled((servers ?? []).map((s) => s.server.dispose()));
  });

  /** What the operator sees: message counts of every stream, the alerter's state, who holds its lease. */
  async function snapshot() {
    const op = await as('operator');
    const jsm = await jetstreamManager(op.nc);
    await waitFor(async () => (await jsm.streams.info('WIREWATCH')).state.messages >= 4, {
      what: 'the set-up messages stored',
      timeoutMs: 10_000,
    });
    const messages: Record<string, number> = {};
    for (const name of STREAMS) messages[name] = (await jsm.streams.info(name)).state.messages;
    const consumers: string[] = [];
    for await (const c of jsm.consumers.list('WIREWATCH')) consumers.push(c.name);
    expect(consumers.sort()).toEqual([...CONSUMERS].sort());
    const kvm = new Kvm(op.nc);
    const state = (await (await kvm.open('wirewatch_alerter')).get('state'))!.string();
    const leaseHolder = (await (await kvm.open('wirewatch_alerter_lease')).get('active'))!.string();
    return { messages, state, leaseHolder };
  }

  /** Every JetStream API request a service must not make, refused; none of them changed anything (checked last). */
  async function refusedManagement(
    c: WatchedConnection,
    exceptStreamCreate = false,
    mayReadStream = false,
  ): Promise<void> {
    const jsm = await manager(c);
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['delete WIREWATCH', () => jsm.streams.delete('WIREWATCH')],
      ['purge WIREWATCH', () => jsm.streams.purge('WIREWATCH')],
      ['delete the dead letters', () => jsm.streams.delete('WIREWATCH_DEADLETTER')],
      ['purge the dead letters', () => jsm.streams.purge('WIREWATCH_DEADLETTER')],
      ["delete the alerter's KV bucket", () => jsm.streams.delete('KV_wirewatch_alerter')],
      ["purge the alerter's KV bucket", () => jsm.streams.purge('KV_wirewatch_alerter')],
      ["delete the collectors' lease bucket", () => jsm.streams.delete('KV_wirewatch_collectors')],
      ['delete collector-summaries', () => jsm.consumers.delete('WIREWATCH', 'collector-summaries')],
      ['delete alerter-summaries', () => jsm.consumers.delete('WIREWATCH', 'alerter-summaries')],
      [
        'create a consumer of its own choosing',
        () => jsm.consumers.add('WIREWATCH', { durable_name: 'spy', filter_subject: SUMMARY_SUBJECTS }),
      ],
      ['create an ephemeral consumer', () => jsm.consumers.add('WIREWATCH', { filter_subject: SUMMARY_SUBJECTS })],
      ['list the streams', () => jsm.streams.names().next()],
    ];
    // Collectors and the alerter read WIREWATCH messages by sequence (those their consumers gave up on, for the dead-letter stream).
    if (!mayReadStream) attempts.push(['read a stored message', () => jsm.streams.getMessage('WIREWATCH', { seq: 1 })]);
    if (!exceptStreamCreate)
      attempts.push(['create the stream', () => jsm.streams.add({ name: 'WIREWATCH', subjects: ['wirewatch.v1.>'] })]);
    attempts.push(['create a stream of its own', () => jsm.streams.add({ name: 'EXFIL', subjects: ['exfil.>'] })]);
    for (const [what, attempt] of attempts) await expect(attempt(), what).rejects.toThrow(VIOLATION);
  }

  /** Subscriptions that would read someone else's data or replies. */
  async function refusedReads(c: WatchedConnection, inboxes: string[]): Promise<void> {
    for (const subject of [
      '>',
      'wirewatch.>',
      'wirewatch.v1.summary.>',
      'wirewatch.v1.summary.edge-b',
      'wirewatch.v1.heartbeat.>',
      'wirewatch.v1.alert.>',
      '$KV.wirewatch_alerter.>',
      '_INBOX.>',
      ...inboxes,
    ]) {
      expect(await subscriptionError(c, subject), subject).toMatch(VIOLATION);
    }
  }

  describe('a sensor (the lab password user `sensor`, and an NKey user of `wirewatch credentials sensor`)', () => {
    const sensors = () => [
      { id: 'lab', connect: () => as('sensor') },
      { id: 'edge-a', connect: () => asSensor(sensorA, '_INBOX.sensor.edge-a') },
    ];

    it('cannot publish as another sensor, summary or heartbeat, core NATS or JetStream', async () => {
      for (const { id, connect: open } of sensors()) {
        const c = await open();
        for (const subject of [
          'wirewatch.v1.summary.edge-b',
          'wirewatch.v1.heartbeat.edge-b',
          'wirewatch.v1.summary.lab2',
        ])
          expect(await refusedPublish(c, subject), `${id} → ${subject}`).toMatch(VIOLATION);
        const other = id === 'lab' ? 'edge-a' : 'lab';
        await expect(jetstream(c.nc).publish(`wirewatch.v1.summary.${other}`, new Uint8Array(2)), id).rejects.toThrow(
          VIOLATION,
        );
      }
    });

    it('cannot publish alerts, dead letters or KV entries (the alerter outbox, a lease)', async () => {
      for (const { id, connect: open } of sensors()) {
        const c = await open();
        for (const subject of [
          'wirewatch.v1.alert.port-scan',
          'wirewatch.deadletter.collector-summaries',
          '$KV.wirewatch_alerter.state',
          '$KV.wirewatch_alerter_lease.active',
          '$KV.wirewatch_collectors.collector-fleet',
        ]) {
          expect(await refusedPublish(c, subject), `${id} → ${subject}`).toMatch(VIOLATION);
        }
      }
    });

    it("reads nothing: no stream subject, stored message, alerter KV, nor any other client's inbox", async () => {
      for (const { id, connect: open } of sensors()) {
        const c = await open();
        const otherSensorInbox = id === 'lab' ? '_INBOX.sensor.edge-a.>' : '_INBOX.sensor.lab.>';
        await refusedReads(c, ['_INBOX.collector.>', '_INBOX.alerter.>', '_INBOX.sensor.>', otherSensorInbox]);
        await expect(
          new Kvm(c.nc).open('wirewatch_alerter').then((kv) => kv.get('state')),
          id,
        ).rejects.toThrow(VIOLATION);
        // its own inbox is allowed (that is where its JetStream acks arrive)
        const own = c.nc.subscribe(`_INBOX.sensor.${id}.probe`);
        await c.nc.flush();
        expect(own.isClosed()).toBe(false);
        own.unsubscribe();
      }
    });

    it('manages nothing: no $JS.API at all (stream and consumer create, delete, purge; account info)', async () => {
      for (const { connect: open } of sensors()) {
        const c = await open();
        await refusedManagement(c);
        await expect(jetstreamManager(c.nc)).rejects.toThrow(VIOLATION);
      }
    });
  });

  describe("a sensor's reply subject (JetStream answers its publish there)", () => {
    const FORGED_REPLIES = [
      '$KV.wirewatch_alerter.state',
      '$KV.wirewatch_alerter_lease.active',
      'wirewatch.v1.alert.x',
      'wirewatch.deadletter.x',
      '_INBOX.collector.forged',
    ];

    /** What a forged reply could change: the alerter's state and lease, alert subjects, dead letters. */
    async function targets(op: WatchedConnection) {
      const jsm = await jetstreamManager(op.nc);
      const kvm = new Kvm(op.nc);
      const count = async (name: string) => (await jsm.streams.info(name)).state.messages;
      return {
        state: (await (await kvm.open('wirewatch_alerter')).get('state'))?.string(),
        stateMessages: await count('KV_wirewatch_alerter'),
        leaseHolder: (await (await kvm.open('wirewatch_alerter_lease')).get('active'))?.string(),
        leaseMessages: await count('KV_wirewatch_alerter_lease'),
        alerts: (await jsm.streams.info('WIREWATCH', { subjects_filter: 'wirewatch.v1.alert.>' })).state.subjects ?? {},
        deadLetters: await count('WIREWATCH_DEADLETTER'),
      };
    }

    it("a forged reply ($KV of the alerter's state and lease, an alert, a dead letter, a collector's inbox) reaches none of them; a genuine publish is still acked", async () => {
      const op = await as('operator');
      const jsm = await jetstreamManager(op.nc);
      const collector = await as('collector');
      const overheard: string[] = [];
      collector.nc.subscribe('_INBOX.collector.forged', { callback: (_, m) => void overheard.push(m.string()) });
      await collector.nc.flush();
      const was = await targets(op);
      /** Messages on the two sensors' own subjects. */
      const own = async () => {
        const subjects = (await jsm.streams.info('WIREWATCH', { subjects_filter: '>' })).state.subjects ?? {};
        return Object.entries(subjects).reduce(
          (sum, [subject, n]) => sum + (/^wirewatch\.v1\.(summary|heartbeat)\.(lab|edge-a)$/.test(subject) ? n : 0),
          0,
        );
      };
      const ownBefore = await own();

      let forged = 0;
      const sensors = [
        { id: 'lab', c: await as('sensor') },
        { id: 'edge-a', c: await asSensor(sensorA, '_INBOX.sensor.edge-a') },
      ];
      for (const { id, c } of sensors) {
        for (const subject of [`wirewatch.v1.summary.${id}`, `wirewatch.v1.heartbeat.${id}`]) {
          for (const reply of FORGED_REPLIES) {
            const h = headers();
            h.set('Nats-Msg-Id', `${id}-forged-${forged++}`);
            c.nc.publish(subject, new TextEncoder().encode('{"forged":true}'), { reply, headers: h });
          }
        }
        // A genuine JetStream publish, after the forged ones, is acked on the sensor's inbox: a resend is recognized.
        const ack = await jetstream(c.nc).publish(`wirewatch.v1.summary.${id}`, new TextEncoder().encode('{}'), {
          msgID: `${id}-1`,
        });
        expect(ack.duplicate, id).toBe(true);
        expect(c.errors, id).toEqual([]);
      }
      // Every forged publish was stored on the sensor's own subject (so JetStream did answer each one).
      await waitFor(async () => (await own()) === ownBefore + forged, {
        what: `the ${forged} forged publishes stored`,
        timeoutMs: 10_000,
      });

      // The same replies from inside WIREWATCH (the operator, as the sensors were before they had an account of
      // their own) do arrive: these are what the checks below would have seen.
      const control = await new Kvm(op.nc).create('forge_control');
      const controlHeard: string[] = [];
      collector.nc.subscribe('_INBOX.collector.control', { callback: (_, m) => void controlHeard.push(m.string()) });
      await collector.nc.flush();
      for (const reply of ['$KV.forge_control.ack', '_INBOX.collector.control']) {
        const h = headers();
        h.set('Nats-Msg-Id', 'lab-1');
        op.nc.publish('wirewatch.v1.summary.lab', new Uint8Array(0), { reply, headers: h });
      }
      const isDuplicateAck = (text: string | undefined) =>
        text !== undefined && (JSON.parse(text) as { duplicate?: boolean }).duplicate === true;
      await waitFor(async () => isDuplicateAck((await control.get('ack'))?.string()), {
        what: "the operator's ack stored in a KV bucket",
        timeoutMs: 10_000,
      });
      await waitFor(() => controlHeard.some(isDuplicateAck), {
        what: "the operator's ack on the collector's inbox",
        timeoutMs: 10_000,
      });
      await jsm.streams.delete('KV_forge_control');

      expect(await targets(op)).toEqual(was);
      expect(was.state).toBe('genuine');
      expect(was.leaseHolder).toBe('alerter');
      expect(overheard).toEqual([]);
      // for › afterwards: the forged publishes are the only new messages
      before.messages.WIREWATCH += forged;
    });
  });

  describe('the collector', () => {
    it("cannot write the alerter's KV (its state and outbox), take the alerter's lease, or publish alerts", async () => {
      const c = await as('collector');
      const js = jetstream(c.nc);
      await expect(js.publish('$KV.wirewatch_alerter.state', new TextEncoder().encode('forged'))).rejects.toThrow(
        VIOLATION,
      );
      await expect(
        js.publish('$KV.wirewatch_alerter_lease.active', new TextEncoder().encode('collector')),
      ).rejects.toThrow(VIOLATION);
      await expect(new Kvm(c.nc).open('wirewatch_alerter').then((kv) => kv.get('state'))).rejects.toThrow(VIOLATION);
      const lease = new LeaderLease(c.nc, {
        bucket: 'wirewatch_alerter_lease',
        key: 'active',
        holder: 'collector',
        ttlMs: 60_000,
        replicas,
        onChange: () => undefined,
      });
      await expect(lease.start()).rejects.toThrow(VIOLATION);
      expect(lease.leader).toBe(false);
      await expect(
        js.publish('wirewatch.v1.alert.port-scan', new TextEncoder().encode('{"forged":true}')),
      ).rejects.toThrow(VIOLATION);
      expect(await refusedPublish(c, 'wirewatch.v1.alert.port-scan')).toMatch(VIOLATION);
    });

    it("gets nothing back without its inbox prefix: nats.js's default _INBOX is refused", async () => {
      const c = await watched(
        connect({ servers: urls, user: 'collector', pass: LAB_NATS_ENV.NATS_COLLECTOR_PASSWORD }),
      );
      open.push(c);
      await expect(jetstreamManager(c.nc)).rejects.toThrow(/permissions violation for subscription to "_INBOX\./i);
    });

    it('cannot publish as a sensor, delete or purge streams and consumers (its own collector-summaries included), nor read other inboxes', async () => {
      const c = await as('collector');
      for (const subject of ['wirewatch.v1.summary.edge-a', 'wirewatch.v1.heartbeat.edge-a'])
        expect(await refusedPublish(c, subject), subject).toMatch(VIOLATION);
      await refusedManagement(c, true, true);
      await refusedReads(c, [
        '_INBOX.alerter.>',
        '_INBOX.sensor.>',
        '_INBOX.sensor.edge-a.>',
        '$JS.EVENT.ADVISORY.>',
        '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.WIREWATCH.alerter-summaries',
      ]);
      // the alerter's consumers are not its to pull from or ack
      expect(await refusedPublish(c, '$JS.API.CONSUMER.MSG.NEXT.WIREWATCH.alerter-summaries')).toMatch(VIOLATION);
      expect(await refusedPublish(c, '$JS.ACK.WIREWATCH.alerter-summaries.1.1.1.1.1.1')).toMatch(VIOLATION);
    });
  });

  describe('messages their consumers gave up on (max_deliver)', () => {
    it.each([
      ['collector', ['collector-summaries', 'collector-heartbeats', 'collector-fleet']],
      ['alerter', ['alerter-summaries', 'alerter-heartbeats']],
    ] as const)(
      "the %s hears its own consumers' advisories, reads the message from WIREWATCH and copies it to its dead-letter subject",
      async (user, consumers) => {
        const c = await as(user);
        const watcher = new MaxDeliveriesWatcher(c.nc, {
          stream: 'WIREWATCH',
          consumers: [...consumers],
          queue: `${user}-max-deliveries`,
          onDeadLettered: () => undefined,
          onFailure: () => undefined,
        });
        await watcher.start();
        const stored = await (await jetstreamManager(c.nc)).streams.getMessage('WIREWATCH', { seq: 1 });
        expect(stored?.seq).toBe(1);
        await watcher.stop();
        expect(c.errors).toEqual([]);
        // no other consumer's advisories
        expect(await subscriptionError(c, '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.WIREWATCH.spy')).toMatch(
          VIOLATION,
        );
      },
    );

    it("the alerter watching a collector's consumer is refused, and says so", async () => {
      const a = await as('alerter');
      const refused: string[] = [];
      const watcher = new MaxDeliveriesWatcher(a.nc, {
        stream: 'WIREWATCH',
        consumers: ['collector-summaries'],
        queue: 'q',
        onDeadLettered: () => undefined,
        onFailure: () => undefined,
        onListenError: (_, e) => refused.push(e.message),
      });
      await watcher.start();
      await waitFor(() => refused.length === 1, { what: 'the refusal reported', timeoutMs: 5_000 });
      expect(refused[0]).toMatch(VIOLATION);
      await watcher.stop();
    });
  });

  describe('the alerter', () => {
    it("cannot publish as a sensor, write dead letters or the collectors' lease, pull the collectors' consumers", async () => {
      const a = await as('alerter');
      for (const subject of [
        'wirewatch.v1.summary.edge-a',
        'wirewatch.v1.heartbeat.edge-a',
        'wirewatch.deadletter.collector-summaries',
        '$KV.wirewatch_collectors.collector-fleet',
        '$JS.API.CONSUMER.MSG.NEXT.WIREWATCH.collector-summaries',
      ]) {
        expect(await refusedPublish(a, subject), subject).toMatch(VIOLATION);
      }
      const lease = new LeaderLease(a.nc, {
        bucket: 'wirewatch_collectors',
        key: 'collector-fleet',
        holder: 'alerter',
        ttlMs: 60_000,
        replicas,
        onChange: () => undefined,
      });
      await expect(lease.start()).rejects.toThrow(VIOLATION);
    });

    it('cannot delete or purge streams and consumers, nor read other inboxes', async () => {
      const a = await as('alerter');
      await refusedManagement(a, true, true);
      await refusedReads(a, [
        '_INBOX.collector.>',
        '_INBOX.sensor.>',
        '_INBOX.sensor.lab.>',
        '$JS.EVENT.ADVISORY.>',
        '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.WIREWATCH.collector-summaries',
      ]);
      await expect(
        jetstreamManager(a.nc).then((jsm) => jsm.streams.getMessage('KV_wirewatch_collectors', { seq: 1 })),
      ).rejects.toThrow(VIOLATION);
    });
  });

  describe('afterwards', () => {
    it('the operator finds every stream, consumer, the alerter state and its lease as they were; only the operator may delete', async () => {
      const after = await snapshot();
      expect(after).toEqual(before);
      // The refusals above were permissions, not a server that refuses everyone: the operator may.
      const op = await as('operator');
      const jsm = await jetstreamManager(op.nc);
      await jsm.consumers.add('WIREWATCH', { durable_name: 'operator-scratch', filter_subject: SUMMARY_SUBJECTS });
      expect(await jsm.consumers.delete('WIREWATCH', 'operator-scratch')).toBe(true);
      // Nothing reached another sensor's subjects.
      const info = await jsm.streams.info('WIREWATCH', { subjects_filter: '>' });
      expect(Object.keys(info.state.subjects ?? {}).sort()).toEqual([
        'wirewatch.v1.alert.port-scan',
        'wirewatch.v1.heartbeat.edge-a',
        'wirewatch.v1.heartbeat.lab',
        'wirewatch.v1.summary.edge-a',
        'wirewatch.v1.summary.lab',
      ]);
    });
  });
});
