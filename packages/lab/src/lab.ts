import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answers } from './http.js';
import { influxdServer } from './influxd.js';
import { runInfluxQL } from './influxql.js';
import { labSubdir } from './lab-dir.js';
import { lastWords } from './last-words.js';
import { writeAlerterFiles, writeSecret } from './lab-files.js';
import type { LabPorts } from './lab-ports.js';
import { LabStatus } from './lab-status.js';
import { natsServer } from './nats-server.js';
import type { Programs } from './prerequisites.js';
import { startMailCatcher, startWebhookReceiver, type ReceivedHook, type ReceivedMail } from './receivers.js';
import { SpawnedServer } from './spawned-server.js';
import { trafficStarted, type TrafficStartLine } from './traffic-log.js';

export const DATABASE = 'wirewatch';
export const SENSOR_ID = 'lab';

export interface LabOptions {
  /** The prepared lab directory (absolute). */
  dir: string;
  ports: LabPorts;
  programs: Programs;
  /** The CLI bundle the services run from. */
  bundle: string;
  defaultRules: string;
  /** Replayed in a loop when live capture is not possible. */
  samplePcap: string;
  interface: string;
  traffic: false | { rate: number; scanEverySeconds: number };
  /** Prints one line. */
  say: (line: string) => void;
}

/** What the lab runs and where, once it is up. */
export interface LabInfo {
  natsUrl: string;
  influxUrl: string;
  sensor: { mode: 'live'; filter: string; interface: string } | { mode: 'replay'; reason: string };
  traffic: TrafficStartLine | null;
  apiTokenFile: string;
  mailDir: string;
  webhookUrl: string;
  startupSeconds: number;
}

interface Child {
  name: string;
  server: SpawnedServer;
}

/** Stop order: the traffic and its sensor first, then what consumes, then the servers. */
const STOP_ORDER = [['traffic'], ['sensor'], ['collector', 'alerter'], ['nats', 'influxd']];

/**
 * The whole wirewatch topology on this machine: NATS and influxd, collector and alerter, a sensor on
 * lo (or a replay), the traffic generator, an SMTP catcher and a webhook receiver in this process.
 * `finished` resolves with the exit code once everything is stopped.
 */
export class Lab {
  readonly finished: Promise<number>;
  private finish!: (code: number) => void;
  private readonly children: Child[] = [];
  private stopping = false;
  private startup: Promise<LabInfo> | undefined;
  private status: LabStatus | undefined;
  private closeReceivers: Array<() => Promise<void>> = [];
  private mails = 0;
  private hooks = 0;
  /** The sensor replays a capture (no live capture here): its end is a new round, not a failure. */
  private replaying = false;

  constructor(private readonly o: LabOptions) {
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  /** Seconds since this process started (performance's time origin), as every status line begins. */
  private stamp(): string {
    return `[+${(performance.now() / 1000).toFixed(1)}s]`;
  }

  private note(line: string): void {
    this.o.say(`${this.stamp()} ${line}`);
  }

  start(): Promise<LabInfo> {
    this.startup ??= this.bringUp();
    return this.startup;
  }

  private async bringUp(): Promise<LabInfo> {
    const { dir, ports, programs } = this.o;
    const secrets = labSubdir(dir, 'secrets');
    const mailDir = labSubdir(dir, 'mail');
    const webhookSecretFile = join(secrets, 'webhook-secret');
    const apiTokenFile = join(secrets, 'api-token');
    const webhookSecret = writeSecret(webhookSecretFile);
    writeSecret(apiTokenFile);

    const mail = await startMailCatcher({ port: ports.smtp, keep: false, onReceive: (m) => this.onMail(m, mailDir) });
    this.closeReceivers.push(mail.close);
    const hook = await startWebhookReceiver(webhookSecret, {
      port: ports.webhook,
      keep: false,
      onReceive: (h) => this.onHook(h),
    });
    this.closeReceivers.push(hook.close);

    const influx = influxdServer({
      dir: labSubdir(dir, 'influxd'),
      httpPort: ports.influx,
      rpcPort: ports.influxRpc,
      command: programs.influxd,
      ownProcessGroup: true,
    });
    await this.run([
      [
        'nats',
        natsServer({
          dir: labSubdir(dir, 'nats'),
          port: ports.nats,
          monitorPort: ports.natsMonitor,
          command: programs.natsServer,
          ownProcessGroup: true,
        }),
      ],
      ['influxd', influx.server],
    ]);
    await runInfluxQL(influx.url, `CREATE DATABASE "${DATABASE}"`, {});
    const natsUrl = `nats://127.0.0.1:${ports.nats}`;
    const nats = ['--nats', natsUrl, '--http-host', '127.0.0.1'];

    const alerterDir = labSubdir(dir, 'alerter');
    const files = writeAlerterFiles(alerterDir, this.o.defaultRules, ports.smtp, hook.url, webhookSecretFile);
    await this.run([
      [
        'collector',
        this.service('collector', ports.collector, [
          'collector',
          ...nats,
          '--influx-url',
          influx.url,
          '--influx-api',
          'v1',
          '--influx-db',
          DATABASE,
        ]),
      ],
      [
        'alerter',
        this.service(
          'alerter',
          ports.alerter,
          ['alerter', '-c', files.config, ...nats, '--influx', '--influx-url', influx.url],
          { WIREWATCH_API_TOKEN_FILE: apiTokenFile },
        ),
      ],
    ]);

    const sensor = await this.startSensor(nats);
    // A replaying sensor sees none of it.
    const traffic = this.o.traffic && sensor.mode === 'live' ? await this.startTraffic(this.o.traffic) : null;
    this.status = new LabStatus(
      influx.url,
      DATABASE,
      SENSOR_ID,
      (line) => this.note(line),
      () => `alerts so far: ${this.mails} mails, ${this.hooks} webhooks`,
    );
    if (!this.stopping) this.status.start();
    return {
      natsUrl,
      influxUrl: influx.url,
      sensor,
      traffic,
      apiTokenFile,
      mailDir,
      webhookUrl: hook.url,
      startupSeconds: performance.now() / 1000,
    };
  }

  /** A wirewatch service from the CLI bundle, ready when its /readyz answers 200. */
  private service(name: string, httpPort: number, args: string[], env?: Record<string, string>): SpawnedServer {
    return new SpawnedServer({
      name,
      command: process.execPath,
      args: [this.o.bundle, ...args, '--http-port', String(httpPort)],
      dir: labSubdir(this.o.dir, name),
      isReady: () => answers(`http://127.0.0.1:${httpPort}/readyz`, 200),
      env,
      ownProcessGroup: true,
      readyTimeoutMs: 30_000,
    });
  }

  /** Starts these together and waits until each is ready; afterwards an exit is noticed. */
  private async run(children: Array<[string, SpawnedServer]>): Promise<void> {
    if (this.stopping) throw new Error('lab: stopping');
    for (const [name, server] of children) this.children.push({ name, server });
    await Promise.all(children.map(([, server]) => server.start()));
    for (const [name, server] of children) void server.exited.then((how) => this.exitedUnexpectedly(name, how));
  }

  private async startSensor(nats: string[]): Promise<LabInfo['sensor']> {
    const { ports } = this.o;
    const own = Object.values(ports)
      .map((p) => `port ${p}`)
      .join(' or ');
    const filter = `not (${own})`;
    const common = [
      'sensor',
      '--id',
      SENSOR_ID,
      ...nats,
      '--spool-dir',
      join(labSubdir(this.o.dir, 'sensor'), 'spool'),
    ];
    const live = this.service('sensor', ports.sensor, [...common, '--interface', this.o.interface, '--filter', filter]);
    try {
      await this.run([['sensor', live]]);
      return { mode: 'live', filter, interface: this.o.interface };
    } catch (error) {
      if (this.stopping) throw error;
      this.children.splice(
        this.children.findIndex((c) => c.server === live),
        1,
      );
      const reason = lastWords(live.logTail(5));
      // Only a capture that is not allowed (or not possible here) falls back to a replay; anything else
      // (a port taken, NATS refusing) would fail the replay too, and must be said as it is.
      if (!/permission|not permitted|capture on /i.test(reason)) throw new Error(`sensor did not start: ${reason}`);
      this.note(`cannot capture on ${this.o.interface} (${reason}): replaying ${this.o.samplePcap} in a loop instead`);
      this.replaying = true;
      await this.run([
        ['sensor', this.service('sensor', ports.sensor, [...common, '--pcap', this.o.samplePcap, '--speed', '2'])],
      ]);
      return { mode: 'replay', reason };
    }
  }

  private async startTraffic(traffic: { rate: number; scanEverySeconds: number }): Promise<TrafficStartLine> {
    const args = [
      'generate-traffic',
      '--target',
      '127.0.0.1',
      '--rate',
      String(traffic.rate),
      '--scan-every',
      String(traffic.scanEverySeconds),
    ];
    const dir = labSubdir(this.o.dir, 'traffic');
    let started: TrafficStartLine | null = null;
    const server: SpawnedServer = new SpawnedServer({
      name: 'traffic',
      command: process.execPath,
      args: [this.o.bundle, ...args],
      dir,
      ownProcessGroup: true,
      stopTimeoutMs: 10_000,
      isReady: () => (started = trafficStarted(server.logTail(20))) !== null,
    });
    await this.run([['traffic', server]]);
    return started!;
  }

  private exitedUnexpectedly(name: string, how: string): void {
    if (this.stopping) return;
    const child = this.children.find((c) => c.name === name);
    if (name === 'sensor' && this.replaying && how === 'code 0' && child) {
      this.note('sensor: end of the capture; replaying it again');
      void child.server.start().then(
        () => void child.server.exited.then((again) => this.exitedUnexpectedly(name, again)),
        (error: unknown) => this.fail(`sensor replay did not restart: ${String(error).split('\n')[0]}`),
      );
      return;
    }
    this.fail(
      `${name} exited unexpectedly (${how}); it last said: ${lastWords(child?.server.logTail(5) ?? '')} (log: ${join(this.o.dir, name, 'server.log')})`,
    );
  }

  private fail(line: string): void {
    if (this.stopping) return;
    this.o.say(`lab: ${line}`);
    void this.stop(1);
  }

  private onMail(mail: ReceivedMail, mailDir: string): void {
    this.mails++;
    const slug = mail.subject
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60);
    const file = join(mailDir, `${String(this.mails).padStart(4, '0')}-${slug}.eml`);
    try {
      writeFileSync(file, mail.raw);
      this.note(`mail: ${mail.subject} → ${file}`);
    } catch (error) {
      this.note(`mail: ${mail.subject} (not saved: ${(error as Error).message.split('\n')[0]})`);
    }
  }

  private onHook(hook: ReceivedHook): void {
    this.hooks++;
    const labels = Object.entries(hook.body.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    this.note(
      `webhook: ${hook.body.state} ${hook.body.rule} ${labels} (signature ${hook.signatureValid ? 'ok' : 'INVALID'})`,
    );
  }

  /** Stops everything in order (SIGTERM, a kill after a timeout), then resolves `finished` with `code`. */
  async stop(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.status?.stop();
    await this.stopChildren();
    await this.startup?.catch(() => {}); // a start-up cut short: whatever it still started stops now
    await this.stopChildren();
    await Promise.all(this.closeReceivers.map((close) => close()));
    this.finish(code);
  }

  private async stopChildren(): Promise<void> {
    for (const group of STOP_ORDER) {
      await Promise.all(this.children.filter((c) => group.includes(c.name)).map((c) => c.server.stop()));
    }
  }

  /** A second Ctrl-C: no more waiting. */
  async kill(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.children.map((c) => c.server.kill()));
    this.finish(130);
  }
}
