import { createLogger, onShutdown } from '@wirewatch/service';
import { TrafficError, TrafficGenerator } from '@wirewatch/traffic-generator';
import { UsageError } from '../fatal.js';
import type { TrafficFlags } from './generate-traffic.js';

export async function runTraffic(flags: TrafficFlags): Promise<void> {
  const log = createLogger({ name: 'traffic' });
  let generator: TrafficGenerator;
  try {
    generator = new TrafficGenerator(
      {
        target: flags.target,
        rate: flags.rate,
        scanEverySeconds: flags.scanEvery,
        scanPorts: flags.scanPorts,
        nxdomainShare: flags.nxdomainShare,
      },
      { onScan: (scan) => log.info(scan, 'port-scan burst') },
    );
  } catch (error) {
    throw error instanceof TrafficError ? new UsageError(error.message) : error;
  }
  const stop = async () => {
    await generator.stop();
    log.info(generator.stats(), 'traffic stopped');
  };
  onShutdown(stop, { logger: log, timeoutMs: 5_000 });
  const info = await generator.start().catch((error: unknown) => {
    throw error instanceof TrafficError ? new UsageError(error.message) : error;
  });
  if (info.dnsNote) log.warn(info.dnsNote);
  log.info(
    { ...info, rate: flags.rate, scanEverySeconds: flags.scanEvery, scanPorts: flags.scanPorts },
    'sending traffic',
  );
  if (flags.duration !== undefined) {
    setTimeout(() => void stop().then(() => process.exit(0)), flags.duration * 1000);
  }
}
