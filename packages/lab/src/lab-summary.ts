import { relative } from 'node:path';
import { DATABASE, SENSOR_ID, type LabInfo } from './lab.js';
import type { LabPorts } from './lab-ports.js';

/** A path as the user can type it from here: relative when it is below the current directory. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

/** The block printed once the lab is up: where everything is and how to look at it. */
export function labSummary(info: LabInfo, ports: LabPorts, dir: string, hasInfluxCli: boolean): string[] {
  // A replay keeps the capture's own timestamps (samples/lab.pcap: 2025-11-22), so "the last 5 minutes" is empty then.
  const query =
    info.sensor.mode === 'live'
      ? `SELECT sum("packets") FROM "traffic" WHERE time > now() - 5m GROUP BY time(10s) fill(none)`
      : `SELECT count("packets") AS intervals, sum("packets") AS packets FROM "traffic"`;
  const api = `http://127.0.0.1:${ports.alerter}`;
  const sensor =
    info.sensor.mode === 'live'
      ? `live capture on ${info.sensor.interface} (the lab's own ports filtered out), id ${SENSOR_ID}`
      : `replaying samples/lab.pcap in a loop (no live capture: ${info.sensor.reason}); its points keep the capture's timestamps, so each round rewrites the same ones`;
  const t = info.traffic;
  const dns =
    t === null ? '' : t.dns === 'answered' ? 'DNS answered' : t.dns === 'unanswered' ? 'DNS unanswered' : 'no DNS';
  const traffic =
    t === null
      ? info.sensor.mode === 'live'
        ? 'off (--no-traffic)'
        : 'off (the sensor replays a capture: it would see none)'
      : `~${t.rate} packets/s to ${t.target}: UDP :${t.udpPort}, TCP :${t.tcpPort}, ${dns}; a ${t.scanPorts}-port scan ${t.scanEverySeconds > 0 ? `every ${t.scanEverySeconds} s` : 'never'}` +
        (info.sensor.mode === 'live' && info.sensor.interface !== 'lo'
          ? ` (on lo: the sensor on ${info.sensor.interface} does not see it)`
          : '');
  const lines = [
    `wirewatch lab is up after ${info.startupSeconds.toFixed(1)} s; Ctrl-C stops everything. Data: ${shown(dir)}`,
    `  NATS       ${info.natsUrl}   (monitoring http://127.0.0.1:${ports.natsMonitor})`,
    `  InfluxDB   ${info.influxUrl}   database ${DATABASE}, v1 API; for example:`,
    `             curl -sG ${info.influxUrl}/query --data-urlencode db=${DATABASE} --data-urlencode 'q=${query}'`,
  ];
  if (hasInfluxCli) lines.push(`             influx -port ${ports.influx} -database ${DATABASE} -execute '${query}'`);
  lines.push(
    `  sensor     ${sensor}   http://127.0.0.1:${ports.sensor}/metrics`,
    `  collector  http://127.0.0.1:${ports.collector}/metrics`,
    `  alerter    default rules, to the mail catcher and the webhook   API ${api}/api/alerts   (OpenAPI ${api}/openapi.json)`,
    `             curl -H "Authorization: Bearer $(cat ${shown(info.apiTokenFile)})" ${api}/api/alerts`,
    `  mail       SMTP catcher 127.0.0.1:${ports.smtp}; every mail saved as ${shown(info.mailDir)}/NNNN-<subject>.eml`,
    `  webhook    ${info.webhookUrl}   (signatures checked)`,
    `  traffic    ${traffic}`,
    `  logs       ${shown(dir)}/<nats|influxd|collector|alerter|sensor|traffic>/server.log`,
  );
  if (t?.dnsNote) lines.push(`  note       ${t.dnsNote}`);
  return lines;
}
