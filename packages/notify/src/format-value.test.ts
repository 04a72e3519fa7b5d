import { describe, expect, it } from 'vitest';
import { formatValue } from './format-value.js';

describe('formatValue', () => {
  it('scales byte and bit rates with decimal prefixes, three significant digits', () => {
    expect(formatValue(72_412_345, 'B/s')).toBe('72.4 MB/s');
    expect(formatValue(50_000_000, 'bytes/s')).toBe('50 MB/s');
    expect(formatValue(999, 'B/s')).toBe('999 B/s');
    expect(formatValue(999_600, 'B/s')).toBe('1 MB/s');
    expect(formatValue(1_250_000_000, 'bit/s')).toBe('1.25 Gbit/s');
    expect(formatValue(1_536, 'B')).toBe('1.54 kB');
  });

  it('writes other units after the number, % attached', () => {
    expect(formatValue(12.3456, '%')).toBe('12.346%');
    expect(formatValue(1200, 'packets/s')).toBe('1200 packets/s');
    expect(formatValue(0.25)).toBe('0.25');
    expect(formatValue(0.000123456, 'ratio')).toBe('0.000123 ratio');
    expect(formatValue(Number.NaN, 'B/s')).toBe('NaN B/s');
  });
});
