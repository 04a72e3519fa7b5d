import type { AlertNotification } from '../alert-notification.js';

export function firingBandwidthAlert(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return {
    state: 'firing',
    rule: 'high-bandwidth',
    severity: 'critical',
    summary: 'bytes/s on edge-1 eth0 above 50 MB/s',
    labels: { sensor: 'edge-1', interface: 'eth0', team: 'netops' },
    dedupKey: 'high-bandwidth/sensor=edge-1,interface=eth0',
    since: '2024-05-01T10:00:00.000Z',
    at: '2024-05-01T10:12:30.000Z',
    value: 72_412_345,
    threshold: 50_000_000,
    unit: 'B/s',
    dashboardUrl: 'https://grafana.example.net/d/wirewatch-traffic?var-sensor=edge-1&from=now-1h',
    ...overrides,
  };
}
