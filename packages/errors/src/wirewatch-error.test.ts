import { describe, expect, it } from 'vitest';
import { WirewatchError } from './wirewatch-error.js';

describe('WirewatchError', () => {
  it('carries its code and cause, and shows the first line of its message', () => {
    const cause = new Error('underneath');
    const error = new WirewatchError('nats', 'cannot apply the stream settings: refused\nsecond line', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('nats');
    expect(error.cause).toBe(cause);
    expect(error.lines()).toEqual(['cannot apply the stream settings: refused']);
  });
});
