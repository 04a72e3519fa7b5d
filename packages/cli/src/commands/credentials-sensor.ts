import { createUser } from '@nats-io/nkeys';
import { sensorInboxPrefix } from '@wirewatch/bus';
import { heartbeatSubject, isSubjectToken, summarySubject } from '@wirewatch/protocol';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../fatal.js';

export interface SensorCredentials {
  /** The user's public key (`U...`), what the server's accounts file names. */
  publicKey: string;
  seedFile: string;
  /** The entry for the `users: [...]` of the SENSORS account of the server's accounts file. */
  stanza: string;
}

/**
 * A sensor's own NATS identity: a new user NKey whose seed goes to `<dir>/<id>.nk` (mode 0600, never
 * overwritten), and the server-side entry that lets that key publish as `id` and nothing else.
 */
export function makeSensorCredentials(id: string, dir: string): SensorCredentials {
  if (!isSubjectToken(id))
    throw new UsageError(
      `sensor id "${id}" must be 1-64 letters, digits, "_" or "-" (it becomes a NATS subject token)`,
    );
  const seedFile = resolve(join(dir, `${id}.nk`));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = createUser();
  const seed = new TextDecoder().decode(pair.getSeed());
  try {
    writeFileSync(seedFile, `${seed}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw new UsageError(
        `${seedFile} exists; to rotate, move it away first (the old key stays valid until its stanza leaves the accounts file)`,
      );
    throw new UsageError(`cannot write ${seedFile}: ${code ?? (error as Error).message}`);
  }
  const publicKey = pair.getPublicKey();
  return { publicKey, seedFile, stanza: sensorStanza(id, publicKey) };
}

/**
 * The accounts-file entry for one sensor: its own two subjects, its own inbox, nothing else. It belongs
 * in the SENSORS account, which imports the two subjects from WIREWATCH as services: JetStream's ack
 * then returns to SENSORS whatever reply subject the sensor names.
 */
export function sensorStanza(id: string, publicKey: string): string {
  const q = JSON.stringify;
  return [
    `# sensor ${id}: in the users of the SENSORS account; remove this entry and reload the server (nats-server --signal reload) to revoke it`,
    '{',
    `  nkey: ${publicKey}`,
    '  permissions: {',
    `    publish: { allow: [${q(summarySubject(id))}, ${q(heartbeatSubject(id))}] }`,
    `    subscribe: { allow: [${q(`${sensorInboxPrefix(id)}.>`)}] }`,
    '  }',
    '}',
  ].join('\n');
}
