import { Command } from 'commander';
import type { CaptureDevice } from '@wirewatch/capture';
import { COMMON_FLAGS, addFlags, flagValues, type FlagPath } from './service-flags.js';

export const SENSOR_FLAGS: FlagPath[] = [
  { flag: '--id <id>', path: 'id', description: 'sensor id (default: the host name): letters, digits, "_" or "-"' },
  {
    flag: '-i, --interface <names>',
    path: 'capture.interfaces',
    description: 'capture live on these interfaces (comma-separated)',
  },
  { flag: '--pcap <file>', path: 'capture.pcap', description: 'replay a PCAP/PCAPNG file instead of capturing' },
  {
    flag: '--speed <speed>',
    path: 'capture.speed',
    description: 'replay pace: max, realtime, or a multiplier such as 10',
  },
  { flag: '-f, --filter <bpf>', path: 'capture.filter', description: 'BPF capture filter, e.g. "not port 4222"' },
  { flag: '--snaplen <bytes>', path: 'capture.snaplen', description: 'bytes kept per frame', parse: Number },
  {
    flag: '--no-promiscuous',
    path: 'capture.promiscuous',
    description: 'do not put the interface in promiscuous mode',
  },
  { flag: '--buffer-mb <n>', path: 'capture.bufferMb', description: 'kernel capture buffer in MiB', parse: Number },
  { flag: '--interval <seconds>', path: 'intervalSeconds', description: 'summary interval in seconds', parse: Number },
  {
    flag: '--heartbeat <seconds>',
    path: 'heartbeatSeconds',
    description: 'heartbeat period in seconds',
    parse: Number,
  },
  {
    flag: '--spool-dir <dir>',
    path: 'spool.dir',
    description: 'on-disk buffer for summaries while NATS is unreachable',
  },
  {
    flag: '--spool-minutes <n>',
    path: 'spool.maxMinutes',
    description: 'minutes of summaries the spool keeps before dropping the oldest',
    parse: Number,
  },
  {
    flag: '--write-pcap <dir>',
    path: 'writePcap.dir',
    description: 'also save the raw frames to rotating PCAP files here',
  },
  {
    flag: '--rotate-mb <n>',
    path: 'writePcap.rotateMb',
    description: 'start a new PCAP file after this many MiB',
    parse: Number,
  },
  { flag: '--keep <n>', path: 'writePcap.keep', description: 'PCAP files to keep (oldest deleted)', parse: Number },
];

export function sensorCommand(): Command {
  const command = new Command('sensor')
    .description('Capture live (libpcap) or replay a capture file, summarize per interval, publish to NATS JetStream')
    .addHelpText(
      'after',
      '\nEnvironment: WIREWATCH_ID, WIREWATCH_NATS_SERVERS, WIREWATCH_NATS_PASSWORD(_FILE), WIREWATCH_NATS_TOKEN(_FILE), ...\n' +
        'Live capture needs CAP_NET_RAW and CAP_NET_ADMIN (docs/deploying.md). Exit codes: 0 ok, 1 runtime failure, 2 bad configuration.',
    )
    .option('--list-interfaces', 'print the interfaces libpcap can capture on, with their addresses, and exit');
  addFlags(command, [...SENSOR_FLAGS, ...COMMON_FLAGS]);
  return command.action(async (options: Record<string, unknown>, self: Command) => {
    if (options.listInterfaces) {
      const { listDevices } = await import('@wirewatch/capture');
      process.stdout.write(formatDevices(listDevices()));
      return;
    }
    const { runSensor, sensorConfigSchema } = await import('@wirewatch/sensor');
    const { loadServiceConfig } = await import('./load-config.js');
    const config = loadServiceConfig(
      sensorConfigSchema,
      options.config as string | undefined,
      flagValues(self, [...SENSOR_FLAGS, ...COMMON_FLAGS]),
      [...SENSOR_FLAGS, ...COMMON_FLAGS],
    );
    await runSensor(config);
    // A finished replay: NATS reconnect timers must not keep the process alive.
    process.exit(0);
  });
}

/** One line per device: name, addresses, loopback, description (aligned for a terminal). */
function formatDevices(devices: CaptureDevice[]): string {
  const width = Math.max(...devices.map((d) => d.name.length), 4);
  return devices
    .map((d) => {
      const notes = [d.addresses.join(', ') || 'no address', d.loopback ? 'loopback' : '', d.description ?? ''].filter(
        (x) => x !== '',
      );
      return `${d.name.padEnd(width)}  ${notes.join('  ')}\n`;
    })
    .join('');
}
