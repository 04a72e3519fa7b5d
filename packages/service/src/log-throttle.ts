import type { Logger } from './logger.js';

type Level = 'warn' | 'error';

/**
 * Logs a repeating failure at most once per `intervalMs` per message, with how many were held back
 * since the last line: an InfluxDB that refuses every write would otherwise log every batch, several
 * a second, for as long as it lasts. The counters in /metrics still count every one.
 */
export function throttledLog(log: Logger, intervalMs = 10_000, now: () => number = Date.now) {
  const last = new Map<string, { at: number; held: number }>();
  return (level: Level, fields: Record<string, unknown>, message: string): void => {
    const t = now();
    const seen = last.get(message);
    if (seen && t - seen.at < intervalMs) {
      seen.held++;
      return;
    }
    const held = seen?.held ?? 0;
    last.set(message, { at: t, held: 0 });
    log[level](held > 0 ? { ...fields, alsoSinceLastLine: held } : fields, message);
  };
}
