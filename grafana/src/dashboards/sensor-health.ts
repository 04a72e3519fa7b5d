import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { datasourceRef } from '../datasource.js';
import { influxql } from '../influxql/dataquery.js';
import { PER_BUCKET, SELECTED_INTERFACES, SELECTED_SENSORS, perSecond, where } from '../influxql/fragments.js';
import { barGauge } from '../panels/distribution.js';
import { stat } from '../panels/stat.js';
import { badAbove } from '../panels/thresholds.js';
import { timeseries } from '../panels/timeseries.js';
import { interfaceVariable, sensorVariable } from '../variables.js';
import { alertAnnotations, wirewatchDashboard } from './common.js';

export const SENSOR_HEALTH_UID = 'wirewatch-sensor-health';

const PER_INTERFACE = `${where(SELECTED_INTERFACES)} ${PER_BUCKET}, "sensor", "interface" fill(null)`;
const PER_SENSOR = `${where(SELECTED_SENSORS)} ${PER_BUCKET}, "sensor" fill(null)`;

export function sensorHealth(): Dashboard {
  return wirewatchDashboard(
    SENSOR_HEALTH_UID,
    'wirewatch — sensor health',
    'Is every sensor alive, capturing everything, and getting its summaries out?',
  )
    .withVariable(sensorVariable())
    .withVariable(interfaceVariable())
    .annotations(alertAnnotations())
    .withRow(new RowBuilder('Fleet'))
    .withPanel(
      stat({
        title: 'Sensors reporting',
        description: 'Sensors that sent at least one heartbeat in the time range.',
        unit: 'short',
        query: `SELECT count("uptime") FROM (SELECT last("uptime_seconds") AS "uptime" FROM "sensor_health" ${where(SELECTED_SENSORS)} GROUP BY "sensor")`,
        span: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Kernel drops',
        description:
          'Packets the kernel dropped before a sensor read them: raise --buffer-mb, narrow the BPF filter, or add CPU.',
        unit: 'short',
        query: `SELECT sum("kernel_dropped") FROM "traffic" ${where(SELECTED_INTERFACES)}`,
        thresholds: badAbove(1, 1000),
        span: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Summaries lost in the spool',
        description:
          'Summaries the sensors dropped from their disk spool (full while NATS was unreachable, write errors, oversize), since each sensor started.',
        unit: 'short',
        query: `SELECT sum("lost") FROM (SELECT max("spool_dropped_oldest") + max("spool_dropped_write_errors") + max("spool_dropped_oversize") AS "lost" FROM "sensor_health" ${where(SELECTED_SENSORS)} GROUP BY "sensor")`,
        thresholds: badAbove(1, 100),
        span: 6,
      }),
    )
    .withPanel(
      stat({
        title: 'Decode errors',
        description: 'Malformed frames counted and skipped.',
        unit: 'short',
        query: `SELECT sum("decode_errors") FROM "traffic" ${where(SELECTED_INTERFACES)}`,
        thresholds: badAbove(1, 100),
        span: 6,
      }),
    )
    .withPanel(lastSeenTable())
    .withPanel(interfaceCounters())
    .withRow(new RowBuilder('Capture'))
    .withPanel(
      timeseries({
        title: 'Packets captured',
        description: 'Packets per second each sensor interface summarized.',
        unit: 'pps',
        queries: [
          {
            query: `SELECT ${perSecond('packets')} FROM "traffic" ${PER_INTERFACE}`,
            alias: '$tag_sensor $tag_interface',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Kernel drops per second',
        description: 'Packets per second the kernel dropped before the sensor read them.',
        unit: 'pps',
        queries: [
          {
            query: `SELECT ${perSecond('kernel_dropped')} FROM "traffic" ${PER_INTERFACE}`,
            alias: '$tag_sensor $tag_interface',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Drop rate',
        description: 'Kernel drops as a share of the packets that reached the interface.',
        unit: 'percentunit',
        thresholds: badAbove(0.01, 0.05),
        queries: [
          {
            query: `SELECT sum("kernel_dropped") / (sum("packets") + sum("kernel_dropped")) FROM "traffic" ${PER_INTERFACE}`,
            alias: '$tag_sensor $tag_interface',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Decode errors per second',
        description: 'Malformed frames per second.',
        unit: 'pps',
        queries: [
          {
            query: `SELECT ${perSecond('decode_errors')} FROM "traffic" ${PER_INTERFACE}`,
            alias: '$tag_sensor $tag_interface',
          },
        ],
      }),
    )
    .withPanel(
      barGauge({
        title: 'Decode errors by reason',
        description: 'Malformed frames in the time range, by the layer and check that failed.',
        unit: 'short',
        query: `SELECT sum(*) FROM "decode_errors" ${where(SELECTED_INTERFACES)}`,
        alias: '$col',
        span: 24,
      }),
    )
    .withRow(new RowBuilder('Publishing'))
    .withPanel(
      timeseries({
        title: 'Spool depth',
        description:
          "Summaries written to the sensor's disk spool and not yet acknowledged by JetStream. Grows while NATS is unreachable.",
        unit: 'short',
        queries: [{ query: `SELECT max("spool_records") FROM "sensor_health" ${PER_SENSOR}`, alias: '$tag_sensor' }],
        span: 8,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Publish lag',
        description: 'Age of the oldest summary not yet acknowledged by JetStream.',
        unit: 'ms',
        thresholds: badAbove(5000, 30000),
        queries: [{ query: `SELECT max("publish_lag_ms") FROM "sensor_health" ${PER_SENSOR}`, alias: '$tag_sensor' }],
        span: 8,
      }),
    )
    .withPanel(
      timeseries({
        title: 'Summaries acknowledged',
        description:
          'Summaries each sensor got acknowledged by JetStream since it started (one per interface per interval): a flat line while traffic flows means publishing is stuck.',
        unit: 'short',
        queries: [{ query: `SELECT max("published") FROM "sensor_health" ${PER_SENSOR}`, alias: '$tag_sensor' }],
        span: 8,
      }),
    )
    .build();
}

/** One row per sensor: when its last heartbeat came and how long it has been up. */
function lastSeenTable(): TableBuilder {
  return new TableBuilder()
    .title('Last heartbeat')
    .description("Time of each sensor's last heartbeat in the range (every 5 s by default) and its uptime then.")
    .datasource(datasourceRef)
    .span(8)
    .height(8)
    .withTarget(
      influxql(
        `SELECT last("uptime_seconds") AS "uptime" FROM "sensor_health" ${where(SELECTED_SENSORS)} GROUP BY "sensor"`,
      ).asTable(),
    )
    .overrideByName('Time', [
      { id: 'displayName', value: 'Last seen' },
      { id: 'unit', value: 'dateTimeFromNow' },
    ])
    .overrideByName('uptime', [
      { id: 'displayName', value: 'Uptime' },
      { id: 'unit', value: 's' },
    ]);
}

/** The cumulative counters of each interface's last heartbeat. */
function interfaceCounters(): TableBuilder {
  const q =
    'SELECT last("packets") AS "packets", last("bytes") AS "bytes", last("kernel_dropped") AS "kernel dropped", last("decode_errors") AS "decode errors", ' +
    `last("pcap_written") AS "written to pcap", last("pcap_write_errors") AS "pcap write errors", last("running") AS "running" FROM "sensor_interface_health" ${where(SELECTED_INTERFACES)} GROUP BY "sensor", "interface"`;
  return new TableBuilder()
    .title('Interfaces since sensor start')
    .description('Counters of each captured interface at its last heartbeat, cumulative since the sensor started.')
    .datasource(datasourceRef)
    .span(16)
    .height(8)
    .withTarget(influxql(q).asTable())
    .transformations([
      { id: 'organize', options: { excludeByName: { Time: true }, renameByName: {}, indexByName: {} } },
    ])
    .overrideByName('bytes', [{ id: 'unit', value: 'decbytes' }])
    .overrideByName('running', [
      {
        id: 'mappings',
        value: [
          {
            type: 'value',
            options: { '0': { text: 'stopped', color: 'red' }, '1': { text: 'capturing', color: 'green' } },
          },
        ],
      },
    ]);
}
