import type { SummaryMessage, TopLists } from '@wirewatch/protocol';
import { conversationLabel, portLabel } from '@wirewatch/traffic';

/** Group labels a keyed metric produces, one value per top-list entry. */
export type Dimension = 'source' | 'destination' | 'conversation' | 'port' | 'dns_name';

/** One number per summary (per sensor interface and interval); null when the summary does not say. */
export interface StreamMetric {
  kind: 'stream';
  name: string;
  read(summary: SummaryMessage, top: TopLists): number | null;
}

/** One number per entry of a top list (or of the fan-out list), labelled by `dimension`. */
export interface KeyedMetric {
  kind: 'keyed';
  name: string;
  dimension: Dimension;
  each(summary: SummaryMessage, top: TopLists, visit: (key: string, value: number) => void): void;
}

export type Metric = StreamMetric | KeyedMetric;

const PROTOCOL_CLASSES = ['tcp', 'udp', 'icmp', 'icmpv6', 'other-ip', 'arp', 'other'] as const;
const TCP_FLAGS = ['syn', 'syn_ack', 'fin', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] as const;
const DISTINCT = ['sources', 'destinations', 'conversations', 'flows'] as const;
const COUNTERS = ['bytes', 'packets'] as const;

function seconds(s: SummaryMessage): number {
  return (s.end - s.start) / 1000;
}

function stream(name: string, read: StreamMetric['read']): StreamMetric {
  return { kind: 'stream', name, read };
}

function buildFixedMetrics(): Map<string, StreamMetric> {
  const m = new Map<string, StreamMetric>();
  const add = (name: string, read: StreamMetric['read']) => m.set(name, stream(name, read));
  add('bytes', (s) => s.bytes);
  add('packets', (s) => s.packets);
  add('captured_bytes', (s) => s.captured_bytes);
  add('bytes_per_second', (s) => s.bytes / seconds(s));
  add('packets_per_second', (s) => s.packets / seconds(s));
  add('decode_errors', (s) => s.decode_errors.total);
  add('kernel_dropped', (s) => s.capture.kernel_dropped);
  add('late', (s) => s.capture.late);
  add('fanout.pairs_dropped', (s) => s.fanout.pairs_dropped);
  add('dns.queries', (s) => s.dns.queries);
  add('dns.responses', (s) => s.dns.responses);
  add('dns.nxdomain', (s) => s.dns.nxdomain);
  for (const cls of PROTOCOL_CLASSES) {
    add(`protocol.${cls}.bytes`, (s) => s.protocols[cls].bytes);
    add(`protocol.${cls}.packets`, (s) => s.protocols[cls].packets);
  }
  for (const flag of TCP_FLAGS) add(`tcp.${flag}`, (s) => s.tcp_flags[flag]);
  for (const d of DISTINCT) add(`distinct.${d}`, (s) => s.cardinalities[d]);
  return m;
}

function buildKeyedMetrics(): Map<string, KeyedMetric> {
  const m = new Map<string, KeyedMetric>();
  const add = (name: string, dimension: Dimension, each: KeyedMetric['each']) =>
    m.set(name, { kind: 'keyed', name, dimension, each });
  for (const c of COUNTERS) {
    add(`source.${c}`, 'source', (_s, top, visit) => {
      for (const e of top.sources) visit(e.ip, e[c]);
    });
    add(`destination.${c}`, 'destination', (_s, top, visit) => {
      for (const e of top.destinations) visit(e.ip, e[c]);
    });
    add(`conversation.${c}`, 'conversation', (_s, top, visit) => {
      for (const e of top.conversations) visit(conversationLabel(e), e[c]);
    });
    add(`port.${c}`, 'port', (_s, top, visit) => {
      for (const e of top.ports) visit(portLabel(e), e[c]);
    });
  }
  add('dns_name.queries', 'dns_name', (_s, top, visit) => {
    for (const e of top.dns_names) visit(e.name, e.queries);
  });
  add('fanout.ports_per_source', 'source', (s, _top, visit) => {
    for (const e of s.fanout.sources) visit(e.ip, e.ports);
  });
  add('fanout.destinations_per_source', 'source', (s, _top, visit) => {
    for (const e of s.fanout.sources) visit(e.ip, e.destinations);
  });
  return m;
}

const FIXED = buildFixedMetrics();
const KEYED = buildKeyedMetrics();
const RCODE = /^dns\.rcode\.([A-Za-z0-9_-]{1,32})$/;
const QTYPE = /^dns\.qtype\.([A-Za-z0-9_-]{1,32})$/;
const ONE_PORT = /^port\.(tcp|udp)\/(\d{1,5})\.(bytes|packets)$/;

/** The metric a rule names, or an error message listing what is accepted. */
export function resolveMetric(name: string): Metric | string {
  const fixed = FIXED.get(name) ?? KEYED.get(name);
  if (fixed) return fixed;
  let match = RCODE.exec(name);
  if (match) {
    const code = match[1].toUpperCase();
    return stream(name, (s) => s.dns.rcodes[code] ?? 0);
  }
  match = QTYPE.exec(name);
  if (match) {
    const type = match[1].toUpperCase();
    return stream(name, (s) => s.dns.qtypes[type] ?? 0);
  }
  match = ONE_PORT.exec(name);
  if (match && Number(match[2]) <= 65535) {
    const transport = match[1];
    const port = Number(match[2]);
    const counter = match[3] as 'bytes' | 'packets';
    // Only ports in the summary's top list are known: a port outside it reads 0 (a lower bound).
    return stream(name, (_s, top) => {
      for (const e of top.ports) if (e.port === port && e.transport === transport) return e[counter];
      return 0;
    });
  }
  return `unknown metric "${name}" (see docs/alert-rules.md for the vocabulary)`;
}

/** Every fixed metric name, and the patterns of the parameterized ones, for documentation and tests. */
export const METRIC_NAMES: readonly string[] = [
  ...FIXED.keys(),
  ...KEYED.keys(),
  'dns.rcode.<NAME>',
  'dns.qtype.<NAME>',
  'port.<tcp|udp>/<n>.bytes',
  'port.<tcp|udp>/<n>.packets',
];

export const DISTINCT_METRICS: readonly string[] = [
  ...DISTINCT.map((d) => `distinct.${d}`),
  'fanout.ports_per_source',
  'fanout.destinations_per_source',
];
