import { Command } from 'commander';
import { COMMON_FLAGS, addFlags, flagValues, type FlagPath } from './service-flags.js';

/** The services' NATS flags (connection, stream name) and the replicas they would create the streams with. */
export const STREAMS_FLAGS: FlagPath[] = [
  ...COMMON_FLAGS.filter((f) => f.path.startsWith('nats.')),
  {
    flag: '--replicas <n>',
    path: 'nats.replicas',
    description: 'copies of each message across a NATS cluster (nats.replicas)',
    parse: Number,
  },
];

export function streamsCommand(): Command {
  const streams = new Command('streams').description(
    'Manage the JetStream streams of wirewatch (an operator step: the services only create missing ones)',
  );
  const apply = streams
    .command('apply')
    .description(
      'Create the streams, or update them to the settings (replicas, subjects, limits), as the NATS operator user',
    )
    .addHelpText(
      'after',
      "\nThe nats settings are the services' own: flags, WIREWATCH_NATS_* variables (the password from\n" +
        "WIREWATCH_NATS_PASSWORD or _FILE) or a YAML file with a `nats:` section. The services' NATS users may\n" +
        'create a missing stream but not update one, so a change of settings (e.g. nats.replicas) is applied\n' +
        "here, with a user that may (the lab's `operator`). Prints what it did per stream.\n" +
        'Exit codes: 0 ok, 1 NATS refused or unreachable, 2 bad settings. See docs/deploying.md.',
    );
  addFlags(apply, STREAMS_FLAGS);
  apply.action(async (options: Record<string, unknown>, self: Command) => {
    const [
      { applyStreams, applyStreamsFailure, connectNats, natsConfigSchema, natsOptions },
      { loadServiceConfig },
      { z },
    ] = await Promise.all([import('@wirewatch/bus'), import('./load-config.js'), import('zod')]);
    const config = loadServiceConfig(
      z.object({ nats: natsConfigSchema.default(natsConfigSchema.parse({})) }),
      options.config as string | undefined,
      flagValues(self, STREAMS_FLAGS),
      STREAMS_FLAGS,
    );
    const nc = await connectNats(natsOptions(config.nats), { name: 'wirewatch streams apply' });
    try {
      const applied = await applyStreams(nc, { stream: config.nats.stream, replicas: config.nats.replicas }).catch(
        (error: unknown) => {
          throw applyStreamsFailure(error);
        },
      );
      for (const s of applied)
        process.stdout.write(
          `${s.name}: ${s.action}${s.differences.length > 0 ? ` (${s.differences.join('; ')})` : ''}\n`,
        );
    } finally {
      await nc.close();
    }
  });
  return streams;
}
