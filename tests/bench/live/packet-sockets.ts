import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * File descriptors of this process that are AF_PACKET sockets: the sockets listed in
 * /proc/net/packet (this network namespace), matched by inode against /proc/self/fd. Linux only;
 * empty where /proc is not there.
 */
export function packetSocketFds(): Set<number> {
  const fds = new Set<number>();
  let inodes: Set<string>;
  let entries: string[];
  try {
    inodes = new Set(
      readFileSync('/proc/net/packet', 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/)[8] ?? ''),
    );
    entries = readdirSync('/proc/self/fd');
  } catch {
    return fds;
  }
  for (const entry of entries) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${entry}`);
    } catch {
      continue; // closed meanwhile, or the directory handle itself
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && inodes.has(inode)) fds.add(Number(entry));
  }
  return fds;
}
