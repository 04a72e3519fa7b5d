export type { CaptureRecord, PacketSource, SourceStats } from './packet-source.js';
export { CaptureError } from './errors.js';
export { listDevices, type CaptureDevice } from './devices.js';
export {
  DEFAULT_KERNEL_BUFFER_MB,
  LiveCapture,
  MAX_KERNEL_BUFFER_MB,
  MAX_SNAPLEN,
  MIN_KERNEL_BUFFER_MB,
  type LiveCaptureOptions,
  type LiveCaptureStats,
} from './live-capture.js';
export { FileReplay, type FileReplayOptions } from './file-replay.js';
export { PcapRotator, type PcapRotatorOptions, type PcapRotatorStats } from './pcap-rotator.js';
export { capModule } from './cap-binding.js';
