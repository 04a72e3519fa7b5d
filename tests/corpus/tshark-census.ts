import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What tshark says of a capture, in the terms of wirewatch's report. */
export interface Census {
  /** tshark's exit status and first line of complaint, if any. */
  status: number;
  complaint: string;
  packets: number;
  bytes: number;
  classes: Record<string, { packets: number; bytes: number }>;
  /** Outermost IP source address → packets, bytes. */
  sources: Record<string, { packets: number; bytes: number }>;
}

const FIELDS = [
  'frame.len',
  'frame.protocols',
  'ip.src',
  'ip.proto',
  'ipv6.src',
  'ipv6.nxt',
  'ipv6.hopopts.nxt',
  'ipv6.routing.nxt',
  'ipv6.fraghdr.nxt',
  'ipv6.dstopts.nxt',
];
/** Reassembly off: every frame is judged on its own, as wirewatch does. */
const OPTIONS = [
  'tcp.desegment_tcp_streams:FALSE',
  'ip.defragment:FALSE',
  'ipv6.defragment:FALSE',
  'udp.try_heuristic_first:FALSE',
];
const EXTENSIONS: Record<string, number> = {
  'ipv6.hopopts': 6,
  'ipv6.routing': 7,
  'ipv6.fraghdr': 8,
  'ipv6.dstopts': 9,
};
const CLASS_OF: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };
/**
 * Runs tshark once over `file`. The censuses the tests compare with are kept in tshark-fixtures.json,
 * keyed by this file's text among others: any change here makes them stale until regenerated.
 */
export async function tsharkCensus(file: string): Promise<Census> {
  // Run beside the file and name it alone, so tshark's complaints do not depend on where the corpus lies.
  const args = [
    '-n',
    '-r',
    `./${basename(file)}`,
    ...OPTIONS.flatMap((o) => ['-o', o]),
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
  ];
  for (const f of FIELDS) args.push('-e', f);
  let stdout = '';
  let stderr = '';
  let status = 0;
  try {
    ({ stdout, stderr } = await run('tshark', args, {
      cwd: dirname(file),
      maxBuffer: 512 << 20,
      timeout: 120_000,
      env: { ...process.env, LC_ALL: 'C' },
    }));
  } catch (error) {
    const e = error as { code?: number; signal?: string; stdout?: string; stderr?: string };
    // A census of part of a file would pass for tshark's answer: a killed tshark (the timeout) is an error.
    if (e.signal) throw new Error(`tshark on ${basename(file)} ended by ${e.signal}`);
    status = typeof e.code === 'number' ? e.code : 1;
    stdout = e.stdout ?? '';
    stderr = e.stderr ?? '';
  }
  const census = aggregate(stdout);
  census.status = status;
  census.complaint = stderr.split('\n').find((l) => l.trim() !== '' && !l.startsWith('Running as user')) ?? '';
  return census;
}

export async function tsharkVersion(): Promise<string> {
  const { stdout } = await run('tshark', ['--version']);
  return stdout.split('\n')[0];
}

function aggregate(stdout: string): Census {
  const census: Census = { status: 0, complaint: '', packets: 0, bytes: 0, classes: {}, sources: {} };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const length = Number(cols[0]);
    const protocols = cols[1].split(':');
    const { cls, source } = classify(protocols, cols);
    census.packets++;
    census.bytes += length;
    add(census.classes, cls, length);
    if (source) add(census.sources, source, length);
  }
  return census;
}

function classify(protocols: string[], cols: string[]): { cls: string; source: string | null } {
  const values = (i: number) => (cols[i] ? cols[i].split(',') : []);
  const v4 = protocols.indexOf('ip');
  const v6 = protocols.indexOf('ipv6');
  // "ip:ipv6" with nothing between: tshark's IPv4 dissector found version 6 and handed the header to IPv6.
  if (v4 >= 0 && (v6 < 0 || v4 < v6) && v6 !== v4 + 1) {
    const proto = values(3)[0];
    return {
      cls: proto === undefined ? 'other-ip' : (CLASS_OF[Number(proto)] ?? 'other-ip'),
      source: values(2)[0] ?? null,
    };
  }
  if (v6 >= 0) {
    // Follow the outermost header's extension chain as tshark lists it; the class is the last next-header.
    let next = values(5)[0];
    const used: Record<string, number> = {};
    for (let i = v6 + 1; i < protocols.length && EXTENSIONS[protocols[i]] !== undefined; i++) {
      const name = protocols[i];
      const n = used[name] ?? 0;
      used[name] = n + 1;
      next = values(EXTENSIONS[name])[n];
    }
    return {
      cls: next === undefined ? 'other-ip' : (CLASS_OF[Number(next)] ?? 'other-ip'),
      source: values(4)[0] ?? null,
    };
  }
  if (protocols.includes('arp')) return { cls: 'arp', source: null };
  return { cls: 'other', source: null };
}

function add(into: Record<string, { packets: number; bytes: number }>, key: string, bytes: number): void {
  const entry = (into[key] ??= { packets: 0, bytes: 0 });
  entry.packets++;
  entry.bytes += bytes;
}
