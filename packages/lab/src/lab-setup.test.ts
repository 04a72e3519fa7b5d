import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULES_FILE, parseRuleSet } from '@wirewatch/rules';
import { afterAll, describe, expect, it } from 'vitest';
import { LabDirError, prepareLabDir } from './lab-dir.js';
import { labRules } from './lab-files.js';
import { lastWords } from './last-words.js';
import { installPlan, type InstallContext } from './prerequisites.js';

const both = [
  { what: 'nats-server', debianPackage: 'nats-server' },
  { what: 'influxd', debianPackage: 'influxdb' },
];
const context = (over: Partial<InstallContext>): InstallContext => ({
  policy: 'auto',
  isRoot: false,
  passwordlessSudo: false,
  hasAptGet: true,
  ...over,
});

describe('installing what is missing', () => {
  it('installs as root, and through sudo when it asks no password', () => {
    expect(installPlan(both, context({ isRoot: true }))).toEqual({
      kind: 'install',
      packages: ['nats-server', 'influxdb'],
      sudo: [],
      argv: [
        ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'update', '-qq'],
        ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', 'nats-server', 'influxdb'],
      ],
    });
    const sudo = installPlan(both, context({ passwordlessSudo: true }));
    expect(sudo.kind === 'install' && sudo.argv.every((a) => a[0] === 'sudo' && a[1] === '-n')).toBe(true);
  });

  it('otherwise prints the exact command in one line, and installs with a prompting sudo only when told to', () => {
    const refused = installPlan(both, context({}));
    expect(refused).toEqual({
      kind: 'refuse',
      message:
        'lab: missing nats-server, influxd: install with `sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y nats-server influxdb`, or run pnpm lab --install',
    });
    expect(installPlan(both, context({ isRoot: true, policy: 'never' }))).toMatchObject({
      kind: 'refuse',
      message: expect.not.stringContaining('sudo'),
    });
    const told = installPlan(both, context({ policy: 'always' }));
    expect(told.kind === 'install' && told.argv[1].slice(0, 2)).toEqual(['sudo', 'env']);
    expect(installPlan(both, context({ isRoot: true, hasAptGet: false }))).toMatchObject({
      kind: 'refuse',
      message: expect.stringMatching(/no apt-get/),
    });
  });
});

describe('the lab directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'wirewatch-labdir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('empties a directory an earlier lab left, and refuses one with anything else in it', () => {
    const dir = join(root, 'lab');
    prepareLabDir(dir);
    mkdirSync(join(dir, 'nats'));
    writeFileSync(join(dir, 'nats', 'server.log'), 'old');
    prepareLabDir(dir);
    expect(readdirSync(dir).sort()).toEqual(['.wirewatch-lab', 'lab.pid']);

    const precious = join(root, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'thesis.tex'), 'years of work');
    expect(() => prepareLabDir(precious)).toThrow(LabDirError);
    expect(readdirSync(precious)).toEqual(['thesis.tex']);
  });

  it('is not emptied under a lab that still runs there, and is once that lab has ended', async () => {
    const dir = join(root, 'busy');
    prepareLabDir(dir);
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'packages/lab/src/main.ts'], {
      stdio: 'ignore',
    });
    const ended = new Promise((resolve) => other.once('exit', resolve));
    await new Promise((resolve) => other.once('spawn', resolve));
    writeFileSync(join(dir, 'lab.pid'), `${other.pid}\n`);
    expect(() => prepareLabDir(dir)).toThrow(new RegExp(`another pnpm lab \\(pid ${other.pid}\\) runs in`));
    other.kill();
    await ended;
    expect(() => prepareLabDir(dir)).not.toThrow();
  });
});

describe("the lab's rules", () => {
  it('are the default rules, each sent to the mail catcher and the webhook, and valid', () => {
    const defaults = parseRuleSet(readFileSync(DEFAULT_RULES_FILE, 'utf8'), 'default');
    const lab = parseRuleSet(labRules(readFileSync(DEFAULT_RULES_FILE, 'utf8')), 'lab');
    if (!defaults.ok || !lab.ok) throw new Error(JSON.stringify([defaults, lab]));
    expect(lab.ruleSet.rules.map((r) => r.receivers)).toEqual(defaults.ruleSet.rules.map(() => ['mail', 'webhook']));
    const strip = (rules: typeof lab.ruleSet.rules) => rules.map(({ receivers: _, ...rest }) => rest);
    expect(strip(lab.ruleSet.rules)).toEqual(strip(defaults.ruleSet.rules));
  });
});

describe('what a service said last', () => {
  it('is its fatal error line, else its last JSON message, else its last line, shortened', () => {
    expect(lastWords('{"msg":"starting"}\nwirewatch: capture on lo: permission denied\n')).toBe(
      'capture on lo: permission denied',
    );
    expect(lastWords('{"msg":"a"}\n{"level":"error","msg":"InfluxDB refused a batch","err":"HTTP 400"}')).toBe(
      'InfluxDB refused a batch: HTTP 400',
    );
    expect(lastWords('panic: runtime error')).toBe('panic: runtime error');
    expect(lastWords('x'.repeat(500))).toHaveLength(200);
  });
});
