import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** `<prefix>-<UTC time, YYYYMMDDTHHMMSSZ>-<sequence, 6 digits or more>.pcap` */
export function pcapFileName(prefix: string, timestampSeconds: number, seq: number): string {
  const date = new Date(timestampSeconds * 1000);
  const iso = (Number.isNaN(date.getTime()) ? new Date() : date).toISOString(); // 2024-05-01T12:00:00.000Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return `${prefix}-${stamp}-${String(seq).padStart(6, '0')}.pcap`;
}

/** Files of an earlier run with this prefix in `dir`, oldest (lowest sequence) first. */
export function existingPcapFiles(dir: string, prefix: string): { path: string; seq: number }[] {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{8}T\\d{6}Z-(\\d+)\\.pcap$`);
  return readdirSync(dir)
    .flatMap((name) => {
      const seq = pattern.exec(name)?.[1];
      return seq === undefined ? [] : [{ path: join(dir, name), seq: Number(seq) }];
    })
    .sort((a, b) => a.seq - b.seq);
}
