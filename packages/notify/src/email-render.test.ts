import { describe, expect, it } from 'vitest';
import { escapeHtml, formatDuration, renderAlertEmail } from './email-render.js';
import { firingBandwidthAlert } from './test-support/notifications.js';

describe('renderAlertEmail', () => {
  it('says what, where, since when, value against threshold, severity and the dashboard link', () => {
    const email = renderAlertEmail(firingBandwidthAlert());
    expect(email.subject).toBe('[FIRING critical] high-bandwidth on edge-1');
    expect(email.text).toContain('FIRING critical: high-bandwidth\nbytes/s on edge-1 eth0 above 50 MB/s\n');
    expect(email.text).toMatch(/Value: +72\.4 MB\/s \(threshold 50 MB\/s\)/);
    expect(email.text).toMatch(/Severity: +critical/);
    expect(email.text).toMatch(/Firing since: +2024-05-01T10:00:00\.000Z \(12m 30s\)/);
    expect(email.text).toMatch(
      /Dashboard: +https:\/\/grafana\.example\.net\/d\/wirewatch-traffic\?var-sensor=edge-1&from=now-1h/,
    );
    expect(email.text).toContain('  interface = eth0\n  sensor = edge-1\n  team = netops\n');
    expect(email.html).toContain('72.4 MB/s (threshold 50 MB/s)');
    expect(email.html).toContain(
      '<a href="https://grafana.example.net/d/wirewatch-traffic?var-sensor=edge-1&#38;from=now-1h">',
    );
  });

  it('has a resolved form that tells how long it lasted', () => {
    const email = renderAlertEmail(
      firingBandwidthAlert({ state: 'resolved', value: 1_000_000, at: '2024-05-01T11:05:00.000Z' }),
    );
    expect(email.subject).toBe('[RESOLVED] high-bandwidth on edge-1');
    expect(email.text).toMatch(/^RESOLVED: high-bandwidth\n/);
    expect(email.text).toMatch(/Last value: +1 MB\/s \(threshold 50 MB\/s\)/);
    expect(email.text).toMatch(/Firing since: +2024-05-01T10:00:00\.000Z \(1h 5m in all\)/);
    expect(email.text).toMatch(/Resolved at: +2024-05-01T11:05:00\.000Z/);
  });

  it('escapes every value in the HTML and never links a non-http URL', () => {
    const email = renderAlertEmail(
      firingBandwidthAlert({
        rule: 'evil<script>alert(1)</script>',
        summary: 'a "quoted" & <b>bold</b> summary',
        labels: { sensor: '<img src=x onerror=alert(1)>', "it's": '"x"' },
        dashboardUrl: 'javascript:alert(document.cookie)',
      }),
    );
    expect(email.html).not.toMatch(/<script|<img|<b>|javascript:[^<]*"|href="javascript/);
    expect(email.html).toContain('evil&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(email.html).toContain('a &#34;quoted&#34; &#38; &#60;b&#62;bold&#60;/b&#62; summary');
    expect(email.html).toContain(
      '<th align="left" style="padding:2px 12px 2px 0">it&#39;s</th><td><code>&#34;x&#34;</code>',
    );
    expect(email.html).toContain('<td>javascript:alert(document.cookie)</td>');
    expect(email.subject).toBe('[FIRING critical] evil<script>alert(1)</script> on <img src=x onerror=alert(1)>');
  });

  it('keeps the subject and text lines single even when values hold line breaks', () => {
    const email = renderAlertEmail(
      firingBandwidthAlert({ rule: 'two\r\nBcc: victim@example.com', summary: 'line one\nline two' }),
    );
    expect(email.subject).toBe('[FIRING critical] two Bcc: victim@example.com on edge-1');
    expect(email.text).toContain('\nline one line two\n');
  });
});

describe('helpers', () => {
  it('escapeHtml escapes the five significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('formatDuration keeps the two largest units', () => {
    expect([0, 45_000, 750_000, 3_900_000, 90_061_000, -1].map(formatDuration)).toEqual([
      '0s',
      '45s',
      '12m 30s',
      '1h 5m',
      '1d 1h',
      '',
    ]);
  });
});
