import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';

export const LAB_RECEIVERS = ['mail', 'webhook'] as const;

/** A fresh random secret in a file only its owner can read; returns the secret. */
export function writeSecret(path: string): string {
  const secret = randomBytes(24).toString('hex');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The default rules, every one routed to the lab's mail catcher and webhook receiver (comments kept). */
export function labRules(defaultRulesYaml: string): string {
  const doc = parseDocument(defaultRulesYaml);
  const rules = doc.get('rules') as { items: unknown[] } | undefined;
  rules?.items.forEach((_rule, i) => {
    const receivers = doc.createNode([...LAB_RECEIVERS], { flow: true });
    doc.setIn(['rules', i, 'receivers'], receivers);
  });
  return doc.toString();
}

export interface AlerterFiles {
  config: string;
  rules: string;
}

/** The alerter's rules and config (receivers: the lab's SMTP catcher and webhook) in `dir`. */
export function writeAlerterFiles(
  dir: string,
  defaultRulesPath: string,
  smtpPort: number,
  webhookUrl: string,
  webhookSecretFile: string,
): AlerterFiles {
  const rules = join(dir, 'rules.yaml');
  writeFileSync(rules, labRules(readFileSync(defaultRulesPath, 'utf8')));
  const config = join(dir, 'alerter.yaml');
  writeFileSync(
    config,
    stringify({
      rules,
      receivers: [
        {
          name: 'mail',
          email: {
            host: '127.0.0.1',
            port: smtpPort,
            starttls: 'off',
            from: 'wirewatch-lab@localhost',
            to: ['you@localhost'],
            timeoutMs: 5000,
          },
        },
        { name: 'webhook', webhook: { url: webhookUrl, secretFile: webhookSecretFile, timeoutMs: 2000 } },
      ],
    }),
  );
  return { config, rules };
}
