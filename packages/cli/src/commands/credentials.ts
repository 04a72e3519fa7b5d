import { Command } from 'commander';
import { makeSensorCredentials } from './credentials-sensor.js';

export function credentialsCommand(): Command {
  const credentials = new Command('credentials').description('Make NATS credentials for wirewatch services');
  credentials
    .command('sensor')
    .description(
      "A sensor's own NATS identity: an NKey seed file for the sensor host and the user entry for the NATS server",
    )
    .argument('<id>', 'the sensor id (its --id): the only one this identity may publish as')
    .option('--out <dir>', 'directory of the seed file <id>.nk (created, mode 0700; the file mode 0600)', '.')
    .addHelpText(
      'after',
      '\nThe entry goes to stdout: paste it into the users of the SENSORS account (deploy/nats/accounts.conf; not\n' +
        "WIREWATCH, where a sensor could aim JetStream acks at the alerter's KV) and reload the server.\n" +
        'The seed goes to the sensor host only: nats.nkeySeedFile (WIREWATCH_NATS_NKEY_SEED_FILE).\nSee docs/deploying.md, "One identity per sensor".',
    )
    .action((id: string, options: { out: string }) => {
      const made = makeSensorCredentials(id, options.out);
      process.stdout.write(`${made.stanza}\n`);
      process.stderr.write(
        `the entry above goes into the users of the SENSORS account of the server's accounts file (deploy/nats/accounts.conf); then reload the server\n`,
      );
      process.stderr.write(
        `wrote ${made.seedFile} (mode 0600): copy it to the sensor host, set WIREWATCH_NATS_NKEY_SEED_FILE to it, and delete it here\n`,
      );
    });
  return credentials;
}
