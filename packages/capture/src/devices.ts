import { capModule } from './cap-binding.js';
import { CaptureError, firstLine } from './errors.js';

export interface CaptureDevice {
  name: string;
  description: string | null;
  /** IPv4 and IPv6 addresses of the interface. */
  addresses: string[];
  loopback: boolean;
}

/** The interfaces libpcap can capture on (including pseudo-devices such as `any`). */
export function listDevices(): CaptureDevice[] {
  let devices;
  try {
    devices = capModule().Cap.deviceList();
  } catch (error) {
    throw new CaptureError(`cannot list capture devices: ${firstLine(error)}`);
  }
  return devices.map((d) => ({
    name: d.name,
    description: d.description ?? null,
    addresses: d.addresses.flatMap((a) => (a.addr ? [a.addr] : [])),
    loopback: d.flags === 'PCAP_IF_LOOPBACK',
  }));
}
