/**
 * Makes an error text fit one log line and removes every secret from it: each occurrence of a secret
 * (password, shared key, header value, full URL) becomes "[redacted]".
 */
export function oneLineWithoutSecrets(text: string, secrets: readonly (string | undefined)[], maxLength = 300): string {
  let line = text.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) {
    if (secret) line = line.split(secret).join('[redacted]');
  }
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}
