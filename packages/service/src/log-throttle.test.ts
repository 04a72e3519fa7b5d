import { describe, expect, it } from 'vitest';
import { throttledLog } from './log-throttle.js';
import type { Logger } from './logger.js';

function recorder() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, fields, message });
  return { lines, log: { warn: at('warn'), error: at('error') } as unknown as Logger };
}

describe('throttledLog', () => {
  it('logs a repeating message once per interval, then says how many it held back', () => {
    const { lines, log } = recorder();
    let clock = 0;
    const say = throttledLog(log, 10_000, () => clock);
    for (let i = 0; i < 25; i++, clock += 400) say('error', { batch: i }, 'InfluxDB refused a batch');
    // 25 calls over 10 s: the first at 0 s, the next at 10 s with the 24 held back in between.
    expect(lines.map((l) => [l.fields.batch, l.fields.alsoSinceLastLine])).toEqual([[0, undefined]]);
    clock = 10_000;
    say('error', { batch: 25 }, 'InfluxDB refused a batch');
    expect(lines.at(-1)).toEqual({
      level: 'error',
      fields: { batch: 25, alsoSinceLastLine: 24 },
      message: 'InfluxDB refused a batch',
    });
  });

  it('throttles each message on its own', () => {
    const { lines, log } = recorder();
    const say = throttledLog(log, 10_000, () => 0);
    say('warn', {}, 'a');
    say('warn', {}, 'b');
    say('warn', {}, 'a');
    expect(lines.map((l) => l.message)).toEqual(['a', 'b']);
  });
});
