import {
  buildSummaryMessage,
  summaryMessageSchema,
  type HeartbeatMessage,
  type SummaryMessage,
  type TopLists,
} from '@wirewatch/protocol';
import { SketchSummarizer } from '@wirewatch/traffic';
import { parseRuleSet } from '../rule-file.js';
import type { RuleSet } from '../rule-schema.js';

/** A real (empty) summary message: valid sketches, zero counters; tests set the counters they need. */
const BASE = buildSummaryMessage(new SketchSummarizer({ capacity: 8, precision: 4 }), {
  sensor: 'edge-1',
  run: 'r1',
  seq: 1,
  interface: 'eth0',
  start: 0,
  end: 1000,
  emitted: 1000,
  kernelDropped: 0,
  late: 0,
});

export interface SummaryFields {
  sensor?: string;
  interface?: string;
  intervalMs?: number;
  bytes?: number;
  packets?: number;
  syn?: number;
  synAck?: number;
  dnsResponses?: number;
  nxdomain?: number;
  decodeErrors?: number;
  kernelDropped?: number | null;
  distinctDestinations?: number;
  /** The sensor's fan-out: distinct ports and hosts each source tried. */
  fanout?: { ip: string; ports?: number; destinations?: number }[];
  pairsDropped?: number;
}

let seq = 0;

/** A schema-valid summary of the interval starting at `startMs`. */
export function summaryAt(startMs: number, f: SummaryFields = {}): SummaryMessage {
  const s = structuredClone(BASE);
  s.sensor = f.sensor ?? 'edge-1';
  s.interface = f.interface ?? 'eth0';
  s.seq = ++seq;
  s.start = startMs;
  s.end = startMs + (f.intervalMs ?? 1000);
  s.emitted = s.end;
  s.bytes = f.bytes ?? 0;
  s.packets = f.packets ?? 0;
  s.captured_bytes = s.bytes;
  s.capture.received = s.packets;
  s.tcp_flags.syn = f.syn ?? 0;
  s.tcp_flags.syn_ack = f.synAck ?? 0;
  s.dns.responses = f.dnsResponses ?? 0;
  s.dns.nxdomain = f.nxdomain ?? 0;
  s.decode_errors.total = f.decodeErrors ?? 0;
  s.capture.kernel_dropped = f.kernelDropped === undefined ? 0 : f.kernelDropped;
  s.cardinalities.destinations = f.distinctDestinations ?? 0;
  s.fanout = {
    sources: (f.fanout ?? []).map((e) => ({ ip: e.ip, ports: e.ports ?? 0, destinations: e.destinations ?? 0 })),
    pairs_dropped: f.pairsDropped ?? 0,
  };
  summaryMessageSchema.parse(s);
  return s;
}

export function topLists(partial: Partial<TopLists> = {}): TopLists {
  return { sources: [], destinations: [], conversations: [], ports: [], dns_names: [], ...partial };
}

export const NO_TOP: TopLists = topLists();

export function heartbeat(sensor: string, sent: number): HeartbeatMessage {
  return {
    type: 'heartbeat',
    version: 1,
    sensor,
    run: 'r1',
    sent,
    started: 0,
    software: 'test',
    interfaces: [],
    published: 0,
    last_seq: 0,
    publish_lag_ms: 0,
    spool: {
      records: 0,
      bytes: 0,
      dropped_oldest: 0,
      dropped_write_errors: 0,
      dropped_oversize: 0,
      corrupt_skipped: 0,
    },
  };
}

/** A rule set from YAML text that must be valid. */
export function rules(yaml: string): RuleSet {
  const result = parseRuleSet(yaml, 'test.yaml');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.ruleSet;
}
