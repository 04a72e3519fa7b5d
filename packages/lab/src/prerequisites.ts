import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian's sbin directories: not on an ordinary user's PATH, and where nats-server lives. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Full path of an executable on the PATH or in an sbin directory, or null. */
export function findProgram(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether the dynamic linker knows libpcap; true when that cannot be asked (the sensor then says what is wrong). */
function hasLibpcap(): boolean {
  const ldconfig = findProgram('ldconfig');
  if (!ldconfig) return true;
  try {
    return /libpcap\.so/.test(
      execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
  } catch {
    return true;
  }
}

export interface Programs {
  natsServer: string;
  influxd: string;
}

export interface Requirement {
  what: string;
  /** The Debian package that brings it. */
  debianPackage: string;
}

/** What the lab needs and this machine lacks. */
export function missingRequirements(): Requirement[] {
  const missing: Requirement[] = [];
  if (!findProgram('nats-server')) missing.push({ what: 'nats-server', debianPackage: 'nats-server' });
  if (!findProgram('influxd')) missing.push({ what: 'influxd', debianPackage: 'influxdb' });
  if (!hasLibpcap()) missing.push({ what: 'libpcap', debianPackage: 'libpcap0.8' });
  return missing;
}

export type InstallPolicy = 'auto' | 'always' | 'never';

export interface InstallContext {
  policy: InstallPolicy;
  isRoot: boolean;
  /** `sudo -n true` succeeds: sudo without a password prompt. */
  passwordlessSudo: boolean;
  hasAptGet: boolean;
}

export type InstallPlan =
  { kind: 'install'; argv: string[][]; packages: string[]; sudo: string[] } | { kind: 'refuse'; message: string };

/**
 * Installs with apt-get when allowed: as root, with sudo that asks no password, or when the user
 * said --install (sudo may then ask); otherwise one line with the exact command to run.
 */
export function installPlan(missing: readonly Requirement[], context: InstallContext): InstallPlan {
  const packages = [...new Set(missing.map((m) => m.debianPackage))];
  const what = missing.map((m) => m.what).join(', ');
  if (!context.hasAptGet) {
    return {
      kind: 'refuse',
      message: `lab: missing ${what}, and there is no apt-get here: install nats-server and InfluxDB 1.x (influxd) with your package manager`,
    };
  }
  const sudo = context.isRoot ? [] : context.passwordlessSudo ? ['sudo', '-n'] : ['sudo'];
  const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
  const argv = [
    [...sudo, ...env, 'apt-get', 'update', '-qq'],
    [...sudo, ...env, 'apt-get', 'install', '-y', '-qq', ...packages],
  ];
  const allowed =
    context.policy === 'always' || (context.policy === 'auto' && (context.isRoot || context.passwordlessSudo));
  if (allowed) return { kind: 'install', argv, packages, sudo };
  const prefix = context.isRoot ? '' : 'sudo ';
  const shown = `${prefix}apt-get update && ${prefix}DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
  const orFlag = context.policy === 'never' ? '' : ', or run pnpm lab --install';
  return { kind: 'refuse', message: `lab: missing ${what}: install with \`${shown}\`${orFlag}` };
}

function succeeds(argv: string[]): boolean {
  return spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * Makes sure nats-server, influxd and libpcap are there, installing them when allowed. Resolves
 * with the programs' paths, or with a one-line reason (the caller exits 2 with it).
 */
export function ensurePrerequisites(policy: InstallPolicy, say: (line: string) => void): Programs | string {
  let missing = missingRequirements();
  if (missing.length > 0) {
    const isRoot = process.getuid?.() === 0;
    const plan = installPlan(missing, {
      policy,
      isRoot,
      passwordlessSudo: !isRoot && findProgram('sudo') !== null && succeeds(['sudo', '-n', 'true']),
      hasAptGet: findProgram('apt-get') !== null,
    });
    if (plan.kind === 'refuse') return plan.message;
    say(`lab: installing ${plan.packages.join(' ')} with apt-get`);
    for (const argv of plan.argv) {
      const run = spawnSync(argv[0], argv.slice(1), { stdio: ['inherit', 'inherit', 'inherit'] });
      if (run.status !== 0)
        return `lab: \`${argv.join(' ')}\` failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`})`;
    }
    missing = missingRequirements();
    if (missing.length > 0) return `lab: still missing after apt-get: ${missing.map((m) => m.what).join(', ')}`;
    stopSystemServices(plan.sudo, say);
  }
  return { natsServer: findProgram('nats-server')!, influxd: findProgram('influxd')! };
}

/**
 * On a systemd host, installing Debian's influxdb (or nats-server) also starts it as a system service,
 * enabled at boot and listening on every interface: not what `pnpm lab` asked for, and it would take the
 * ports the lab prints. The lab runs its own; the services the packages started are stopped and disabled.
 */
function stopSystemServices(sudo: string[], say: (line: string) => void): void {
  if (findProgram('systemctl') === null) return;
  for (const service of ['influxdb', 'nats-server']) {
    if (
      !succeeds(['systemctl', 'is-enabled', '--quiet', service]) &&
      !succeeds(['systemctl', 'is-active', '--quiet', service])
    )
      continue;
    if (succeeds([...sudo, 'systemctl', 'disable', '--now', service]))
      say(`lab: stopped and disabled the ${service} system service the package started (the lab runs its own)`);
    else
      say(
        `lab: the package started a ${service} system service; stop it with \`systemctl disable --now ${service}\` if you do not want it`,
      );
  }
}
