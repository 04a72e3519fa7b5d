/** The `wirewatch` CLI as a user runs it: help, outputs, progress on a terminal. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaptureFile, PcapWriter } from '@wirewatch/packet';
import type { AnalysisReport } from '@wirewatch/report';
import { buildCli } from '../scripts/build-cli.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAB = join(ROOT, 'samples/lab.pcap');
let bundle: string;
let dir: string;

function cli(args: string[]) {
  return spawnSync(process.execPath, [bundle, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
}

beforeAll(async () => {
  bundle = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'wirewatch-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wirewatch CLI', () => {
  it('documents every analyze option in --help', () => {
    const run = cli(['analyze', '--help']);
    expect(run.status).toBe(0);
    for (const option of ['--json', '--csv', '--html', '--interval', '--top']) expect(run.stdout).toContain(option);
  });

  it('answers an unknown option of any command with a usage line and exit 2, and --help with exit 0', () => {
    for (const command of [
      'analyze',
      'sensor',
      'collector',
      'alerter',
      'generate-traffic',
      'dashboards',
      'config-reference',
    ]) {
      const bad = cli([
        command,
        ...(command === 'generate-traffic' ? ['--target', '127.0.0.1'] : []),
        '--no-such-option',
      ]);
      expect(bad.status, command).toBe(2);
      expect(bad.stderr, command).toContain("unknown option '--no-such-option'");
      expect(cli([command, '--help']).status, command).toBe(0);
    }
  });

  it('lists the capture interfaces with their addresses (sensor --list-interfaces)', () => {
    const run = cli(['sensor', '--list-interfaces']);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').find((line) => line.startsWith('lo '))).toMatch(/127\.0\.0\.1.*loopback/);
  });

  it('prints its version', () => {
    const run = cli(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('turns an output it cannot write into one line and exit 2, without hanging', () => {
    for (const [args, message] of [
      [['--json', join(dir, 'missing-dir', 'r.json')], 'no such directory'],
      [['--csv', '/proc/wirewatch-test'], 'no such directory'],
      [['--csv', LAB], 'not a directory'],
      [['--interval', '0'], 'at least 0.001'],
    ] as const) {
      const run = spawnSync(process.execPath, [bundle, 'analyze', LAB, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('writes the JSON report to stdout with --json -', () => {
    const run = cli(['analyze', LAB, '--json', '-']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as AnalysisReport;
    expect(report.packets).toBe(2763);
    expect(report.capture.file).toBe('lab.pcap');
  });

  it('writes flows.csv with every flow and timeline.csv with one row per interval', () => {
    const out = join(dir, 'csv');
    const run = cli(['analyze', LAB, '--csv', out, '--json', join(dir, 'r.json'), '--interval', '10']);
    expect(run.status).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as AnalysisReport;
    const flows = readFileSync(join(out, 'flows.csv'), 'utf8').trim().split('\n');
    expect(flows[0]).toBe('src,dst,sport,dport,proto,packets,bytes,first_seen,last_seen');
    expect(flows.length - 1).toBe(report.cardinalities.flows);
    const packets = flows.slice(1).reduce((sum, line) => sum + Number(line.split(',')[5]), 0);
    const ipPackets = report.packets - report.protocols.arp.packets - report.protocols.other.packets;
    expect(packets).toBe(ipPackets);
    const timeline = readFileSync(join(out, 'timeline.csv'), 'utf8').trim().split('\n');
    expect(timeline.length - 1).toBe(report.timeline.length);
    expect(report.timeline.length).toBeLessThanOrEqual(7);
  });

  it('shows a progress bar on a terminal for a large file, and none when stderr is not a terminal', () => {
    const big = join(dir, 'big.pcap');
    const writer = new PcapWriter(big, 1);
    for (let copy = 0; copy < 20; copy++) {
      const reader = openCaptureFile(LAB);
      while (reader.next())
        writer.write(reader.timestamp + copy * 60, reader.data, reader.offset, reader.caplen, reader.origLen);
      reader.close();
    }
    writer.close();
    const plain = cli(['analyze', big, '--json', join(dir, 'big.json')]);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('');
    // `script` gives the child a pseudo-terminal, as an interactive shell would.
    const command = `${process.execPath} ${bundle} analyze ${big} --json ${join(dir, 'big2.json')}`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8' });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/reading \[/);
    expect((JSON.parse(readFileSync(join(dir, 'big2.json'), 'utf8')) as AnalysisReport).packets).toBe(2763 * 20);
  });

  it('refuses bad service settings with one line per problem naming flag, variable or file line, and exit 2', () => {
    const config = join(dir, 'sensor.yaml');
    writeFileSync(config, 'id: edge-1\nintervalSeconds: fast\ncapture:\n  pcap: samples/lab.pcap\n');
    const cases: Array<{ args: string[]; env?: Record<string, string>; expect: RegExp[] }> = [
      { args: ['sensor'], expect: [/^wirewatch: capture: give either interfaces to capture on or a pcap file/m] },
      { args: ['sensor', '--pcap', LAB, '--http-port', '99999'], expect: [/^wirewatch: --http-port http\.port: /m] },
      { args: ['sensor', '--pcap', LAB, '--id', 'a.b'], expect: [/^wirewatch: --id id: /m] },
      { args: ['sensor', '-c', config], expect: [/^wirewatch: .*sensor\.yaml:2 intervalSeconds: /m] },
      {
        args: ['collector'],
        env: { WIREWATCH_NATS_SERVERS: 'bogus' },
        expect: [/^wirewatch: WIREWATCH_NATS_SERVERS nats\.servers\[0\]: /m],
      },
      { args: ['collector', '--influx-api', 'v3'], expect: [/^wirewatch: --influx-api influx\.api: /m] },
      {
        args: ['sensor', '--interface', 'nosuchif0', '--http-port', '0'],
        expect: [/^wirewatch: capture on nosuchif0: no such device$/m],
      },
    ];
    for (const c of cases) {
      const run = spawnSync(process.execPath, [bundle, ...c.args], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 15_000,
        env: { ...process.env, ...c.env, WIREWATCH_LOG_LEVEL: 'silent' },
      });
      expect(run.status, `${c.args.join(' ')}: ${run.stderr}`).toBe(2);
      for (const pattern of c.expect) expect(run.stderr).toMatch(pattern);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("runs alert rules offline with --rules: the lab capture's port scan fires and resolves, sized as tshark counts it", () => {
    const run = cli(['analyze', LAB, '--rules', join(ROOT, 'packages/rules/default-rules.yaml'), '--json', '-']);
    expect(run.status, run.stderr).toBe(0);
    const alerts = (
      JSON.parse(run.stdout) as {
        alerts: { rule: string; state: string; labels: Record<string, string>; value: number; at: string }[];
      }
    ).alerts;
    const scan = alerts.filter((a) => a.rule === 'port-scan');
    expect(scan.map((a) => a.state)).toEqual(['firing', 'resolved']);
    expect(scan[0].labels.source).toBe('10.1.0.21');
    // tshark: the most distinct ports 10.1.0.21 sent a SYN (no ACK) to within one second.
    const tshark = spawnSync(
      'tshark',
      [
        '-r',
        LAB,
        '-Y',
        'ip.src==10.1.0.21 && tcp.flags.syn==1 && tcp.flags.ack==0',
        '-T',
        'fields',
        '-e',
        'frame.time_epoch',
        '-e',
        'tcp.dstport',
      ],
      { encoding: 'utf8' },
    );
    const perSecond = new Map<number, Set<string>>();
    for (const line of tshark.stdout.trim().split('\n')) {
      const [time, port] = line.split('\t');
      const second = Math.floor(Number(time));
      perSecond.set(second, (perSecond.get(second) ?? new Set()).add(port));
    }
    const [second, ports] = [...perSecond].sort((a, b) => b[1].size - a[1].size)[0];
    expect(scan[0].value).toBe(ports.size);
    expect(Date.parse(scan[0].at)).toBe((second + 1) * 1000);
  });
});
