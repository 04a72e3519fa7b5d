import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ConfigError } from './config-error.js';
import { configEnvNames, loadConfig, unknownConfigEnv } from './load-config.js';

const schema = z.object({
  sensorId: z.string().min(1),
  mode: z.enum(['live', 'file']).default('live'),
  nats: z
    .object({
      url: z.url().default('nats://127.0.0.1:4222'),
      password: z.string().optional(),
      maxReconnects: z.number().int().default(10),
    })
    .prefault({}),
  influx: z.object({ org_id: z.string().default('main') }).prefault({}),
  http: z
    .object({ host: z.string().default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(9464) })
    .default({ host: '0.0.0.0', port: 9464 }),
  capture: z
    .object({
      interfaces: z.array(z.string()).default(['eth0']),
      promiscuous: z.boolean().default(false),
      file: z.string().optional(),
    })
    .prefault({}),
  labels: z.record(z.string(), z.string()).default({}),
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The ConfigError's lines, with the temporary directory shortened to `<dir>`. */
function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n').map((line) => line.replaceAll(dir, '<dir>'));
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies schema defaults, including those of fields inside defaulted objects', () => {
    const config = loadConfig(schema, { env: {}, flags: { sensorId: 's1' } });
    expect(config).toEqual({
      sensorId: 's1',
      mode: 'live',
      nats: { url: 'nats://127.0.0.1:4222', maxReconnects: 10 },
      influx: { org_id: 'main' },
      http: { host: '0.0.0.0', port: 9464 },
      capture: { interfaces: ['eth0'], promiscuous: false },
      labels: {},
    });
  });

  it('layers file < environment < flags, merging objects key by key', () => {
    const path = file(
      'config.yaml',
      'sensorId: from-file\nmode: file\nnats:\n  url: nats://file:4222\nhttp:\n  host: 127.0.0.1\n  port: 1000\n',
    );
    const env = { WIREWATCH_NATS_URL: 'nats://env:4222', WIREWATCH_HTTP_PORT: '2000' };
    const config = loadConfig(schema, { file: path, env, flags: { 'nats.url': 'nats://flag:4222', mode: undefined } });
    expect(config.nats.url).toBe('nats://flag:4222');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 2000 });
    expect(config.mode).toBe('file');
    expect(config.sensorId).toBe('from-file');
    expect(config.nats.maxReconnects).toBe(10);
  });

  it('maps environment names to settings by the schema, converting to each type', () => {
    const config = loadConfig(schema, {
      env: {
        WIREWATCH_SENSOR_ID: 'lab-1',
        WIREWATCH_NATS_MAX_RECONNECTS: '5',
        WIREWATCH_INFLUX_ORG_ID: 'acme', // a key that itself contains "_"
        WIREWATCH_CAPTURE_INTERFACES: 'eth0, eth1',
        WIREWATCH_CAPTURE_PROMISCUOUS: 'yes',
        WIREWATCH_CAPTURE_FILE: '/tmp/x.pcap', // a setting named "file", not a secret file
        WIREWATCH_LABELS: '{site: lab, rack: "7"}',
        WIREWATCH_MODE: '', // empty counts as unset
        OTHER_VAR: 'ignored',
      },
    });
    expect(config.sensorId).toBe('lab-1');
    expect(config.nats.maxReconnects).toBe(5);
    expect(config.influx.org_id).toBe('acme');
    expect(config.capture).toEqual({ interfaces: ['eth0', 'eth1'], promiscuous: true, file: '/tmp/x.pcap' });
    expect(config.labels).toEqual({ site: 'lab', rack: '7' });
    expect(config.mode).toBe('live');
  });

  it('lists the environment names and finds unknown ones', () => {
    expect(configEnvNames(schema)).toContainEqual({ path: 'influx.org_id', env: 'WIREWATCH_INFLUX_ORG_ID' });
    expect(configEnvNames(schema)).toContainEqual({ path: 'nats.maxReconnects', env: 'WIREWATCH_NATS_MAX_RECONNECTS' });
    const env = {
      WIREWATCH_NATS_ULR: 'x',
      WIREWATCH_NATS_URL: 'y',
      WIREWATCH_NATS_PASSWORD_FILE: '/s',
      WIREWATCH_CONFIG: 'c.yaml',
      HOME: '/root',
    };
    expect(unknownConfigEnv(schema, env, { ignore: ['WIREWATCH_CONFIG'] })).toEqual(['WIREWATCH_NATS_ULR']);
  });

  it('reads a secret from the file a _FILE variable names, without its trailing newline', () => {
    const secret = file('nats-password', 's3cret value\n');
    const config = loadConfig(schema, { env: { WIREWATCH_SENSOR_ID: 's', WIREWATCH_NATS_PASSWORD_FILE: secret } });
    expect(config.nats.password).toBe('s3cret value');
  });

  it('reports a _FILE that cannot be read, or one set together with the variable itself', () => {
    expect(
      problemsOf(() =>
        loadConfig(schema, { env: { WIREWATCH_SENSOR_ID: 's', WIREWATCH_NATS_PASSWORD_FILE: join(dir, 'missing') } }),
      ),
    ).toEqual(['WIREWATCH_NATS_PASSWORD_FILE: cannot read <dir>/missing (ENOENT)']);
    const secret = file('pw', 'hunter2');
    const lines = problemsOf(() =>
      loadConfig(schema, {
        env: { WIREWATCH_SENSOR_ID: 's', WIREWATCH_NATS_PASSWORD: 'hunter2', WIREWATCH_NATS_PASSWORD_FILE: secret },
      }),
    );
    expect(lines).toEqual(['WIREWATCH_NATS_PASSWORD and WIREWATCH_NATS_PASSWORD_FILE are both set; set only one']);
  });

  it('names the file and line of a bad value in the YAML file', () => {
    const path = file(
      'config.yaml',
      [
        '# wirewatch sensor',
        'sensorId: lab-1',
        'mode: live',
        'http:',
        '  port: 9464',
        'nats:',
        '  url: not a url',
        '',
      ].join('\n'),
    );
    expect(problemsOf(() => loadConfig(schema, { file: path, env: {} }))).toEqual([
      '<dir>/config.yaml:7 nats.url: Invalid URL',
    ]);
  });

  it('reports every problem, one line each, naming file lines, variables and flags', () => {
    const path = file(
      'config.yaml',
      [
        'sensorId: ""',
        'nats:',
        '  ulr: nats://x',
        'capture:',
        '  interfaces:',
        '    - eth0',
        '    - 7',
        'mode: replay',
      ].join('\n'),
    );
    const lines = problemsOf(() =>
      loadConfig(schema, {
        file: path,
        env: { WIREWATCH_NATS_MAX_RECONNECTS: 'many', WIREWATCH_CAPTURE_PROMISCUOUS: 'maybe' },
        flags: { 'http.port': '70000', 'nats.tls': true },
      }),
    );
    expect(lines).toEqual([
      '<dir>/config.yaml:3 nats.ulr: unknown setting',
      '--nats-tls nats.tls: unknown setting',
      '<dir>/config.yaml:1 sensorId: Too small: expected string to have >=1 characters',
      '<dir>/config.yaml:8 mode: Invalid option: expected one of "live"|"file"',
      'WIREWATCH_NATS_MAX_RECONNECTS nats.maxReconnects: Invalid input: expected number, received string',
      '--http-port http.port: Too big: expected number to be <=65535',
      '<dir>/config.yaml:7 capture.interfaces[1]: Invalid input: expected string, received number',
      'WIREWATCH_CAPTURE_PROMISCUOUS capture.promiscuous: Invalid input: expected boolean, received string',
    ]);
  });

  it('says where a missing required setting can be set', () => {
    const path = file('config.yaml', 'mode: live\n');
    expect(problemsOf(() => loadConfig(schema, { file: path, env: {} }))).toEqual([
      'sensorId: required; set it in <dir>/config.yaml or WIREWATCH_SENSOR_ID',
    ]);
  });

  it('reports YAML syntax errors with their line, and a file that is not a mapping', () => {
    const broken = file('broken.yaml', 'sensorId: a\nnats:\n  url: x\n  url: y\n');
    expect(problemsOf(() => loadConfig(schema, { file: broken, env: {} }))).toEqual([
      '<dir>/broken.yaml:4 Map keys must be unique',
    ]);
    const list = file('list.yaml', '- a\n- b\n');
    expect(problemsOf(() => loadConfig(schema, { file: list, env: {} }))).toEqual([
      '<dir>/list.yaml:1 expected a mapping of settings (key: value) at the top',
    ]);
    expect(problemsOf(() => loadConfig(schema, { file: join(dir, 'none.yaml'), env: {} }))).toEqual([
      '<dir>/none.yaml: cannot read (ENOENT)',
    ]);
  });

  it('accepts an empty file', () => {
    const empty = file('empty.yaml', '# nothing yet\n');
    expect(loadConfig(schema, { file: empty, env: { WIREWATCH_SENSOR_ID: 's' } }).mode).toBe('live');
  });

  it('never puts a value in an error message', () => {
    const strict = z.object({ nats: z.object({ password: z.string().min(20), token: z.number() }) });
    const secret = file('pw', 'hunter2-secret\n');
    const lines = problemsOf(() =>
      loadConfig(strict, { env: { WIREWATCH_NATS_PASSWORD_FILE: secret, WIREWATCH_NATS_TOKEN: 'tok-abc123' } }),
    );
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/hunter2|tok-abc123/);
  });

  it('treats __proto__ in a file as an ordinary (unknown) key', () => {
    const path = file('config.yaml', 'sensorId: s\n__proto__:\n  polluted: true\n');
    expect(problemsOf(() => loadConfig(schema, { file: path, env: {} }))).toEqual([
      '<dir>/config.yaml:2 __proto__: unknown setting',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a schema whose settings share an environment name', () => {
    const clash = z.object({ a: z.object({ bC: z.string() }), a_b: z.object({ c: z.string() }) });
    expect(() => loadConfig(clash, { env: {} })).toThrow(
      'config schema: settings a.bC and a_b.c both map to WIREWATCH_A_B_C',
    );
  });
});
