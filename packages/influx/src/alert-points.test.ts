import { describe, expect, it } from 'vitest';
import { alertLine, alertTimestampNs, type AlertPoint } from './alert-points.js';

const AT = 1_700_000_000_123;
const point = (over: Partial<AlertPoint> = {}): AlertPoint => ({
  rule: 'port-scan',
  severity: 'warning',
  state: 'firing',
  dedupKey: 'port-scan|source=10.0.0.1',
  summary: 'port scan on source=10.0.0.1: 150 (threshold 100)',
  value: 150,
  threshold: 100,
  repeat: false,
  silenced: false,
  at: AT,
  ...over,
});

describe('alerts points', () => {
  it('one point per transition: rule, severity and state as tags, the rest as fields', () => {
    const line = alertLine(point({ value: null }));
    expect(line).toBe(
      `alerts,rule=port-scan,severity=warning,state=firing dedup_key="port-scan|source=10.0.0.1",summary="port scan on source=10.0.0.1: 150 (threshold 100)",threshold=100,repeat=0,silenced=0 ${alertTimestampNs(point())}`,
    );
  });

  it('two dedup keys in one millisecond keep two points; one key always the same time', () => {
    const a = alertTimestampNs(point());
    const b = alertTimestampNs(point({ dedupKey: 'port-scan|source=10.0.0.2' }));
    expect(a.slice(0, 13)).toBe(String(AT));
    expect(b.slice(0, 13)).toBe(String(AT));
    expect(a).toHaveLength(19);
    expect(a).not.toBe(b);
    expect(alertTimestampNs(point())).toBe(a);
  });
});
