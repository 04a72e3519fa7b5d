import { createServer } from 'node:net';
import { freePorts } from './ports.js';

/** The lab's ports: the usual ones when they are free (so URLs stay the same from run to run). */
export const USUAL_PORTS = {
  nats: 4222,
  natsMonitor: 8222,
  influx: 8086,
  influxRpc: 8088,
  sensor: 9101,
  collector: 9102,
  alerter: 9103,
  webhook: 9104,
  smtp: 2525,
} as const;

export type LabPorts = Record<keyof typeof USUAL_PORTS, number>;

export class PortError extends Error {}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Each port as asked (`--<name>-port`, refused when taken), else the usual one when free, else any
 * free port.
 */
export async function choosePorts(asked: Partial<LabPorts>): Promise<LabPorts> {
  const chosen = {} as LabPorts;
  const names = Object.keys(USUAL_PORTS) as (keyof LabPorts)[];
  const spare = await freePorts(names.length);
  for (const name of names) {
    const wanted = asked[name];
    if (wanted !== undefined) {
      if (!(await canListen(wanted))) throw new PortError(`lab: port ${wanted} (${name}) is in use on 127.0.0.1`);
      chosen[name] = wanted;
    } else {
      const usual = USUAL_PORTS[name];
      chosen[name] = (await canListen(usual)) ? usual : spare.pop()!;
    }
  }
  const values = Object.values(chosen);
  if (new Set(values).size !== values.length)
    throw new PortError(`lab: two services would share a port: ${JSON.stringify(chosen)}`);
  return chosen;
}
