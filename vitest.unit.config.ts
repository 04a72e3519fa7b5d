/**
 * `pnpm test:unit`: the tests that need no server, no peer program (tshark, capinfos, nats-server,
 * influxd, Chromium...), no process of their own and no socket: plain objects and files, in well
 * under a minute. tests/unit-guard.ts fails any of them that starts a process or opens a socket.
 * Every file here is also in `pnpm test` (vitest.config.ts runs them all).
 */
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** The library packages' own tests, and the few end-to-end ones that only read files. */
export const UNIT_INCLUDE = [
  'packages/*/src/**/*.test.ts',
  'services/*/src/**/*.test.ts',
  'grafana/src/**/*.test.ts',
  'tests/deploy/dockerfile.test.ts',
  'tests/faults/analyze-flow-order.test.ts',
  'tests/lint/package-boundaries.test.ts',
  'tests/security/sketch-limits.test.ts',
  'tests/sketch-vs-exact.test.ts',
];

/** Library tests that do need a server, a peer program or a socket: `pnpm test` only. */
export const UNIT_EXCLUDE = [
  'packages/bus/src/consumer-reconnect.test.ts', // nats-server
  'packages/bus/src/leader-lease.test.ts', // nats-server
  'packages/bus/src/nats-errors.test.ts', // nats-server
  'packages/bus/src/streams.test.ts', // nats-server
  'packages/capture/src/live-capture.test.ts', // libpcap on lo
  'packages/capture/src/pcap-rotator.test.ts', // capinfos reads the files back
  'packages/influx/src/detect-api.test.ts', // influxd, VictoriaMetrics, HTTP
  'packages/influx/src/influx-writer.test.ts', // influxd, HTTP
  'packages/lab/src/lab-setup.test.ts', // nats-server, influxd
  'packages/notify/src/email-receiver.test.ts', // an SMTP server
  'packages/notify/src/webhook-receiver.test.ts', // an HTTP server
  'packages/packet/src/pcap-files/formats.test.ts', // capinfos reads a written file back
  'packages/service/src/route-auth.test.ts', // an HTTP server
  'packages/service/src/server.test.ts', // an HTTP server
  'packages/service/src/shutdown.test.ts', // child processes
  'packages/spool/src/spool-full-disk.test.ts', // a small tmpfs
  'packages/traffic-generator/src/generator.test.ts', // UDP on lo, libpcap
  'services/collector/src/batch-ingest.test.ts', // nats-server, influxd
];

export default defineConfig({
  test: {
    ...base.test,
    include: UNIT_INCLUDE,
    exclude: [...configDefaults.exclude, ...UNIT_EXCLUDE],
    setupFiles: ['tests/unit-guard.ts'],
    // No process of their own to protect against: a thread per file starts in half the time of a fork.
    pool: 'threads',
  },
});
