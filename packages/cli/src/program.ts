import { Command, InvalidArgumentError } from 'commander';
import { runAnalyze } from './commands/analyze.js';
import { alerterCommand } from './commands/alerter.js';
import { collectorCommand } from './commands/collector.js';
import { configReferenceCommand } from './commands/config-reference.js';
import { credentialsCommand } from './commands/credentials.js';
import { dashboardsCommand } from './commands/dashboards.js';
import { sensorCommand } from './commands/sensor.js';
import { streamsCommand } from './commands/streams.js';
import { generateTrafficCommand } from './commands/generate-traffic.js';

const VERSION = '0.1.0';

/** Usage errors exit 2, help and --version 0: every command, also those built apart and added with addCommand (which inherit no settings). */
function usageExits(command: Command): Command {
  command.showHelpAfterError('(run with --help for usage)').exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });
  for (const sub of command.commands) usageExits(sub);
  return command;
}

export function buildProgram(): Command {
  const program = usageExits(
    new Command('wirewatch').description('Network-traffic monitoring and analysis').version(VERSION, '-V, --version'),
  );

  program
    .command('analyze')
    .description('Analyze a PCAP or PCAPNG file offline: totals, protocols, top talkers, ports, DNS, flows')
    .argument('<file>', 'capture file (PCAP or PCAPNG)')
    .option('--json <out>', 'write the JSON report to this file ("-" for stdout)')
    .option('--csv <dir>', 'write flows.csv and timeline.csv into this directory')
    .option('--html <out>', 'write a self-contained HTML report with charts')
    .option('--interval <seconds>', 'timeline interval in seconds', interval, 1)
    .option('--top <n>', 'length of the top lists', positiveInteger, 10)
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option(
      '--rules <file>',
      'also run these alert rules over the capture and list the alerts that would have fired (in --json: "alerts")',
    )
    .addHelpText(
      'after',
      '\nWith no output option, a short summary is printed.\nExit codes: 0 ok (a truncated file gives a warning), 2 bad input or usage.',
    )
    .action(runAnalyze);

  for (const command of [
    sensorCommand(),
    collectorCommand(),
    alerterCommand(),
    generateTrafficCommand(),
    configReferenceCommand(),
    dashboardsCommand(),
    credentialsCommand(),
    streamsCommand(),
  ]) {
    program.addCommand(usageExits(command));
  }

  return program;
}

/** Finer intervals than a millisecond would only make a row per packet. */
function interval(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.001) throw new InvalidArgumentError('expected a number of seconds, at least 0.001');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}
