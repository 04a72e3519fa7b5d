/** A user-facing failure: one line on stderr, a chosen exit code, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Prints one line and exits: 2 for bad input (a file, an interface, a setting), 1 for anything unexpected (stack only with WIREWATCH_DEBUG=1). */
export async function reportFatal(error: unknown): Promise<never> {
  // Loaded on this path only: importing the service kit at start would load its server and metrics
  // libraries for every command (analyze runs once per file in scripts).
  const [{ ConfigError }, { CaptureError }, { CaptureFormatError }] = await Promise.all([
    import('@wirewatch/service'),
    import('@wirewatch/capture'),
    import('@wirewatch/report'),
  ]);
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`wirewatch: ${problem}\n`);
    process.exit(2);
  }
  const bad = error instanceof CaptureFormatError || error instanceof CaptureError || error instanceof UsageError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`wirewatch: ${message.split('\n')[0]}\n`);
  if (!bad && process.env.WIREWATCH_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(bad ? 2 : 1);
}
