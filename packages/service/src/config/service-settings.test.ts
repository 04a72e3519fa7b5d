import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { LogLines } from '../test-support/log-lines.js';
import { httpConfigSchema, LOG_LEVELS, logLevelSetting, tcpPort } from './service-settings.js';

describe('logLevelSetting', () => {
  it('offers exactly the levels pino has, and silent', () => {
    expect([...LOG_LEVELS].sort()).toEqual([...Object.keys(pino.levels.values), 'silent'].sort());
  });

  it('every level it accepts is one the logger takes', () => {
    for (const level of LOG_LEVELS) {
      expect(logLevelSetting.parse(level)).toBe(level);
      expect(
        createLogger({ name: 'test', level: logLevelSetting.parse(level), destination: new LogLines() }).level,
      ).toBe(level);
    }
    expect(logLevelSetting.parse(undefined)).toBe('info');
    expect(logLevelSetting.safeParse('verbose').success).toBe(false);
  });
});

describe('httpConfigSchema', () => {
  it('defaults the whole object from its fields, stated once', () => {
    expect(httpConfigSchema(9101).parse(undefined)).toEqual({ host: '0.0.0.0', port: 9101 });
    expect(httpConfigSchema(9101).parse({ port: 0 })).toEqual({ host: '0.0.0.0', port: 0 });
    const loopback = httpConfigSchema(9103, { host: { default: '127.0.0.1', description: 'loopback' } });
    expect(loopback.parse({})).toEqual({ host: '127.0.0.1', port: 9103 });
  });

  it('listens on 0 (any free port) to 65535', () => {
    const schema = httpConfigSchema(9101);
    expect([-1, 0, 65535, 65536, 1.5].map((port) => schema.safeParse({ port }).success)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it('a port to connect to is 1 to 65535', () => {
    expect([0, 1, 65535, 65536].map((p) => tcpPort.safeParse(p).success)).toEqual([false, true, true, false]);
  });
});
