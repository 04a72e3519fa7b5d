/**
 * docker-compose.yml and docker-compose.cluster.yml: validated and resolved by docker-compose itself
 * (no engine needed), then the shape that matters checked on the resolved configuration, down to
 * every WIREWATCH_* variable naming a real setting of the service it is given to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alerterConfigSchema } from '@wirewatch/alerter';
import { collectorConfigSchema } from '@wirewatch/collector';
import { sensorConfigSchema } from '@wirewatch/sensor';
import { DEFAULT_RULES_FILE, loadRuleFile } from '@wirewatch/rules';
import { loadConfig, unknownConfigEnv } from '@wirewatch/service';
import { compose, composeConfig, hasDockerCompose, type ComposeConfig, type ComposeService } from './compose.js';
import { readDockerfile, REPO } from './image-build.js';

const BASE = ['docker-compose.yml'];
const CLUSTER = ['docker-compose.yml', 'docker-compose.cluster.yml'];
const SCHEMAS = { sensor: sensorConfigSchema, collector: collectorConfigSchema, alerter: alerterConfigSchema } as const;
const HTTP_PORTS: Record<string, number> = { sensor: 9101, collector: 9102, alerter: 9103 };

/** A service built from deploy/Dockerfile: its target names what it runs. */
const builtFrom = (s: ComposeService) => (s.build?.dockerfile === 'deploy/Dockerfile' ? s.build.target : undefined);
const disabled = (s: ComposeService) =>
  s.healthcheck?.disable === true || (Array.isArray(s.healthcheck?.test) && s.healthcheck.test[0] === 'NONE');
const mountAt = (s: ComposeService, target: string) => s.volumes?.find((v) => v.target === target);

describe.skipIf(!hasDockerCompose())(
  'docker compose files (docker-compose config, no engine; skipped where docker-compose is missing: scripts/setup.sh installs it)',
  () => {
    let base: ComposeConfig;
    let cluster: ComposeConfig;

    beforeAll(() => {
      base = composeConfig(BASE);
      cluster = composeConfig(CLUSTER);
    });

    it('both the lab and lab + cluster overlay validate', () => {
      for (const files of [BASE, CLUSTER]) {
        const run = compose(files, ['config', '-q']);
        expect(run.stderr, files.join(' + ')).toBe('');
        expect(run.status).toBe(0);
      }
    });

    it('secrets have no defaults in the compose files: without an env file compose refuses, naming it', () => {
      const run = compose(BASE, ['config', '-q'], null);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('deploy/.env.example');
      const text =
        readFileSync(join(REPO, 'docker-compose.yml'), 'utf8') +
        readFileSync(join(REPO, 'docker-compose.cluster.yml'), 'utf8');
      for (const m of text.matchAll(/\$\{(\w*(?:PASSWORD|TOKEN)\w*)([^}]*)\}/g)) expect(m[2], m[1]).toMatch(/^:\?/);
    });

    it('has the lab services, a traffic generator under a profile, the wirewatch ones built from deploy/Dockerfile', () => {
      expect(Object.keys(base.services).sort()).toEqual([
        'alerter',
        'collector',
        'grafana',
        'influxdb',
        'mailpit',
        'nats',
        'sensor',
        'traffic',
      ]);
      expect(base.services.traffic.profiles).toEqual(['traffic']);
      const stages = readDockerfile().map((s) => s.name);
      for (const config of [base, cluster]) {
        for (const [name, s] of Object.entries(config.services)) {
          const target = builtFrom(s);
          if (!target) continue;
          expect(stages, name).toContain(target);
          expect(name.replace(/-\d+$/, ''), name).toBe(target);
          expect(s.build!.context, name).toBe(REPO.replace(/\/$/, ''));
          expect(s.image, name).toBe(`wirewatch/${target}:lab`);
        }
      }
    });

    it('every image is pinned to a version tag, every port is published on loopback only', () => {
      for (const [name, s] of Object.entries(cluster.services)) {
        expect(s.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
        expect(s.image, name).not.toMatch(/:latest$/);
        for (const port of s.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+/);
      }
    });

    it('the sensor: host network, exactly NET_RAW and NET_ADMIN, non-root, its spool on a named volume', () => {
      const sensor = base.services.sensor;
      expect(sensor.network_mode).toBe('host');
      expect(sensor.cap_drop).toEqual(['ALL']);
      expect([...sensor.cap_add!].sort()).toEqual(['NET_ADMIN', 'NET_RAW']);
      expect(sensor.user).toBeUndefined(); // the image's non-root user
      // no-new-privileges would make the kernel ignore the file capabilities the sensor relies on
      expect(sensor.security_opt ?? []).not.toContain('no-new-privileges:true');
      expect(mountAt(sensor, '/var/lib/wirewatch/spool')).toMatchObject({ type: 'volume', source: 'sensor-spool' });
      // It captures on the lab's bridge (by its fixed name) and on loopback, where the traffic generator plays.
      const bridge = base.networks!.default.driver_opts!['com.docker.network.bridge.name'];
      expect(sensor.environment.WIREWATCH_CAPTURE_INTERFACES.split(',')).toEqual([bridge, 'lo']);
      expect(base.services.traffic.network_mode).toBe('host');
      expect(base.services.traffic.command!.slice(0, 3)).toEqual(['generate-traffic', '--target', '127.0.0.1']);
    });

    it('the sensor does not capture its own publishing: every NATS port it connects to is filtered out, lab and cluster', () => {
      for (const config of [base, cluster]) {
        const env = config.services.sensor.environment;
        const ports = [...env.WIREWATCH_NATS_SERVERS.matchAll(/:(\d+)/g)].map((m) => m[1]);
        expect(ports.length).toBeGreaterThan(0);
        for (const port of ports) expect(env.WIREWATCH_CAPTURE_FILTER, `port ${port}`).toContain(`not port ${port}`);
      }
    });

    it("every long-running service has a healthcheck (the services' on their /readyz) and a restart policy", () => {
      for (const [name, s] of Object.entries(cluster.services)) {
        expect(['always', 'unless-stopped', 'on-failure'], name).toContain(s.restart);
        if (name === 'traffic') {
          // no HTTP port to ask: explicitly none, the restart policy covers a crash
          expect(disabled(s)).toBe(true);
          continue;
        }
        expect(disabled(s), name).toBe(false);
        const test = (s.healthcheck!.test as string[]).join(' ');
        expect(test, name).toMatch(/^CMD(-SHELL)? /);
        const target = builtFrom(s);
        if (target) expect(test, name).toContain(`http://127.0.0.1:${HTTP_PORTS[target]}/readyz`);
        if (name.startsWith('nats')) expect(test, name).toContain('http://127.0.0.1:8222/healthz?js-enabled-only=true');
      }
    });

    it('the wirewatch services drop every capability, run read-only, and wait for what they need to be healthy', () => {
      for (const [name, s] of Object.entries(cluster.services)) {
        if (!builtFrom(s)) continue;
        expect(s.cap_drop, name).toEqual(['ALL']);
        expect(s.read_only, name).toBe(true);
        if (!s.cap_add) expect(s.security_opt, name).toContain('no-new-privileges:true');
      }
      const waits = (s: ComposeService) =>
        Object.entries(s.depends_on ?? {})
          .filter(([, d]) => d.condition === 'service_healthy')
          .map(([n]) => n)
          .sort();
      expect(waits(base.services.collector)).toEqual(['influxdb', 'nats']);
      expect(waits(base.services.alerter)).toEqual(['influxdb', 'mailpit', 'nats']);
      expect(waits(base.services.sensor)).toEqual(['nats']);
      expect(waits(base.services.grafana)).toEqual(['influxdb']);
      for (const name of ['collector', 'collector-2', 'alerter', 'sensor']) {
        expect(waits(cluster.services[name]), name).toEqual(expect.arrayContaining(['nats', 'nats-2', 'nats-3']));
      }
    });

    it('state lives on named volumes that are declared', () => {
      const state: Array<[string, string]> = [
        ['nats', '/data'],
        ['influxdb', '/var/lib/influxdb2'],
        ['grafana', '/var/lib/grafana'],
        ['mailpit', '/data'],
        ['sensor', '/var/lib/wirewatch/spool'],
      ];
      for (const [name, target] of state)
        expect(mountAt(base.services[name], target)?.type, `${name} ${target}`).toBe('volume');
      for (const config of [base, cluster]) {
        const declared = Object.keys(config.volumes ?? {});
        for (const [name, s] of Object.entries(config.services)) {
          for (const v of s.volumes ?? [])
            if (v.type === 'volume') expect(declared, `${name}: ${v.source}`).toContain(v.source);
        }
      }
    });

    it('every WIREWATCH_* variable names a setting of its service, and the resulting config is valid', () => {
      for (const config of [base, cluster]) {
        for (const [name, s] of Object.entries(config.services)) {
          const target = builtFrom(s);
          if (!target || !(target in SCHEMAS)) continue;
          const schema = SCHEMAS[target as keyof typeof SCHEMAS];
          const env = {
            ...s.environment,
            ...(target === 'sensor' ? { WIREWATCH_SPOOL_DIR: '/var/lib/wirewatch/spool' } : {}),
          };
          expect(unknownConfigEnv(schema, env), name).toEqual([]);
          const file = target === 'alerter' ? alerterFile(s) : undefined;
          const loaded = loadConfig(schema, { env, file }) as {
            nats: { servers: string[]; user?: string; password?: string; replicas: number };
          };
          expect(loaded.nats.user, name).toBe(target);
          expect(loaded.nats.password, name).toBe(
            config.services.nats.environment[`NATS_${target.toUpperCase()}_PASSWORD`],
          );
        }
      }
    });

    it('NATS: the lab config and its users, passwords from the environment, JetStream on the volume', () => {
      const nats = base.services.nats;
      expect(nats.command).toEqual(['--config', '/etc/nats/nats.conf']);
      expect(mountAt(nats, '/etc/nats/nats.conf')).toMatchObject({
        type: 'bind',
        source: join(REPO, 'deploy/nats/nats.conf'),
        readOnly: true,
      });
      expect(mountAt(nats, '/etc/nats/accounts.conf')).toMatchObject({
        type: 'bind',
        source: join(REPO, 'deploy/nats/accounts.conf'),
        readOnly: true,
      });
      const conf = readFileSync(join(REPO, 'deploy/nats/nats.conf'), 'utf8');
      expect(mountAt(nats, /store_dir: (\S+)/.exec(conf)![1])?.type).toBe('volume');
      expect(conf).toMatch(/^http: 0\.0\.0\.0:8222$/m);
      const accounts = readFileSync(join(REPO, 'deploy/nats/accounts.conf'), 'utf8');
      const variables = [...accounts.matchAll(/password: \$(\w+)/g)].map((m) => m[1]).sort();
      expect(Object.keys(nats.environment).sort()).toEqual(variables);
      for (const user of ['sensor', 'collector', 'alerter'])
        expect(accounts, user).toMatch(
          new RegExp(`user: ${user}\\n\\s+password: \\$NATS_${user.toUpperCase()}_PASSWORD\\n`),
        );
    });

    it('the alerter: the default rules, an e-mail receiver for each of their receivers, at the mail catcher', () => {
      const alerter = base.services.alerter;
      expect(alerter.command!.slice(0, 2)).toEqual(['alerter', '-c']);
      expect(alerter.command!).not.toContain('--rules');
      expect(alerter.environment.WIREWATCH_RULES).toBeUndefined();
      expect(alerter.environment.WIREWATCH_API_TOKEN.length).toBeGreaterThanOrEqual(16);
      const config = loadConfig(alerterConfigSchema, { env: alerter.environment, file: alerterFile(alerter) });
      expect(config.rules).toBeUndefined();
      const rules = loadRuleFile(DEFAULT_RULES_FILE);
      if (!rules.ok) throw new Error(rules.errors.join('\n'));
      const wanted = new Set(rules.ruleSet.rules.flatMap((r) => r.receivers));
      expect(wanted.size).toBeGreaterThan(0);
      for (const receiver of wanted) {
        const found = config.receivers.find((r) => r.name === receiver);
        expect(found?.email, receiver).toMatchObject({ host: 'mailpit', port: 1025, starttls: 'off' });
      }
      expect(base.services.mailpit.healthcheck!.test).toEqual(['CMD', '/mailpit', 'readyz']);
    });

    it('Grafana: provisioning and dashboards mounted read-only, the datasource variables, the home dashboard', () => {
      const grafana = base.services.grafana;
      expect(grafana.image).toMatch(/^grafana\/grafana-oss:12\./);
      expect(mountAt(grafana, '/etc/grafana/provisioning')).toMatchObject({
        type: 'bind',
        source: join(REPO, 'grafana/provisioning'),
        readOnly: true,
      });
      expect(mountAt(grafana, '/var/lib/grafana/dashboards')).toMatchObject({
        type: 'bind',
        source: join(REPO, 'grafana/dashboards'),
        readOnly: true,
      });
      expect(grafana.environment).toMatchObject({
        WIREWATCH_INFLUX_URL: 'http://influxdb:8086',
        WIREWATCH_INFLUX_BUCKET: base.services.influxdb.environment.DOCKER_INFLUXDB_INIT_BUCKET,
        WIREWATCH_INFLUX_TOKEN: base.services.influxdb.environment.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN,
        GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: '/var/lib/grafana/dashboards/traffic-overview.json',
        GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      });
      // the datasource the lead provisions reads exactly these variables
      const provisioning = readFileSync(join(REPO, 'grafana/provisioning/datasources/wirewatch.yaml'), 'utf8');
      for (const variable of new Set([...provisioning.matchAll(/\$\{?(WIREWATCH_\w+)/g)].map((m) => m[1])))
        expect(grafana.environment, variable).toHaveProperty(variable);
    });

    it('InfluxDB 2 sets itself up with the org, bucket and token the collector and alerter use', () => {
      const influx = base.services.influxdb.environment;
      expect(influx.DOCKER_INFLUXDB_INIT_MODE).toBe('setup');
      for (const name of ['collector', 'alerter']) {
        const env = base.services[name].environment;
        expect(env, name).toMatchObject({
          WIREWATCH_INFLUX_URL: 'http://influxdb:8086',
          WIREWATCH_INFLUX_API: 'v2',
          WIREWATCH_INFLUX_ORG: influx.DOCKER_INFLUXDB_INIT_ORG,
          WIREWATCH_INFLUX_BUCKET: influx.DOCKER_INFLUXDB_INIT_BUCKET,
          WIREWATCH_INFLUX_TOKEN: influx.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN,
        });
      }
    });

    describe('the cluster overlay', () => {
      const nodes = ['nats', 'nats-2', 'nats-3'];

      it('three NATS nodes on the cluster config, each named, each with its own volume, routes to all three', () => {
        const names = new Set<string>();
        const volumes = new Set<string>();
        for (const node of nodes) {
          const s = cluster.services[node];
          expect(s.command, node).toEqual(['--config', '/etc/nats/cluster.conf']);
          expect(mountAt(s, '/etc/nats/cluster.conf')?.source, node).toBe(join(REPO, 'deploy/nats/cluster.conf'));
          names.add(s.environment.NATS_SERVER_NAME);
          volumes.add(mountAt(s, '/data')!.source);
        }
        expect(names.size).toBe(3);
        expect(volumes.size).toBe(3);
        const conf = readFileSync(join(REPO, 'deploy/nats/cluster.conf'), 'utf8');
        expect(conf).toMatch(/server_name: \$NATS_SERVER_NAME/);
        const routes = [...conf.matchAll(/nats-route:\/\/([\w-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
        expect(routes).toEqual(nodes.map((n) => `${n}:6222`));
        expect(conf).toMatch(/listen: 0\.0\.0\.0:6222/);
      });

      it('two collectors sharing the durable consumers; every service on all three nodes with three replicas', () => {
        const collectors = Object.entries(cluster.services).filter(([, s]) => builtFrom(s) === 'collector');
        expect(collectors.map(([n]) => n).sort()).toEqual(['collector', 'collector-2']);
        const consumers = collectors.map(([, s]) => loadConfig(collectorConfigSchema, { env: s.environment }).consumer);
        expect(consumers[0]).toEqual(consumers[1]);
        for (const [name, s] of Object.entries(cluster.services)) {
          const target = builtFrom(s);
          if (!target || !(target in SCHEMAS)) continue;
          const env = { ...s.environment, WIREWATCH_SPOOL_DIR: '/tmp' };
          const nats = (
            loadConfig(SCHEMAS[target as keyof typeof SCHEMAS], {
              env,
              file: target === 'alerter' ? alerterFile(s) : undefined,
            }) as { nats: { servers: string[]; replicas: number } }
          ).nats;
          expect(nats.replicas, name).toBe(3);
          expect(nats.servers, name).toHaveLength(3);
          if (target !== 'sensor') expect(nats.servers, name).toEqual(nodes.map((n) => `nats://${n}:4222`));
        }
        // the sensor (host network) reaches each node on its published port
        const published = nodes.map(
          (n) => cluster.services[n].ports!.find((p) => p.endsWith(':4222/tcp'))!.split(':')[1],
        );
        expect(cluster.services.sensor.environment.WIREWATCH_NATS_SERVERS).toBe(
          published.map((p) => `nats://127.0.0.1:${p}`).join(','),
        );
      });
    });
  },
);

/** The host file bind-mounted where the alerter's `-c` points. */
function alerterFile(s: ComposeService): string {
  const path = s.command![s.command!.indexOf('-c') + 1];
  const mount = mountAt(s, path);
  if (mount?.type !== 'bind') throw new Error(`the alerter's config ${path} is not a bind-mounted file`);
  return mount.source;
}
