import { alerterConfigSchema } from '@wirewatch/alerter';
import { collectorConfigSchema } from '@wirewatch/collector';
import { sensorConfigSchema } from '@wirewatch/sensor';
import { configReference, referenceTable, type ReferenceOptions } from '@wirewatch/service';
import type { z } from 'zod';
import { ALERTER_FLAGS } from './commands/alerter.js';
import { COLLECTOR_FLAGS } from './commands/collector.js';
import { SENSOR_FLAGS } from './commands/sensor.js';
import { COMMON_FLAGS } from './commands/service-flags.js';

import { REGENERATE } from './config-doc-paths.js';

export { CONFIG_DOC, REGENERATE } from './config-doc-paths.js';

export interface ServiceConfigDoc {
  command: 'sensor' | 'collector' | 'alerter';
  schema: z.ZodType;
  options: ReferenceOptions;
  /** What the service is, in a sentence or two. */
  lead: string;
  /** A config file worth starting from (the docs test loads it through the schema). */
  example: string;
}

export const SERVICE_CONFIG_DOCS: ServiceConfigDoc[] = [
  {
    command: 'sensor',
    schema: sensorConfigSchema,
    options: { flags: [...SENSOR_FLAGS, ...COMMON_FLAGS], defaults: { id: 'the host name (its first label)' } },
    lead: 'Captures live (or replays a file), summarizes every interval and publishes the summaries through its on-disk spool to JetStream. Live capture needs `CAP_NET_RAW` and `CAP_NET_ADMIN` ([deploying.md](deploying.md)).',
    example: `id: edge-1
capture:
  interfaces: [eth0]
  filter: not port 4222
nats:
  servers: [tls://nats.example.net:4222]
  user: sensor                 # password: WIREWATCH_NATS_PASSWORD_FILE
  tls: { caFile: /etc/wirewatch/ca.pem }
spool:
  dir: /var/lib/wirewatch/spool
writePcap:
  dir: /var/lib/wirewatch/pcap
  keep: 20
`,
  },
  {
    command: 'collector',
    schema: collectorConfigSchema,
    options: { flags: [...COLLECTOR_FLAGS, ...COMMON_FLAGS] },
    lead: 'Consumes the summaries and heartbeats from shared durable consumers and writes them to InfluxDB; run as many replicas as the load needs ([scaling.md](scaling.md)).',
    example: `nats:
  servers: [tls://nats.example.net:4222]
  credsFile: /etc/wirewatch/collector.creds
  tls: { caFile: /etc/wirewatch/ca.pem }
influx:                        # token: WIREWATCH_INFLUX_TOKEN_FILE
  url: https://influx.example.net:8086
  api: v2
  org: ops
  bucket: wirewatch
`,
  },
  {
    command: 'alerter',
    schema: alerterConfigSchema,
    options: { flags: [...ALERTER_FLAGS, ...COMMON_FLAGS] },
    lead: 'Judges the alert rules ([alert-rules.md](alert-rules.md)) on its own durable consumers and notifies the receivers; one replica is active at a time. Receivers are set in the file.',
    example: `nats:
  servers: [tls://nats.example.net:4222]
  user: alerter                # password: WIREWATCH_NATS_PASSWORD_FILE
  tls: { caFile: /etc/wirewatch/ca.pem }
rules: /etc/wirewatch/rules.yaml
receivers:
  - name: default
    webhook: { url: "https://hooks.example.net/wirewatch", secretFile: /run/secrets/webhook }
  - name: oncall-mail
    email:
      host: smtp.example.net
      user: wirewatch
      passwordFile: /run/secrets/smtp
      from: wirewatch@example.net
      to: [oncall@example.net]
dashboardUrl: https://grafana.example.net/d/wirewatch-traffic
`,
  },
];

const INTRO = `<!-- Generated from the config schemas by \`${REGENERATE}\`. Edit the schemas' .describe() texts (services/*/src/config.ts, packages/bus/src/nats-config.ts, packages/influx/src/influx-config.ts), not this file. -->
# Configuration reference

Every setting of \`wirewatch sensor\`, \`wirewatch collector\` and \`wirewatch alerter\`, read off the
schemas the services validate their configuration with. Deployment: [deploying.md](deploying.md);
scaling: [scaling.md](scaling.md); when something is wrong: [troubleshooting.md](troubleshooting.md).

- [How settings are read](#how-settings-are-read)
${SERVICE_CONFIG_DOCS.map((s) => `- [\`wirewatch ${s.command}\`](#wirewatch-${s.command})`).join('\n')}

## How settings are read

Four layers, each overriding the one before:

1. the defaults below;
2. a YAML file, \`-c, --config FILE\`, nested like the setting paths (\`nats.tls.caFile\` is \`caFile\`
   under \`tls:\` under \`nats:\`);
3. environment variables: \`WIREWATCH_\` and the path in upper snake case
   (\`spool.maxMinutes\` → \`WIREWATCH_SPOOL_MAX_MINUTES\`);
4. command-line flags, for the settings that have one.

- **Secrets from files.** Every variable has a \`_FILE\` twin naming a file whose contents, less
  trailing newlines, are the value: \`WIREWATCH_NATS_PASSWORD_FILE=/run/secrets/nats\`. Setting both
  is an error; an empty variable counts as unset. Passwords and tokens have no flag (a flag shows in
  \`ps\` and in shell history), and no log line ever shows them.
- **Types.** Values from the environment and flags are converted to the setting's type: numbers
  (\`8080\`, \`1e6\`), booleans (\`true\`/\`false\`, \`1\`/\`0\`, \`yes\`/\`no\`, \`on\`/\`off\`), lists
  (\`a,b\` or YAML \`[a, b]\`) and anything structured as YAML, e.g.
  \`WIREWATCH_RECEIVERS='[{name: hook, webhook: {url: "https://hooks.example.net/x"}}]'\`.
- **Merging.** Objects merge key by key across the layers; lists and other values replace.
- **Typos.** A key the schema does not have, in the file or as a flag, is an error. A \`WIREWATCH_*\`
  variable no setting reads is ignored (one environment often serves several services), so check
  the spelling of variables against the tables.
- **Errors.** A bad setting stops the service before it starts, exit code 2, with one line per
  problem naming the file and line, the variable or the flag, never the value:

\`\`\`
wirewatch: /etc/wirewatch/sensor.yaml:6 nats.tsl: unknown setting
wirewatch: /etc/wirewatch/sensor.yaml:5 nats.servers[0]: expected nats://host:port or tls://host:port
wirewatch: WIREWATCH_SPOOL_MAX_MINUTES spool.maxMinutes: Invalid input: expected number, received string
wirewatch: --http-port http.port: Too big: expected number to be <=65535
\`\`\`

\`pnpm wirewatch <command> --help\` lists the flags. Settings without a flag are set in the file or the
environment.
`;

function serviceSection(s: ServiceConfigDoc): string {
  return `
## \`wirewatch ${s.command}\`

${s.lead}

\`\`\`yaml
# wirewatch ${s.command} -c ${s.command}.yaml
${s.example}\`\`\`

${referenceTable(configReference(s.schema, s.options))}`;
}

/** The whole of docs/configuration.md. */
export function configurationDoc(): string {
  return INTRO + SERVICE_CONFIG_DOCS.map(serviceSection).join('');
}
