import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PER_BUCKET, SELECTED_INTERFACES, perSecond, where } from '../influxql/fragments.js';
import { barGauge, pieChart } from '../panels/distribution.js';
import { stat } from '../panels/stat.js';
import { badAbove } from '../panels/thresholds.js';
import { timeseries } from '../panels/timeseries.js';
import { topTable } from '../panels/top-table.js';
import { fanoutTable } from '../panels/fanout-table.js';
import { interfaceVariable, sensorVariable } from '../variables.js';
import { alertAnnotations, wirewatchDashboard } from './common.js';

export const TRAFFIC_OVERVIEW_UID = 'wirewatch-traffic';

const CLASSES = `${where(SELECTED_INTERFACES)} ${PER_BUCKET}, "class" fill(null)`;
const INTERFACES = where(SELECTED_INTERFACES);
const TCP_FLAGS: Array<[string, string]> = [
  ['tcp_syn', 'SYN'],
  ['tcp_syn_ack', 'SYN-ACK'],
  ['tcp_fin', 'FIN'],
  ['tcp_rst', 'RST'],
  ['tcp_psh', 'PSH'],
  ['tcp_ack', 'ACK'],
  ['tcp_urg', 'URG'],
  ['tcp_ece', 'ECE'],
  ['tcp_cwr', 'CWR'],
];
const PACKET_SIZES: Array<[string, string]> = [
  ['size_le_64', '≤ 64'],
  ['size_le_127', '65–127'],
  ['size_le_255', '128–255'],
  ['size_le_511', '256–511'],
  ['size_le_1023', '512–1023'],
  ['size_le_1518', '1024–1518'],
  ['size_gt_last', '> 1518'],
];
const RCODES: Array<[string, string]> = [
  ['rcode_noerror', 'NOERROR'],
  ['rcode_nxdomain', 'NXDOMAIN'],
  ['rcode_servfail', 'SERVFAIL'],
  ['rcode_refused', 'REFUSED'],
  ['rcode_formerr', 'FORMERR'],
  ['rcode_notimp', 'NOTIMP'],
  ['rcode_other', 'other'],
];

export function trafficOverview(): Dashboard {
  return wirewatchDashboard(
    TRAFFIC_OVERVIEW_UID,
    'wirewatch — traffic overview',
    'What crosses the monitored interfaces: volume, protocols, top talkers, TCP, DNS.',
  )
    .withVariable(sensorVariable())
    .withVariable(interfaceVariable())
    .annotations(alertAnnotations())
    .withRow(new RowBuilder('Totals for the time range'))
    .withPanel(
      stat({
        title: 'Bytes',
        description: 'Wire bytes seen on the chosen interfaces.',
        unit: 'decbytes',
        query: `SELECT sum("bytes") FROM "traffic" ${INTERFACES}`,
      }),
    )
    .withPanel(
      stat({
        title: 'Packets',
        description: 'Packets seen on the chosen interfaces.',
        unit: 'short',
        query: `SELECT sum("packets") FROM "traffic" ${INTERFACES}`,
      }),
    )
    .withPanel(
      stat({
        title: 'Unanswered SYN share',
        description: 'SYNs without a SYN-ACK in return, as a share of all SYNs: scans, floods or a service down.',
        unit: 'percentunit',
        query: `SELECT (sum("tcp_syn") - sum("tcp_syn_ack")) / sum("tcp_syn") FROM "traffic" ${INTERFACES}`,
        thresholds: badAbove(0.5, 0.8),
      }),
    )
    .withPanel(
      stat({
        title: 'NXDOMAIN share',
        description: 'DNS answers saying the name does not exist, as a share of all answers.',
        unit: 'percentunit',
        query: `SELECT sum("nxdomain") / sum("responses") FROM "dns" ${INTERFACES}`,
        thresholds: badAbove(0.2, 0.33),
      }),
    )
    .withPanel(
      stat({
        title: 'Decode errors',
        description: 'Malformed frames: counted, their deeper layers skipped. Details on the sensor health dashboard.',
        unit: 'short',
        query: `SELECT sum("decode_errors") FROM "traffic" ${INTERFACES}`,
        thresholds: badAbove(1, 100),
      }),
    )
    .withPanel(
      stat({
        title: 'Kernel drops',
        description: 'Packets the kernel dropped before the sensor read them (live capture only).',
        unit: 'short',
        query: `SELECT sum("kernel_dropped") FROM "traffic" ${INTERFACES}`,
        thresholds: badAbove(1, 1000),
      }),
    )
    .withRow(new RowBuilder('Throughput'))
    .withPanel(
      timeseries({
        title: 'Throughput by protocol',
        description: 'Bits per second on the chosen interfaces, stacked by protocol class.',
        unit: 'bps',
        stacked: true,
        queries: [{ query: `SELECT ${perSecond('bytes', 8)} FROM "protocol" ${CLASSES}`, alias: '$tag_class' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Packets by protocol',
        description: 'Packets per second on the chosen interfaces, stacked by protocol class.',
        unit: 'pps',
        stacked: true,
        queries: [{ query: `SELECT ${perSecond('packets')} FROM "protocol" ${CLASSES}`, alias: '$tag_class' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Throughput per interface',
        description: 'Bits per second of each sensor interface.',
        unit: 'bps',
        span: 16,
        queries: [
          {
            query: `SELECT ${perSecond('bytes', 8)} FROM "traffic" ${INTERFACES} ${PER_BUCKET}, "sensor", "interface" fill(null)`,
            alias: '$tag_sensor $tag_interface',
          },
        ],
      }),
    )
    .withPanel(
      pieChart({
        title: 'Protocol distribution',
        description: 'Bytes per protocol class over the time range.',
        unit: 'decbytes',
        query: `SELECT sum("bytes") FROM "protocol" ${INTERFACES} GROUP BY "class"`,
        alias: '$tag_class',
      }),
    )
    .withRow(new RowBuilder('Top talkers on the chosen sensors'))
    .withPanel(
      topTable({
        title: 'Top sources',
        description: 'Source addresses by bytes sent.',
        measurement: 'top',
        list: 'sources',
        keyLabel: 'Source',
        span: 12,
      }),
    )
    .withPanel(
      topTable({
        title: 'Top destinations',
        description: 'Destination addresses by bytes received.',
        measurement: 'top',
        list: 'destinations',
        keyLabel: 'Destination',
        span: 12,
      }),
    )
    .withPanel(
      topTable({
        title: 'Top conversations',
        description: 'Address pairs, both directions together.',
        measurement: 'top',
        list: 'conversations',
        keyLabel: 'Conversation',
        span: 12,
      }),
    )
    .withPanel(
      topTable({
        title: 'Top ports',
        description: 'Transport and server port (the lower of the two ports).',
        measurement: 'top',
        list: 'ports',
        keyLabel: 'Port',
        span: 12,
      }),
    )
    .withRow(new RowBuilder('Top talkers across the fleet'))
    .withPanel(
      topTable({
        title: 'Fleet top sources',
        description: "Merged from every sensor's sketches (not from the per-sensor top N).",
        measurement: 'fleet_top',
        list: 'sources',
        keyLabel: 'Source',
        span: 12,
      }),
    )
    .withPanel(
      topTable({
        title: 'Fleet top destinations',
        description: "Merged from every sensor's sketches.",
        measurement: 'fleet_top',
        list: 'destinations',
        keyLabel: 'Destination',
        span: 12,
      }),
    )
    .withPanel(
      topTable({
        title: 'Fleet top conversations',
        description: "Merged from every sensor's sketches.",
        measurement: 'fleet_top',
        list: 'conversations',
        keyLabel: 'Conversation',
        span: 12,
      }),
    )
    .withPanel(
      topTable({
        title: 'Fleet top ports',
        description: "Merged from every sensor's sketches.",
        measurement: 'fleet_top',
        list: 'ports',
        keyLabel: 'Port',
        span: 12,
      }),
    )
    .withRow(new RowBuilder('TCP and packet sizes'))
    .withPanel(
      timeseries({
        title: 'TCP flags',
        description: 'TCP segments per second carrying each flag. Many SYNs and RSTs against few SYN-ACKs: a scan.',
        unit: 'pps',
        span: 16,
        queries: [
          {
            query: `SELECT ${TCP_FLAGS.map(([f, n]) => `${perSecond(f)} AS "${n}"`).join(', ')} FROM "traffic" ${INTERFACES} ${PER_BUCKET} fill(null)`,
            alias: '$col',
          },
        ],
      }),
    )
    .withPanel(
      barGauge({
        title: 'Packet sizes',
        description: 'Packets per wire-length bucket over the time range.',
        unit: 'short',
        query: `SELECT ${PACKET_SIZES.map(([f, n]) => `sum("${f}") AS "${n}"`).join(', ')} FROM "traffic" ${INTERFACES}`,
        alias: '$col',
      }),
    )
    .withRow(new RowBuilder('DNS'))
    .withPanel(
      timeseries({
        title: 'DNS queries and answers',
        description: 'DNS messages per second over UDP port 53.',
        unit: 'reqps',
        queries: [
          {
            query: `SELECT ${perSecond('queries')} AS "queries", ${perSecond('responses')} AS "answers", ${perSecond('nxdomain')} AS "NXDOMAIN" FROM "dns" ${INTERFACES} ${PER_BUCKET} fill(null)`,
            alias: '$col',
          },
        ],
        span: 8,
      }),
    )
    .withPanel(
      timeseries({
        title: 'NXDOMAIN share over time',
        description: 'Share of DNS answers that are NXDOMAIN (the default rule warns above 33 %).',
        unit: 'percentunit',
        thresholds: badAbove(0.2, 0.33),
        queries: [
          {
            query: `SELECT sum("nxdomain") / sum("responses") AS "NXDOMAIN share" FROM "dns" ${INTERFACES} ${PER_BUCKET} fill(null)`,
            alias: '$col',
          },
        ],
        span: 8,
      }),
    )
    .withPanel(
      pieChart({
        title: 'DNS response codes',
        description: 'Answers by response code over the time range.',
        unit: 'short',
        query: `SELECT ${RCODES.map(([f, n]) => `sum("${f}") AS "${n}"`).join(', ')} FROM "dns" ${INTERFACES}`,
        alias: '$col',
      }),
    )
    .withPanel(
      topTable({
        title: 'Top DNS names',
        description: 'Names asked for most (queries).',
        measurement: 'top',
        list: 'dns_names',
        keyLabel: 'Name',
        countLabel: 'Queries',
        withBytes: false,
        span: 12,
      }),
    )
    .withPanel(fanoutTable())
    .build();
}
