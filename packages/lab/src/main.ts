/**
 * `pnpm lab`: the whole wirewatch topology from local processes, no Docker. Run from the checkout
 * with tsx (it builds and runs the CLI bundle for the services, as the containers do).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { stop as stopEsbuild } from 'esbuild';
import { DEFAULT_RULES_FILE } from '@wirewatch/rules';
import { buildCli } from '../../../scripts/build-cli.mjs';
import { Lab } from './lab.js';
import { LabDirError, prepareLabDir, releaseLabDir } from './lab-dir.js';
import { choosePorts, PortError, USUAL_PORTS, type LabPorts } from './lab-ports.js';
import { labSummary } from './lab-summary.js';
import { ensurePrerequisites, findProgram, type InstallPolicy } from './prerequisites.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface LabFlags {
  dir: string;
  duration?: number;
  traffic: boolean;
  rate: number;
  scanEvery: number;
  interface: string;
  install?: boolean;
  [port: string]: unknown;
}

/**
 * One Ctrl-C can arrive twice: from the terminal and forwarded by `pnpm run`, which gets it too.
 * Only a signal later than this is a second Ctrl-C.
 */
const SAME_CTRL_C_MS = 500;

const say = (line: string) => process.stdout.write(`${line}\n`);

function number(min: number, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'a whole number' : 'a number'}, at least ${min}`);
    }
    return n;
  };
}

const PORT_FLAGS: Array<[keyof LabPorts, string]> = [
  ['nats', 'NATS client port'],
  ['influx', 'InfluxDB HTTP port'],
  ['sensor', "sensor's /metrics port"],
  ['collector', "collector's /metrics port"],
  ['alerter', "alerter's API and /metrics port"],
  ['smtp', "the mail catcher's SMTP port"],
  ['webhook', "the webhook receiver's port"],
];

function program(): Command {
  const command = new Command('pnpm lab')
    .description(
      'Run the whole wirewatch topology on this machine from local processes: NATS, InfluxDB, collector, alerter, a sensor on lo, a traffic mix, a mail catcher and a webhook receiver',
    )
    .option('--dir <dir>', 'lab directory: data, logs, mails (emptied at start)', join(root, '.lab'))
    .option('--duration <seconds>', 'stop by itself this long after it is up', number(1))
    .option('--no-traffic', 'do not run the traffic generator')
    .option('--rate <packets>', 'traffic generator: packets per second', number(1), 100)
    .option('--scan-every <seconds>', 'traffic generator: seconds between port-scan bursts (0: none)', number(0), 30)
    .option('-i, --interface <name>', 'interface the sensor captures on', 'lo')
    .addOption(new Option('--install', 'install missing Debian packages with apt-get, through sudo if need be'))
    .addOption(new Option('--no-install', 'never install; print the apt-get command instead'));
  for (const [name, what] of PORT_FLAGS) {
    command.option(
      `--${name}-port <port>`,
      `${what} (default ${USUAL_PORTS[name]} if free, else any free port)`,
      number(1, true),
    );
  }
  return command
    .addHelpText(
      'after',
      '\nMissing nats-server/influxd/libpcap are installed with apt-get when running as root or with password-less sudo.\nExit codes: 0 stopped cleanly (Ctrl-C, SIGTERM, --duration), 1 a process failed, 2 missing prerequisites or bad options.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
}

async function main(): Promise<void> {
  const flags = program().parse(process.argv).opts<LabFlags>();
  const policy: InstallPolicy = flags.install === true ? 'always' : flags.install === false ? 'never' : 'auto';
  const programs = ensurePrerequisites(policy, say);
  if (typeof programs === 'string') {
    process.stderr.write(`${programs}\n`);
    process.exit(2);
  }
  let dir: string;
  let ports: LabPorts;
  try {
    dir = prepareLabDir(flags.dir);
    const asked = Object.fromEntries(PORT_FLAGS.map(([name]) => [name, flags[`${name}Port`] as number | undefined]));
    ports = await choosePorts(asked);
  } catch (error) {
    if (!(error instanceof LabDirError || error instanceof PortError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  say(`lab: starting in ${dir} ...`);
  const bundle = await buildCli().catch((error: Error) => {
    throw new Error(`cannot build the CLI bundle (packages/cli/dist): ${error.message.split('\n')[0]}`);
  });
  await stopEsbuild(); // its service process would otherwise live as long as the lab
  const lab = new Lab({
    dir,
    ports,
    programs,
    bundle,
    interface: flags.interface,
    defaultRules: DEFAULT_RULES_FILE,
    samplePcap: join(root, 'samples/lab.pcap'),
    traffic: flags.traffic ? { rate: flags.rate, scanEverySeconds: flags.scanEvery } : false,
    say,
  });
  let signals = 0;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals === 1) {
      firstSignalAt = performance.now();
      say(`lab: ${signal}: stopping everything (Ctrl-C again to kill at once)`);
      void lab.stop(0);
    } else if (performance.now() - firstSignalAt > SAME_CTRL_C_MS) void lab.kill();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  lab.start().then(
    (info) => {
      for (const line of labSummary(info, ports, dir, findProgram('influx') !== null)) say(line);
      if (flags.duration !== undefined) {
        setTimeout(() => {
          say(`lab: ${flags.duration} s are up: stopping everything`);
          void lab.stop(0);
        }, flags.duration * 1000).unref();
      }
    },
    (error: unknown) => {
      if (signals > 0) return; // stopping anyway: a start cut short is no failure
      say(`lab: could not start: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
      void lab.stop(1);
    },
  );
  const code = await lab.finished;
  releaseLabDir(dir);
  say(code === 0 ? 'lab: stopped; every process ended' : `lab: stopped (exit ${code})`);
  process.exit(code);
}

await main().catch((error: unknown) => {
  // Anything not foreseen (the CLI failing to build, a directory that cannot be written): one line.
  process.stderr.write(`lab: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
  process.exit(1);
});
