import type { HeartbeatMessage, SummaryMessage } from '@wirewatch/protocol';
import { forEachRanked, type SummaryView, type TopLists } from '@wirewatch/traffic';
import { escapeStringField, escapeTag, numberFields, tagSet } from './line-protocol.js';
import { MEASUREMENT } from './schema.js';

/** Known DNS response codes and query types get their own field; anything else is summed into `other`. */
const RCODE_FIELDS = new Set(['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED']);
const QTYPE_FIELDS = new Set(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT', 'ANY', 'HTTPS', 'SVCB']);

/** Which sensor interface and interval a summary's points belong to, and what the capture itself said (the message's own fields). */
export type SummaryPointMeta = Pick<
  SummaryMessage,
  'sensor' | 'interface' | 'run' | 'seq' | 'start' | 'end' | 'capture' | 'restart'
>;

/**
 * The nanoseconds a run's points sit past their millisecond (0 … 999,999), from an FNV-1a hash of the
 * run id. Two runs of one sensor in one interval (a restart, two sensors sharing an id) write two points
 * instead of one overwriting the other; a redelivered summary still overwrites itself; no tag, so no new series.
 */
export function runOffsetNs(run: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < run.length; i++) h = Math.imul(h ^ run.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 1_000_000;
}

/** A line-protocol timestamp in nanoseconds: `ms` followed by six digits of `offsetNs`. */
export function timestampNs(ms: number, offsetNs = 0): string {
  return offsetNs === 0 ? `${ms}000000` : `${ms}${String(offsetNs).padStart(6, '0')}`;
}

/** `measurement,tags fields timestampNs` (every point is written with precision `ns`). */
function line(measurement: string, tags: string, fields: string, timestamp: string): string {
  return `${measurement}${tags} ${fields} ${timestamp}`;
}

/** Lines for one sensor interval (timestamp = interval start + the run's offset): see docs/influxdb-schema.md. */
export function summaryLines(m: SummaryPointMeta, view: SummaryView, out: string[] = []): string[] {
  const t = timestampNs(m.start, runOffsetNs(m.run));
  const tags = tagSet([
    ['interface', m.interface],
    ['sensor', m.sensor],
  ]);
  const f = view.tcp_flags;
  const sizes: Array<[string, number]> = view.packet_sizes.map((b) => [
    b.le === null ? 'size_gt_last' : `size_le_${b.le}`,
    b.packets,
  ]);
  out.push(
    line(
      MEASUREMENT.traffic,
      tags,
      numberFields([
        ['packets', view.packets],
        ['bytes', view.bytes],
        ['captured_bytes', view.captured_bytes],
        ['interval_seconds', (m.end - m.start) / 1000],
        ['seq', m.seq],
        ['decode_errors', view.decode_errors.total],
        ['kernel_dropped', m.capture.kernel_dropped ?? NaN],
        ['late', m.capture.late],
        ['fanout_pairs_dropped', view.fanout.pairs_dropped],
        ['tcp_syn', f.syn],
        ['tcp_syn_ack', f.syn_ack],
        ['tcp_fin', f.fin],
        ['tcp_rst', f.rst],
        ['tcp_psh', f.psh],
        ['tcp_ack', f.ack],
        ['tcp_urg', f.urg],
        ['tcp_ece', f.ece],
        ['tcp_cwr', f.cwr],
        ...sizes,
        ['distinct_sources', view.cardinalities.sources],
        ['distinct_destinations', view.cardinalities.destinations],
        ['distinct_conversations', view.cardinalities.conversations],
        ['distinct_flows', view.cardinalities.flows],
        ['restart_gap_seconds', m.restart === undefined ? NaN : m.restart.gap_ms / 1000],
        ['restart_unpublished_packets', m.restart?.unpublished_packets ?? NaN],
      ]),
      t,
    ),
  );
  for (const [cls, c] of Object.entries(view.protocols)) {
    out.push(
      line(
        MEASUREMENT.protocol,
        `,class=${cls}${tags}`,
        numberFields([
          ['packets', c.packets],
          ['bytes', c.bytes],
        ]),
        t,
      ),
    );
  }
  out.push(line(MEASUREMENT.dns, tags, dnsFields(view.dns), t));
  if (view.decode_errors.total > 0) {
    out.push(
      line(
        MEASUREMENT.decodeErrors,
        tags,
        numberFields(Object.entries(view.decode_errors.by_reason).map(([k, v]) => [k.replace(/[.-]/g, '_'), v])),
        t,
      ),
    );
  }
  topLines(MEASUREMENT.top, tags, view.top, t, out);
  view.fanout.sources.forEach((f, i) => {
    if (f.ports === 0 && f.destinations === 0) return;
    out.push(
      line(
        MEASUREMENT.fanout,
        `,interface=${escapeTag(m.interface)},rank=${i + 1},sensor=${escapeTag(m.sensor)}`,
        `key=${escapeStringField(f.ip)},` +
          numberFields([
            ['ports', f.ports],
            ['destinations', f.destinations],
          ]),
        t,
      ),
    );
  });
  return out;
}

function dnsFields(dns: SummaryView['dns']): string {
  const fields: Array<[string, number]> = [
    ['queries', dns.queries],
    ['responses', dns.responses],
    ['nxdomain', dns.nxdomain],
  ];
  let otherRcode = 0;
  for (const [name, n] of Object.entries(dns.rcodes)) {
    if (RCODE_FIELDS.has(name)) fields.push([`rcode_${name.toLowerCase()}`, n]);
    else otherRcode += n;
  }
  let otherQtype = 0;
  for (const [name, n] of Object.entries(dns.qtypes)) {
    if (QTYPE_FIELDS.has(name)) fields.push([`qtype_${name.toLowerCase()}`, n]);
    else otherQtype += n;
  }
  fields.push(['rcode_other', otherRcode], ['qtype_other', otherQtype]);
  return numberFields(fields);
}

/** Fleet-wide top lists of one interval, merged from `summaries` sensor summaries. */
export function fleetTopLines(start: number, top: TopLists, summaries: number, out: string[] = []): string[] {
  topLines(MEASUREMENT.fleetTop, '', top, timestampNs(start), out, `,sensors=${summaries}`);
  return out;
}

/** Rank-tagged lines: at most topN series per list, whatever addresses come and go. */
export function topLines(
  measurement: string,
  tags: string,
  top: TopLists,
  timestamp: string,
  out: string[],
  extraFields = '',
): void {
  forEachRanked(top, (list, rank, label, counts) => {
    out.push(
      line(
        measurement,
        `,list=${list},rank=${rank}${tags}`,
        `key=${escapeStringField(label)},` +
          numberFields([
            ['packets', counts.packets],
            ['bytes', counts.bytes],
          ]) +
          extraFields,
        timestamp,
      ),
    );
  });
}

/** Lines for one heartbeat (timestamp = when the sensor sent it + the run's offset). */
export function heartbeatLines(h: HeartbeatMessage, out: string[] = []): string[] {
  const t = timestampNs(h.sent, runOffsetNs(h.run));
  const sensorTags = tagSet([['sensor', h.sensor]]);
  out.push(
    line(
      MEASUREMENT.sensorHealth,
      sensorTags,
      numberFields([
        ['uptime_seconds', Math.max(0, (h.sent - h.started) / 1000)],
        ['published', h.published],
        ['last_seq', h.last_seq],
        ['publish_lag_ms', h.publish_lag_ms],
        ['spool_records', h.spool.records],
        ['spool_bytes', h.spool.bytes],
        ['spool_dropped_oldest', h.spool.dropped_oldest],
        ['spool_dropped_write_errors', h.spool.dropped_write_errors],
        ['spool_dropped_oversize', h.spool.dropped_oversize],
        ['spool_corrupt_skipped', h.spool.corrupt_skipped],
        ['interfaces', h.interfaces.length],
      ]),
      t,
    ),
  );
  for (const i of h.interfaces) {
    out.push(
      line(
        MEASUREMENT.interfaceHealth,
        tagSet([
          ['interface', i.name],
          ['sensor', h.sensor],
        ]),
        numberFields([
          ['running', i.running ? 1 : 0],
          ['packets', i.packets],
          ['bytes', i.bytes],
          ['decode_errors', i.decode_errors],
          ['kernel_dropped', i.kernel_dropped ?? NaN],
          ['pcap_written', i.pcap_written],
          ['pcap_write_errors', i.pcap_write_errors],
        ]),
        t,
      ),
    );
  }
  return out;
}
