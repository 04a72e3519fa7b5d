import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { referenceTable } from './reference-table.js';
import { configReference, describeValue } from './reference.js';

const schema = z.object({
  id: z
    .string()
    .regex(/^[a-z]+$/)
    .default('from-the-host')
    .describe('Names the thing.'),
  mode: z.enum(['live', 'file']).default('live').describe('How it runs.'),
  servers: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')))
    .default(['nats://127.0.0.1:4222'])
    .describe('Where to connect.'),
  nats: z
    .object({
      password: z.string().optional().describe('Password.'),
      credsFile: z.string().optional(),
      tls: z.object({ caFile: z.string().optional() }).default({}).describe('TLS settings.'),
    })
    .describe('NATS.'),
  port: z.number().int().min(0).max(65535).default(9101),
  ratio: z.number().positive(),
  hooks: z
    .array(z.object({ name: z.string(), url: z.string().url().describe('Target.'), secret: z.string().optional() }))
    .default([])
    .describe('Receivers.'),
  http: z.object({ host: z.string(), port: z.number() }).default({ host: '0.0.0.0', port: 1 }),
});

describe('configReference', () => {
  const entries = configReference(schema, {
    flags: [
      { flag: '--id <id>', path: 'id' },
      { flag: '--port <n>', path: 'port' },
    ],
    defaults: { id: 'the host name' },
  });
  const byPath = new Map(entries.map((e) => [e.path, e]));

  it('lists objects, their fields and the fields of list elements, in schema order', () => {
    expect(entries.map((e) => e.path)).toEqual([
      'id',
      'mode',
      'servers',
      'nats',
      'nats.password',
      'nats.credsFile',
      'nats.tls',
      'nats.tls.caFile',
      'port',
      'ratio',
      'hooks',
      'hooks[].name',
      'hooks[].url',
      'hooks[].secret',
      'http',
      'http.host',
      'http.port',
    ]);
    expect(byPath.get('nats')).toMatchObject({ kind: 'object', description: 'NATS.' });
    expect(byPath.get('nats.tls')).toMatchObject({ kind: 'object', description: 'TLS settings.' });
  });

  it('names the variable, its _FILE twin and the flag of each setting; list elements have neither', () => {
    expect(byPath.get('nats.tls.caFile')).toMatchObject({
      env: 'WIREWATCH_NATS_TLS_CA_FILE',
      envFile: 'WIREWATCH_NATS_TLS_CA_FILE_FILE',
    });
    expect(byPath.get('port')).toMatchObject({ env: 'WIREWATCH_PORT', flag: '--port <n>' });
    expect(byPath.get('hooks')).toMatchObject({
      env: 'WIREWATCH_HOOKS',
      type: 'list of objects (fields below)',
      default: '[]',
    });
    expect(byPath.get('hooks[].url')).toMatchObject({
      env: undefined,
      flag: undefined,
      type: 'URL',
      required: true,
      description: 'Target.',
    });
  });

  it('reads types, allowed values and defaults off the schema', () => {
    expect(byPath.get('mode')).toMatchObject({
      type: 'string',
      allowed: 'one of `live`, `file`',
      default: 'live',
      description: 'How it runs.',
    });
    expect(byPath.get('servers')).toMatchObject({
      type: 'list of strings (or one comma-separated string)',
      default: 'nats://127.0.0.1:4222',
    });
    expect(byPath.get('port')).toMatchObject({
      type: 'integer',
      allowed: '0 – 65535',
      default: '9101',
      required: false,
    });
    expect(byPath.get('ratio')).toMatchObject({ type: 'number', allowed: '> 0', required: true });
    expect(byPath.get('id')).toMatchObject({
      allowed: 'matches `^[a-z]+$`',
      default: undefined,
      defaultPhrase: 'the host name',
    });
    // A field with no default of its own takes the one its object's default gives it.
    expect(byPath.get('http.host')).toMatchObject({ default: '0.0.0.0', required: false });
  });

  it('marks passwords and tokens as secrets, but not the settings naming a file', () => {
    expect(byPath.get('nats.password')?.secret).toBe(true);
    expect(byPath.get('hooks[].secret')?.secret).toBe(true);
    expect(byPath.get('nats.credsFile')?.secret).toBe(false);
    expect(byPath.get('nats.tls.caFile')?.secret).toBe(false);
  });
});

describe('describeValue', () => {
  it('describes unions of keywords and numbers, and bounded lists', () => {
    expect(describeValue(z.union([z.enum(['max', 'realtime']), z.coerce.number().positive()]))).toEqual({
      type: 'string or number',
      allowed: '`max`, `realtime` or a number > 0',
    });
    expect(describeValue(z.array(z.string()).min(1))).toEqual({ type: 'list of strings', allowed: 'at least 1' });
    expect(describeValue(z.string().min(16))).toEqual({ type: 'string', allowed: 'at least 16 characters' });
    expect(describeValue(z.number().int().min(1))).toEqual({ type: 'integer', allowed: '≥ 1' });
  });
});

describe('referenceTable', () => {
  it('renders one row per entry, secrets with both variables and no flag, pipes escaped', () => {
    const table = referenceTable(
      configReference(
        z.object({
          token: z.string().optional().describe('API token.'),
          mode: z.string().default('a|b').describe('One | two.'),
        }),
      ),
    );
    const lines = table.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(
      '| `token` | `WIREWATCH_TOKEN` or `WIREWATCH_TOKEN_FILE` | — | string | — | API token. **Secret**: no flag; best from a file through the `_FILE` variable. |',
    );
    expect(lines[3]).toBe('| `mode` | `WIREWATCH_MODE` | — | string | `a\\|b` | One \\| two. |');
  });
});
