import { PROTOCOL_VERSION, type HeartbeatMessage } from '@wirewatch/protocol';
import type { InterfacePipeline } from './interface-pipeline.js';

export interface SpoolHealth {
  records: number;
  bytes: number;
  droppedOldest: number;
  droppedWriteErrors: number;
  droppedOversize: number;
  corruptSkipped: number;
}

export interface HeartbeatInputs {
  sensor: string;
  run: string;
  started: number;
  software: string;
  pipelines: readonly InterfacePipeline[];
  pcap: (name: string) => { written: number; writeErrors: number };
  published: number;
  lastSeq: number;
  publishLagMs: number;
  spool: SpoolHealth;
}

export function buildHeartbeat(i: HeartbeatInputs): HeartbeatMessage {
  return {
    type: 'heartbeat',
    version: PROTOCOL_VERSION,
    sensor: i.sensor,
    run: i.run,
    sent: Date.now(),
    started: i.started,
    software: i.software,
    interfaces: i.pipelines.map((p) => {
      const pcap = i.pcap(p.name);
      return {
        name: p.name,
        running: p.running,
        packets: p.packets,
        bytes: p.bytes,
        decode_errors: p.decodeErrors,
        kernel_dropped: p.kernelDropped,
        pcap_written: pcap.written,
        pcap_write_errors: pcap.writeErrors,
      };
    }),
    published: i.published,
    last_seq: i.lastSeq,
    publish_lag_ms: i.publishLagMs,
    spool: {
      records: i.spool.records,
      bytes: i.spool.bytes,
      dropped_oldest: i.spool.droppedOldest,
      dropped_write_errors: i.spool.droppedWriteErrors,
      dropped_oversize: i.spool.droppedOversize,
      corrupt_skipped: i.spool.corruptSkipped,
    },
  };
}
