/** The benchmark capture: packet counts (capinfos) and the first-quarter slice (editcap). */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Packet count of a capture, from `capinfos -c -M` (Wireshark's tools, as tshark). */
export function countPackets(file: string): number {
  const out = execFileSync('capinfos', ['-c', '-M', file], { encoding: 'utf8' });
  const m = /^Number of packets:\s+(\d+)\s*$/m.exec(out);
  if (!m) throw new Error(`cannot read the packet count from capinfos output:\n${out}`);
  return Number(m[1]);
}

/** 'pcapng' or 'pcap', from the file's first four bytes. */
function formatOf(file: string): 'pcap' | 'pcapng' {
  const head = Buffer.alloc(4);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return head.readUInt32BE(0) === 0x0a0d0d0a ? 'pcapng' : 'pcap';
}

/**
 * Writes the first `packets` packets of `file` with `editcap -r`, in the same format (editcap
 * would write pcapng by default), into /dev/shm (a tmpfs, so timings do not depend on the disk
 * cache) when it exists. Reuses a slice newer than the file.
 */
export function sliceCapture(file: string, packets: number): string {
  const dir = existsSync('/dev/shm') ? '/dev/shm/wwbench' : dirname(file);
  const format = formatOf(file);
  const out = join(dir, `${basename(file).replace(/\.pcap(ng)?$/, '')}.first${packets}.${format}`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs) {
    mkdirSync(dir, { recursive: true });
    execFileSync('editcap', ['-F', format, '-r', file, out, `1-${packets}`], { stdio: 'inherit' });
  }
  return out;
}
