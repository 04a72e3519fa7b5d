/**
 * What the images of deploy/Dockerfile would run, run here without a Docker engine: the build stage's
 * workspace steps for real (tests/deploy/image-build.ts), then each target's ENTRYPOINT + CMD from the
 * image's own files, then the lab's services configured exactly as `docker-compose config` says, with
 * only the container host names swapped for loopback servers: NATS with the lab's own configuration
 * and users, and VictoriaMetrics for InfluxDB's v2 write API (no InfluxDB 2 binary here).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptureFile } from '@wirewatch/report';
import { freePort, freePorts, startVictoriaMetrics, waitFor, type VictoriaHandle } from '../harness/index.js';
import { startOrDispose } from '../harness/server-control.js';
import type { SpawnedServer } from '../harness/spawned-server.js';
import { killAll, startService, type ServiceProcess } from '../pipeline/service-process.js';
import { composeConfig, hasDockerCompose, type ComposeService } from './compose.js';
import { buildImage, REPO, type BuiltImage } from './image-build.js';
import { labNats, startLabNats, type LabNats } from './lab-nats.js';

const LAB_PCAP = join(REPO, 'samples/lab.pcap');

let image: BuiltImage;

beforeAll(() => {
  image = buildImage();
}, 120_000);

afterAll(async () => {
  await killAll();
  image?.dispose();
});

describe('the image deploy/Dockerfile builds', () => {
  it('ran the workspace steps of the build stage (pnpm fetch, install, bundle, deploy)', () => {
    const ran = image.steps.filter((s) => s.ran && s.what.startsWith('RUN')).map((s) => s.what);
    expect(ran).toEqual(['RUN pnpm fetch', 'RUN sh deploy/build-app.sh /app']);
  });

  it('holds the bundle, its assets and the production dependencies, nothing pointing outside /app', () => {
    const app = join(image.root, 'app');
    for (const file of ['dist/wirewatch.mjs', 'dist/client.js', 'dist/default-rules.yaml'])
      expect(existsSync(join(app, file)), file).toBe(true);
    const modules = readdirSync(join(app, 'node_modules'));
    expect(modules).toEqual(
      expect.arrayContaining(['cap', 'commander', 'fastify', '@nats-io', 'nodemailer', 'yaml', 'zod']),
    );
    // devDependencies stay in the build stage
    for (const dev of ['esbuild', 'vitest', 'typescript', 'testcontainers', 'tsx']) expect(modules).not.toContain(dev);
    // cap: built, and with the project's patch applied
    const cap = realpathSync(join(app, 'node_modules/cap'));
    expect(existsSync(join(cap, 'build/Release/cap.node'))).toBe(true);
    expect(readFileSync(join(cap, 'src/binding.cc'), 'utf8')).toContain('wirewatch patch');
    const outside = symlinksLeaving(app);
    expect(outside).toEqual([]);
  });

  it('loads a lazily split chunk of the bundle from the image: `dashboards` writes the three dashboards', () => {
    const app = join(image.root, 'app');
    expect(readdirSync(join(app, 'dist')).some((f) => f.endsWith('.mjs') && f !== 'wirewatch.mjs')).toBe(true);
    const out = join(image.root, 'dashboards-out');
    const run = spawnSync(process.execPath, [join(app, 'dist/wirewatch.mjs'), 'dashboards', '--out', out], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['alerts.json', 'sensor-health.json', 'traffic-overview.json']);
  });

  it.each(['sensor', 'collector', 'alerter'])(
    '%s: the target runs as a non-root user, and its command starts that service',
    (target) => {
      expect(image.user(target)).toBe('node');
      const [program, ...args] = image.command(target);
      expect(program).toBe('node');
      expect(args.at(-1)).toBe(target);
      const run = spawnSync(process.execPath, [...args, '--help'], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Usage: wirewatch ${target} [options]`);
    },
  );

  it('traffic: the target runs `wirewatch generate-traffic`', (context) => {
    const [, bundle] = image.command('traffic');
    const commands = execFileSync(process.execPath, [bundle, '--help'], { encoding: 'utf8' });
    // The traffic generator is built in parallel; until the CLI has the command there is nothing to run.
    if (!/^\s+generate-traffic\b/m.test(commands)) context.skip('the CLI has no `generate-traffic` command yet');
    expect(image.command('traffic').slice(2)).toEqual(['generate-traffic', '--help']);
    const run = spawnSync(process.execPath, [bundle, 'generate-traffic', '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--target');
  });
});

describe.skipIf(!hasDockerCompose())(
  'the lab as docker-compose.yml configures it, on loopback servers (needs docker-compose for the configuration)',
  () => {
    let services: Record<string, ComposeService>;
    let natsServer: SpawnedServer;
    let natsUrl: string;
    let vm: VictoriaHandle;
    let dir: string;
    let alerter: ServiceProcess;
    const running: ServiceProcess[] = [];

    beforeAll(async () => {
      services = composeConfig(['docker-compose.yml']).services;
      dir = mkdtempSync(join(tmpdir(), 'wirewatch-lab-'));
      let nats: LabNats;
      [vm, nats] = await Promise.all([startVictoriaMetrics(), startLabNats('nats.conf', services.nats.environment)]);
      natsServer = nats.server;
      natsUrl = nats.url;
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled(running.map((s) => s.stop()));
      await Promise.allSettled([natsServer?.dispose(), vm?.dispose()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const labEnv = (service: ComposeService, extra: Record<string, string> = {}) =>
      loopbackEnv(service, { 'nats:4222': natsUrl, '127.0.0.1:4222': natsUrl }, vm.url, extra);
    const labCommand = (name: string, service: ComposeService) => loopbackCommand(image, name, service);

    it('sensor, collector and alerter work with their own NATS users; the replay arrives exactly once', async () => {
      const collector = startService(
        process.execPath,
        labCommand('collector', services.collector),
        labEnv(services.collector),
        { direct: true },
      );
      alerter = startService(process.execPath, labCommand('alerter', services.alerter), labEnv(services.alerter), {
        direct: true,
      });
      running.push(collector, alerter);
      await Promise.all([collector.ready(), alerter.ready()]);

      // The sensor replays the lab capture instead of capturing on the lab's bridge.
      const sensorEnv = labEnv(services.sensor, {
        WIREWATCH_CAPTURE_INTERFACES: '',
        WIREWATCH_SPOOL_DIR: join(dir, 'spool'),
      });
      const sensor = startService(
        process.execPath,
        [...labCommand('sensor', services.sensor), '--pcap', LAB_PCAP],
        sensorEnv,
        { direct: true },
      );
      running.push(sensor);
      expect(await sensor.exited).toBe(0);

      const { report } = analyzeCaptureFile(LAB_PCAP, { intervalSeconds: 1, topN: 10, topFlows: 0 });
      const stored = async () => {
        // The compose sensor's id (lab): the only one its NATS user may publish as.
        const series = await vm.export('traffic_packets{sensor="lab"}');
        return series.flatMap((s) => s.values).reduce((a, b) => a + b, 0);
      };
      await waitFor(async () => (await stored()) === report.packets, {
        what: `${report.packets} packets stored through the lab's users`,
        timeoutMs: 20_000,
      });
      expect(await collector.metric('wirewatch_collector_rejected_total')).toBe(0);
    }, 60_000);

    it('the alerter serves the default rules behind its bearer token, with the lab receiver', async () => {
      const base = await alerter.url();
      expect((await fetch(`${base}/api/rules`)).status).toBe(401);
      const response = await fetch(`${base}/api/rules`, {
        headers: { authorization: `Bearer ${services.alerter.environment.WIREWATCH_API_TOKEN}` },
      });
      expect(response.status).toBe(200);
      const body = JSON.stringify(await response.json());
      for (const rule of ['port-scan', 'dns-nxdomain-share', 'bandwidth-spike']) expect(body).toContain(rule);
      expect(await alerter.metric('wirewatch_alerter_rules')).toBeGreaterThan(5);
    });

    it('each NATS user is held to its own subjects', async () => {
      const password = (name: string) => services[name].environment.WIREWATCH_NATS_PASSWORD;
      const nc = await connect({ servers: natsUrl, user: 'sensor', pass: password('sensor') });
      try {
        // A sensor may not read the stream's subjects (other sensors' data).
        const denied = new Promise<Error>((resolve) => {
          nc.subscribe('wirewatch.v1.summary.>', {
            callback: (error) => {
              if (error) resolve(error);
            },
          });
        });
        expect(String(await denied)).toMatch(/permissions violation/i);
      } finally {
        await nc.close();
      }
      await expect(connect({ servers: natsUrl, user: 'sensor', pass: 'wrong' })).rejects.toThrow(/auth/i);
    });

    describe.skipIf(process.getuid?.() !== 0)(
      'non-root services with the file capabilities their image stage gives node (as root: setcap, setpriv)',
      () => {
        /** The stage's `setcap <caps>+ep /usr/local/bin/node`, on a copy of this node for that target. */
        function nodeWith(target: string, caps: string): string {
          const node = join(image.root, target, 'usr/local/bin/node');
          mkdirSync(dirname(node), { recursive: true });
          copyFileSync(process.execPath, node);
          execFileSync('setcap', [`${caps}+ep`, node]);
          for (const d of [image.root, join(image.root, target), dir]) chmodSync(d, 0o755);
          return node;
        }

        /**
         * setpriv arguments for how Docker starts `USER node` with cap_drop ALL and cap_add: another uid,
         * the added capabilities in the bounding set, none permitted, inherited or ambient.
         */
        const asContainerUser = (bounding: string, node: string, ...args: string[]) => [
          '--reuid=nobody',
          '--regid=nogroup',
          '--clear-groups',
          `--bounding-set=-all,${bounding}`,
          '--inh-caps=-all',
          node,
          ...args,
        ];

        it('the sensor captures live (NET_RAW, NET_ADMIN)', async () => {
          const node = nodeWith('sensor', 'cap_net_raw,cap_net_admin');
          const spool = join(dir, 'spool-nobody');
          mkdirSync(spool);
          chmodSync(spool, 0o777);
          const [, bundle] = image.command('sensor');
          const port = await freePort();
          const env = labEnv(services.sensor, {
            WIREWATCH_CAPTURE_INTERFACES: 'lo',
            WIREWATCH_CAPTURE_FILTER: `udp and dst port ${port}`,
            WIREWATCH_SPOOL_DIR: spool,
          });
          const sensor = startService(
            '/usr/bin/setpriv',
            asContainerUser('+net_raw,+net_admin', node, bundle, 'sensor'),
            env,
            { direct: true },
          );
          running.push(sensor);
          await sensor.ready();
          const socket = createSocket('udp4');
          for (let i = 0; i < 20; i++)
            await new Promise<void>((resolve, reject) =>
              socket.send(Buffer.alloc(10), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
            );
          socket.close();
          await waitFor(async () => (await sensor.metric('wirewatch_sensor_packets_total')) === 20, {
            what: '20 packets captured',
          });
          expect(await sensor.stop()).toBe(0);

          // Without NET_ADMIN in the bounding set (Docker's default set lacks it) the binary does not start.
          const refused = spawnSync('/usr/bin/setpriv', asContainerUser('+net_raw', node, bundle, '--help'), {
            encoding: 'utf8',
          });
          expect(refused.status).not.toBe(0);
          expect(refused.stderr).toMatch(/operation not permitted/i);
        }, 60_000);

        it('the traffic generator answers its DNS queries on port 53 (NET_BIND_SERVICE)', async () => {
          const node = nodeWith('traffic', 'cap_net_bind_service');
          const [, bundle] = image.command('traffic');
          const args = services.traffic.command!;
          expect(args.slice(0, 3)).toEqual(['generate-traffic', '--target', '127.0.0.1']);
          // A loopback address of its own, so that port 53 is free whatever else runs here.
          const target = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
          const traffic = startService(
            '/usr/bin/setpriv',
            asContainerUser(
              '+net_bind_service',
              node,
              bundle,
              ...args.slice(0, 2),
              target,
              ...args.slice(3),
              '--duration',
              '2',
            ),
            {},
            { direct: true },
          );
          running.push(traffic);
          expect(await traffic.exited).toBe(0);
          const started = traffic.logs.find((l) => l.msg === 'sending traffic');
          expect(started).toMatchObject({ target, dnsPort: 53, dns: 'answered' });
        }, 30_000);
      },
    );
  },
);

describe.skipIf(!hasDockerCompose())(
  'the cluster overlay on loopback: three nodes of cluster.conf, two collectors',
  () => {
    const NODES = ['nats', 'nats-2', 'nats-3'];
    let services: Record<string, ComposeService>;
    let nodes: LabNats[];
    let vm: VictoriaHandle;
    let dir: string;
    const running: ServiceProcess[] = [];

    beforeAll(async () => {
      services = composeConfig(['docker-compose.yml', 'docker-compose.cluster.yml']).services;
      dir = mkdtempSync(join(tmpdir(), 'wirewatch-cluster-'));
      const routePorts = await freePorts(3);
      const created = await Promise.all(
        NODES.map((n, i) => labNats('cluster.conf', services[n].environment, { routePort: routePorts[i], routePorts })),
      );
      nodes = created;
      [vm] = await Promise.all([startVictoriaMetrics(), ...created.map((n) => startOrDispose(n.server))]);
      // JetStream answers before the nodes have elected a meta leader; streams need one.
      await waitFor(
        async () => {
          const jsz = await Promise.all(
            nodes.map(
              async (n) =>
                (await (await fetch(`${n.monitorUrl}/jsz`)).json()) as {
                  meta_cluster?: { leader?: string; cluster_size?: number };
                },
            ),
          );
          return jsz.every((j) => j.meta_cluster?.leader && j.meta_cluster.cluster_size === 3);
        },
        { what: 'a JetStream meta leader seen by all three nodes', timeoutMs: 20_000 },
      );
    }, 60_000);

    afterAll(async () => {
      await Promise.allSettled(running.map((s) => s.stop()));
      await Promise.allSettled([...(nodes ?? []).map((n) => n.server.dispose()), vm?.dispose()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('the services make three-replica streams; two collectors share the durable consumer and store the replay once', async () => {
      const [first, second, third] = nodes.map((n) => n.url) as [string, string, string];
      const published = (node: string) => services[node].ports!.find((p) => p.endsWith(':4222/tcp'))!.split(':')[1];
      const addresses = {
        'nats:4222': first,
        'nats-2:4222': second,
        'nats-3:4222': third,
        [`127.0.0.1:${published('nats')}`]: first,
        [`127.0.0.1:${published('nats-2')}`]: second,
        [`127.0.0.1:${published('nats-3')}`]: third,
      };
      // In compose's order: collector-2 waits for collector to be healthy (see docker-compose.cluster.yml).
      expect(services['collector-2'].depends_on?.collector?.condition).toBe('service_healthy');
      const collectors: ServiceProcess[] = [];
      for (const name of ['collector', 'collector-2']) {
        const collector = startService(
          process.execPath,
          loopbackCommand(image, 'collector', services[name]),
          loopbackEnv(services[name], addresses, vm.url),
          { direct: true },
        );
        running.push(collector);
        collectors.push(collector);
        await collector.ready();
      }

      const sensorEnv = loopbackEnv(services.sensor, addresses, vm.url, {
        WIREWATCH_CAPTURE_INTERFACES: '',
        WIREWATCH_SPOOL_DIR: join(dir, 'spool'),
      });
      const sensor = startService(
        process.execPath,
        [...loopbackCommand(image, 'sensor', services.sensor), '--pcap', LAB_PCAP],
        sensorEnv,
        { direct: true },
      );
      running.push(sensor);
      expect(await sensor.exited).toBe(0);

      const { report } = analyzeCaptureFile(LAB_PCAP, { intervalSeconds: 1, topN: 10, topFlows: 0 });
      const stored = async () =>
        (await vm.export('traffic_packets{sensor="lab"}')).flatMap((s) => s.values).reduce((a, b) => a + b, 0);
      await waitFor(async () => (await stored()) === report.packets, {
        what: `${report.packets} packets stored once by two collectors`,
        timeoutMs: 20_000,
      });

      // As the lab's operator user: the collector's own user may not list consumers.
      const nc = await connect({
        servers: [first, second, third],
        user: 'operator',
        pass: services.nats.environment.NATS_OPERATOR_PASSWORD,
      });
      try {
        const jsm = await jetstreamManager(nc);
        const stream = await jsm.streams.info('WIREWATCH');
        expect(stream.config.num_replicas).toBe(3);
        expect(stream.cluster?.replicas?.length).toBe(2);
        // The leases too: losing the node holding a one-replica lease bucket would stop the fleet merge.
        expect((await jsm.streams.info('KV_wirewatch_collectors')).config.num_replicas).toBe(3);
        const consumers: string[] = [];
        for await (const c of jsm.consumers.list('WIREWATCH')) consumers.push(c.name);
        // one durable for both collectors' summaries (and one for heartbeats), not one each
        expect(consumers.filter((c) => c.startsWith('collector-summaries'))).toEqual(['collector-summaries']);
        expect(consumers.filter((c) => c.startsWith('collector-heartbeats'))).toEqual(['collector-heartbeats']);
      } finally {
        await nc.close();
      }
    }, 60_000);
  },
);

/**
 * A service's compose environment with the lab's addresses (`nats://HOST:PORT`, InfluxDB) pointing
 * at the loopback servers, and its HTTP port on any free loopback port.
 */
function loopbackEnv(
  service: ComposeService,
  nats: Record<string, string>,
  influx: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.environment)) {
    env[k] = v
      .replace(/nats:\/\/([\w.-]+:\d+)/g, (whole, address: string) => {
        if (!nats[address]) throw new Error(`${k}: no loopback server stands for ${whole}`);
        return nats[address];
      })
      .replace('http://influxdb:8086', influx);
  }
  return { ...env, WIREWATCH_HTTP_HOST: '127.0.0.1', WIREWATCH_HTTP_PORT: '0', ...extra };
}

/** The service's command line (compose's command, else the image's CMD), bind-mounted files at their host paths. */
function loopbackCommand(image: BuiltImage, target: string, service: ComposeService): string[] {
  const [, bundle, ...imageArgs] = image.command(target);
  const args = service.command ?? imageArgs;
  const mounts = new Map((service.volumes ?? []).filter((v) => v.type === 'bind').map((v) => [v.target, v.source]));
  return [bundle, ...args.map((a) => mounts.get(a) ?? a)];
}

/** Symlinks under `dir` whose target lies outside it (they would dangle in the image). */
function symlinksLeaving(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(path);
        } catch {
          out.push(`${relative(dir, path)} (dangling)`);
          continue;
        }
        if (relative(dir, target).startsWith('..')) out.push(relative(dir, path));
      } else if (stat.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out;
}
