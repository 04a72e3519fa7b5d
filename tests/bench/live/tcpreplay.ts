/** Runs `tcpreplay --topspeed -i lo FILE` and reads what it says it sent. */
import { spawn } from 'node:child_process';

export interface ReplayResult {
  /** Packets tcpreplay sent without error ("Successful packets"). */
  sent: number;
  seconds: number;
  /** Its achieved rate, packets per second. */
  pps: number;
}

export function tcpreplay(file: string): Promise<ReplayResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('tcpreplay', ['--topspeed', '-i', 'lo', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', (error) => reject(new Error(`cannot run tcpreplay: ${error.message}`)));
    child.on('close', (code) => {
      const sent = /Successful packets:\s+(\d+)/.exec(out);
      const actual = /Actual: \d+ packets \(\d+ bytes\) sent in ([\d.]+) seconds/.exec(out);
      const rated = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(out);
      if (code !== 0 || !sent || !actual || !rated)
        return reject(new Error(`tcpreplay failed (exit ${code}):\n${out}`));
      resolve({ sent: Number(sent[1]), seconds: Number(actual[1]), pps: Number(rated[1]) });
    });
  });
}
