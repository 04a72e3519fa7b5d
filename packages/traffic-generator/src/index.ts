/** A realistic traffic mix to this machine with plain sockets, for labs and tests: `wirewatch generate-traffic`. */
export {
  TrafficGenerator,
  TrafficError,
  type GeneratorHooks,
  type TrafficInfo,
  type TrafficStats,
} from './generator.js';
export { TRAFFIC_DEFAULTS, optionProblems, type TrafficOptions } from './options.js';
export type { ScanResult } from './port-scan.js';
export type { DnsMode } from './dns-flow.js';
