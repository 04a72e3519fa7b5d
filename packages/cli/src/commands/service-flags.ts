import type { Command } from 'commander';

/** A CLI flag and the config path it sets (flags win over the environment and the config file). */
export interface FlagPath {
  flag: string;
  path: string;
  description: string;
  parse?: (value: string) => unknown;
}

/** Options shared by every service: config file, NATS, HTTP, logging. Secrets come only from env or files. */
export const COMMON_FLAGS: FlagPath[] = [
  { flag: '--nats <urls>', path: 'nats.servers', description: 'NATS server URLs, comma-separated (nats:// or tls://)' },
  { flag: '--nats-creds <file>', path: 'nats.credsFile', description: 'NATS credentials file (JWT + nkey, from nsc)' },
  {
    flag: '--nats-user <user>',
    path: 'nats.user',
    description: 'NATS user (the password from WIREWATCH_NATS_PASSWORD or _FILE)',
  },
  { flag: '--nats-ca <file>', path: 'nats.tls.caFile', description: 'CA certificate to verify the NATS server' },
  { flag: '--nats-cert <file>', path: 'nats.tls.certFile', description: 'client certificate for NATS mutual TLS' },
  { flag: '--nats-key <file>', path: 'nats.tls.keyFile', description: 'client key for NATS mutual TLS' },
  { flag: '--stream <name>', path: 'nats.stream', description: 'JetStream stream name' },
  { flag: '--http-host <host>', path: 'http.host', description: 'address of /healthz, /readyz and /metrics' },
  {
    flag: '--http-port <port>',
    path: 'http.port',
    description: 'port of /healthz, /readyz and /metrics (0: any free port)',
    parse: Number,
  },
  { flag: '--log-level <level>', path: 'logLevel', description: 'trace, debug, info, warn, error or silent' },
];

export function addFlags(command: Command, flags: FlagPath[]): Command {
  command.option('-c, --config <file>', 'YAML config file (WIREWATCH_* variables override it; flags override both)');
  for (const f of flags) command.option(f.flag, f.description);
  return command;
}

/** The flags the user gave on the command line (not commander's defaults), as `{ 'a.b': value }` config paths. */
export function flagValues(command: Command, flags: FlagPath[]): Record<string, unknown> {
  const options = command.opts<Record<string, unknown>>();
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    const key = camel(f.flag);
    const value = options[key];
    if (value === undefined || command.getOptionValueSource(key) !== 'cli') continue;
    out[f.path] = f.parse && typeof value === 'string' ? f.parse(value) : value;
  }
  return out;
}

/** `--nats-creds <file>` → `natsCreds`, as commander names it. */
function camel(flag: string): string {
  const long = flag
    .split(/[ ,]+/)
    .find((p) => p.startsWith('--'))!
    .slice(2);
  const name = long.startsWith('no-') ? long.slice(3) : long;
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
