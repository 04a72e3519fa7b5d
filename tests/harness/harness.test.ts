/** The test harness itself: each server starts, takes data, keeps it across a restart, and refuses strangers. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerAvailable,
  freePort,
  freePorts,
  influxRows,
  startInfluxV1,
  startInfluxV2,
  startNats,
  startVictoriaMetrics,
  waitFor,
  type InfluxV1Handle,
  type NatsHandle,
  type VictoriaHandle,
} from './index.js';
import { connect, jetstream, jetstreamManager, StorageType } from './nats-client.js';
import { makeServerDir, removeServerDir } from './server-control.js';
import { SpawnedServer } from './spawned-server.js';

/** 1995-05-09T06:13:20Z: captures replayed in tests carry timestamps this old. */
const OLD_MS = 800_000_000_000;

const processIsAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('helpers', () => {
  it('freePorts gives distinct ports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
  });

  it('freePort gives a port that can be bound', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('waitFor resolves with the truthy value, and names what it waited for on timeout', async () => {
    let calls = 0;
    await expect(waitFor(() => ++calls >= 3 && calls, { what: 'three calls', intervalMs: 1 })).resolves.toBe(3);
    await expect(waitFor(() => false, { what: 'the impossible', timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      /timed out after 30 ms waiting for the impossible/,
    );
    await expect(
      waitFor(
        () => {
          throw new Error('still down');
        },
        { what: 'a server', timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow(/waiting for a server \(last error: still down\)/);
  });

  it('a server that never gets ready fails with its last log lines', async () => {
    const server = new SpawnedServer({
      name: 'sleeper',
      command: 'sh',
      args: ['-c', 'echo listening-nowhere; exec sleep 30'],
      dir: makeServerDir('sleeper'),
      isReady: () => false,
      readyTimeoutMs: 300,
    });
    await expect(server.start()).rejects.toThrow(
      /sleeper was not ready after 300 ms; last log lines:\nlistening-nowhere/,
    );
    await server.dispose();
  });

  it('a server that exits before it is ready fails at once with its output', async () => {
    const server = new SpawnedServer({
      name: 'quitter',
      command: 'sh',
      args: ['-c', 'echo bad config >&2; exit 3'],
      dir: makeServerDir('quitter'),
      isReady: () => false,
    });
    await expect(server.start()).rejects.toThrow(/quitter exited \(code 3\) before it was ready:\nbad config/);
    await server.dispose();
  });

  it('a missing binary is one clear error', async () => {
    const server = new SpawnedServer({
      name: 'ghost',
      command: 'no-such-server-binary',
      args: [],
      dir: makeServerDir('ghost'),
      isReady: () => true,
    });
    await expect(server.start()).rejects.toThrow(/cannot run no-such-server-binary: .*ENOENT/);
    await server.dispose();
  });
});

describe('nats', () => {
  let nats: NatsHandle;
  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(() => nats?.dispose());

  it('keeps JetStream stream contents across stop() and start() on the same port', async () => {
    expect(nats.url).toMatch(/^nats:\/\/[\w.]+:\d+$/);
    let nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'], storage: StorageType.File });
    const js = jetstream(nc);
    for (const word of ['one', 'two', 'three']) await js.publish('harness.words', word);
    await nc.close();

    await nats.stop();
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 500 })).rejects.toThrow();
    await nats.start();

    nc = await connect({ servers: nats.url });
    const stream = await (await jetstreamManager(nc)).streams.get('HARNESS');
    expect((await stream.info()).state.messages).toBe(3);
    expect((await stream.getMessage({ seq: 3 }))?.string()).toBe('three');
    await nc.close();
  });

  it('comes back after kill()', async () => {
    await nats.kill();
    await nats.start();
    const nc = await connect({ servers: nats.url });
    expect(nc.getServer()).toContain(String(nats.port));
    await nc.close();
  });
});

describe('nats with auth and TLS', () => {
  let withPassword: NatsHandle;
  let withTokenAndTls: NatsHandle;
  beforeAll(async () => {
    [withPassword, withTokenAndTls] = await Promise.all([
      startNats({ auth: { user: 'sensor', password: 'p4ss' } }),
      startNats({ auth: { token: 't0ken' }, tls: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([withPassword?.dispose(), withTokenAndTls?.dispose()]);
  });

  it('user/password: refuses a client without credentials or with a wrong password', async () => {
    await expect(connect({ servers: withPassword.url, reconnect: false })).rejects.toThrow(/authorization/i);
    await expect(
      connect({ servers: withPassword.url, user: 'sensor', pass: 'nope', reconnect: false }),
    ).rejects.toThrow(/authorization/i);
    const nc = await connect({ servers: withPassword.url, user: 'sensor', pass: 'p4ss' });
    await nc.flush();
    await nc.close();
  });

  it('token over TLS: refuses an unverified server certificate and a missing token', async () => {
    expect(withTokenAndTls.url).toMatch(/^tls:\/\//);
    expect(withTokenAndTls.caFile).toBeTruthy();
    const caFile = withTokenAndTls.caFile!;
    await expect(connect({ servers: withTokenAndTls.url, token: 't0ken', reconnect: false })).rejects.toThrow(
      /certificate/i,
    );
    await expect(connect({ servers: withTokenAndTls.url, tls: { caFile }, reconnect: false })).rejects.toThrow(
      /authorization/i,
    );
    const nc = await connect({ servers: withTokenAndTls.url, token: 't0ken', tls: { caFile } });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });
});

describe('influxd 1.x', () => {
  let influx: InfluxV1Handle;
  beforeAll(async () => {
    influx = await startInfluxV1();
  });
  afterAll(() => influx?.dispose());

  it('takes v1 writes with old timestamps and keeps them across stop() and start()', async () => {
    await influx.createDatabase('harness');
    const write = await fetch(`${influx.url}/write?db=harness&precision=ms`, {
      method: 'POST',
      body: `traffic,sensor=a packets=5i,top="10.0.0.1" ${OLD_MS}\ntraffic,sensor=b packets=7i,top="10.0.0.2" ${OLD_MS}`,
    });
    expect(write.status).toBe(204);
    const select = 'SELECT packets, top, sensor FROM traffic ORDER BY time';
    const expected = [
      { measurement: 'traffic', time: OLD_MS, packets: 5, top: '10.0.0.1', sensor: 'a' },
      { measurement: 'traffic', time: OLD_MS, packets: 7, top: '10.0.0.2', sensor: 'b' },
    ];
    expect(influxRows(await influx.query(select, 'harness'))).toEqual(expected);

    await influx.stop();
    await expect(fetch(`${influx.url}/ping`)).rejects.toThrow();
    await influx.start();
    expect(influxRows(await influx.query(select, 'harness'))).toEqual(expected);
  });

  it('speaks only the v1 API, and reports statement errors as one line', async () => {
    expect((await fetch(`${influx.url}/api/v2/write?bucket=harness`, { method: 'POST', body: 'x v=1' })).status).toBe(
      404,
    );
    await expect(influx.query('SELECT FROM', 'harness')).rejects.toThrow(
      /^InfluxQL "SELECT FROM": .*error parsing query/,
    );
  });
});

describe('victoria-metrics', () => {
  let vm: VictoriaHandle;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  });
  afterAll(() => vm?.dispose());

  it('takes v2 line protocol from the 1990s, and keeps it across stop() and start()', async () => {
    const body = [
      `traffic,sensor=a packets=5i,bytes=1500 ${OLD_MS}`,
      `traffic,sensor=a packets=6i,bytes=1600 ${OLD_MS + 60_000}`,
      `traffic,sensor=a address="10.0.0.1",port="443" ${OLD_MS}`,
    ].join('\n');
    const write = await fetch(`${vm.url}/api/v2/write?org=o&bucket=b&precision=ms`, { method: 'POST', body });
    expect(write.status).toBe(204);
    const read = async () =>
      Object.fromEntries(
        (await vm.export('{__name__=~"traffic_.*"}')).map((s) => [s.metric.__name__, [s.values, s.timestamps]]),
      );
    const expected = {
      traffic_packets: [
        [5, 6],
        [OLD_MS, OLD_MS + 60_000],
      ],
      traffic_bytes: [
        [1500, 1600],
        [OLD_MS, OLD_MS + 60_000],
      ],
      // String fields are not dropped: parsed as numbers, and a non-numeric string becomes 0.
      traffic_address: [[0], [OLD_MS]],
      traffic_port: [[443], [OLD_MS]],
    };
    expect(await read()).toEqual(expected);

    await vm.stop();
    await vm.start();
    expect(await read()).toEqual(expected);
  });

  it('answers 204 to a malformed line (it skips the line): bad data is only visible on InfluxDB', async () => {
    const write = await fetch(`${vm.url}/api/v2/write?precision=ms`, { method: 'POST', body: 'not line protocol' });
    expect(write.status).toBe(204);
  });
});

describe('influxdb 2 (Docker only)', () => {
  it('is null without Docker, else takes a v2 write readable with InfluxQL', async () => {
    const influx = await startInfluxV2();
    if (!influx) {
      expect(await dockerAvailable()).toBe(false);
      return;
    }
    try {
      const write = await fetch(`${influx.url}/api/v2/write?org=${influx.org}&bucket=${influx.bucket}&precision=ms`, {
        method: 'POST',
        headers: { authorization: `Token ${influx.token}` },
        body: `traffic,sensor=a packets=5i ${OLD_MS}`,
      });
      expect(write.status).toBe(204);
      expect(influxRows(await influx.query('SELECT packets FROM traffic'))).toEqual([
        { measurement: 'traffic', time: OLD_MS, packets: 5 },
      ]);
    } finally {
      await influx.dispose();
    }
  }, 120_000);
});

describe('cleanup when the test process dies', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const script = fileURLToPath(new URL('./fixtures/start-nats-and-report.ts', import.meta.url));
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeServerDir));

  /** Runs a process that starts NATS, prints the server's pid, then ends as `ending` says. */
  async function serverPidOfDeadProcess(ending: 'exit' | 'hang'): Promise<number> {
    const dir = makeServerDir('orphan-check');
    dirs.push(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', script, ending, dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const pid = Number(
      await waitFor(() => /pid=(\d+)/.exec(output)?.[1], { what: 'the child to start NATS', timeoutMs: 15_000 }),
    );
    if (ending === 'hang') child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    return pid;
  }

  it('kills servers on process.exit()', async () => {
    const pid = await serverPidOfDeadProcess('exit');
    await waitFor(() => !processIsAlive(pid), { what: `nats-server ${pid} to die with its parent`, timeoutMs: 3_000 });
  });

  it('kills servers when the process is SIGKILLed (watchdog)', async () => {
    const pid = await serverPidOfDeadProcess('hang');
    await waitFor(() => !processIsAlive(pid), {
      what: `nats-server ${pid} to die after its parent was killed`,
      timeoutMs: 5_000,
    });
  });
});
