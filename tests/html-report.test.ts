/**
 * The self-contained HTML report: rendered from the sample fixture and checked in headless Chromium
 * (charts drawn, no requests, sortable flows, inert hostile text). Writes docs/report-screenshot.png.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderHtmlReport, type AnalysisReport } from '@wirewatch/report';

// The page.evaluate callbacks below run inside Chromium. The project compiles without lib.dom, so the
// browser globals they use are declared here, as far as they use them, local to this module.
type Tagged = { dataset: Record<string, string | undefined> };
type Canvas = Tagged & {
  width: number;
  height: number;
  getContext: (kind: '2d') => {
    getImageData: (x: number, y: number, w: number, h: number) => { data: Uint8ClampedArray };
  };
};
type Row = { hidden: boolean; cells: ArrayLike<Tagged> };
type Table = { tHead: { rows: ArrayLike<Row> }; tBodies: ArrayLike<{ rows: ArrayLike<Row> }> };
type Chart = { data: { labels: string[]; datasets: Array<{ data: number[] }> } };
declare const document: {
  body: Tagged;
  documentElement: { scrollWidth: number };
  querySelector: (selector: string) => Canvas | null;
  querySelectorAll: (selector: string) => ArrayLike<Canvas>;
  getElementById: (id: string) => unknown;
};
declare const window: { innerWidth: number; Chart: { getChart: (canvas: Canvas | null) => Chart | undefined } };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'packages/report/test-fixtures/sample-report.json');
const SCREENSHOT = join(ROOT, 'docs/report-screenshot.png');
const CHROMIUM = process.env.WIREWATCH_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Every chart the fixture has data for, by `data-chart` id. */
const ALL_CHARTS = ['traffic', 'protocols', 'sizes', 'sources', 'destinations', 'ports', 'tcp-flags', 'dns-names'];
const HOSTILE = '</script><img src=x onerror=alert(1)>';

function fixture(): AnalysisReport {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as AnalysisReport;
}

function withoutDns(report: AnalysisReport): AnalysisReport {
  return { ...report, dns: { queries: 0, responses: 0, nxdomain: 0, rcodes: {}, top_names: [], qtypes: {} } };
}

function hostile(report: AnalysisReport): AnalysisReport {
  const names = [{ name: HOSTILE, queries: 999 }, ...report.dns.top_names];
  return {
    ...report,
    capture: { ...report.capture, file: `evil${HOSTILE}.pcap`, warnings: [`<b onmouseover=alert(2)>${HOSTILE}</b>`] },
    dns: { ...report.dns, top_names: names },
    decode_errors: { total: 1, by_reason: { [`x"><script>alert(3)</script>`]: 1 } },
  };
}

describe('HTML report markup', () => {
  it('escapes text for markup and JSON for a script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const tricky = { s: '</script><!-- \u2028 & >' };
    const json = jsonForScript(tricky);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual(tricky);
  });

  it('writes one page whose only script elements are its own three', () => {
    const html = renderHtmlReport(hostile(fixture()));
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html).not.toContain('<img');
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    // No external resources: every src/href outside the inline scripts is a data: URL.
    const markup = html.replace(/<script[^>]*>[\s\S]*?<\/script>/gi, '');
    for (const m of markup.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)) expect(m[1]).toMatch(/^data:/);
  });
});

interface OpenedPage {
  page: Page;
  url: string;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

// Skipped only outside CI when no Chromium is installed; CI installs it (scripts/setup.sh) and must run these.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`HTML report in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wirewatch-html-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(report: AnalysisReport | null, name: string, width = 1280): Promise<OpenedPage> {
    const file = join(dir, name);
    if (report !== null) writeFileSync(file, renderHtmlReport(report));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const opened: OpenedPage = { page, url, requests: [], errors: [], dialogs: [] };
    page.on('request', (r) => opened.requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') opened.errors.push(m.text());
    });
    page.on('pageerror', (e) => opened.errors.push(String(e)));
    page.on('dialog', (d) => {
      opened.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 10_000 });
    return opened;
  }

  /** Chart ids as the page reports them, the canvases present, and per canvas: has a Chart, painted pixels. */
  async function charts(page: Page) {
    return page.evaluate(() => {
      const canvases: Canvas[] = Array.from(document.querySelectorAll('canvas[data-chart]'));
      return {
        rendered: (document.body.dataset.chartsRendered ?? '').split(' ').filter(Boolean),
        canvases: canvases.map((canvas) => {
          const data: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
          return {
            id: canvas.dataset.chart,
            hasChart: window.Chart.getChart(canvas) !== undefined,
            painted,
            width: canvas.width,
          };
        }),
      };
    });
  }

  /** The `data-value` of one column of the visible flows rows, top to bottom. */
  async function column(page: Page, key: string): Promise<string[]> {
    return page.evaluate((k) => {
      const table = document.getElementById('flows-table') as Table;
      const headers: Tagged[] = Array.from(table.tHead.rows[0].cells);
      const index = headers.findIndex((th) => th.dataset.key === k);
      const rows: Row[] = Array.from(table.tBodies[0].rows);
      return rows.filter((r) => !r.hidden).map((r) => r.cells[index].dataset.value ?? '');
    }, key);
  }

  it('draws every chart of the sample report without errors or requests', async () => {
    const { page, url, requests, errors, dialogs } = await open(fixture(), 'sample.html');
    const { rendered, canvases } = await charts(page);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(rendered.sort()).toEqual([...ALL_CHARTS].sort());
    expect(canvases.map((c) => c.id).sort()).toEqual([...ALL_CHARTS].sort());
    for (const c of canvases) {
      expect(c.hasChart, `chart instance for ${c.id}`).toBe(true);
      expect(c.width, `canvas width for ${c.id}`).toBeGreaterThan(100);
      expect(c.painted, `painted pixels in ${c.id}`).toBeGreaterThan(1000);
    }
    expect(await page.locator('.empty').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('office-uplink-2024-05-14.pcapng');

    expect(requests).toEqual([url]);
    await page.close();
  });

  it('renders the report the CLI writes for samples/lab.pcap, every chart drawn', async () => {
    const out = join(dir, 'lab.html');
    const run = spawnSync(process.execPath, ['scripts/wirewatch.mjs', 'analyze', 'samples/lab.pcap', '--html', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { page, url, requests, errors, dialogs } = await open(null, 'lab.html');
    const { rendered, canvases } = await charts(page);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(rendered.sort()).toEqual([...ALL_CHARTS].sort());
    for (const c of canvases) expect(c.painted, `painted pixels in ${c.id}`).toBeGreaterThan(1000);
    expect(await page.locator('h1').textContent()).toBe('lab.pcap');
    expect(await page.locator('#flows-table tbody tr').count()).toBeGreaterThan(50);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('sorts the flows table by a clicked header, numerically and as text', async () => {
    const report = fixture();
    const { page, errors } = await open(report, 'sort.html');
    const num = (values: string[]) => values.map(Number);
    const byBytes = num(await column(page, 'bytes'));
    expect(byBytes).toEqual(report.top_flows.map((f) => f.bytes));
    expect(byBytes).toEqual([...byBytes].sort((a, b) => b - a));

    const packetsBefore = num(await column(page, 'packets'));
    const ascending = [...packetsBefore].sort((a, b) => a - b);
    expect(packetsBefore).not.toEqual(ascending);
    await page.click('#flows-table th[data-key="packets"]');
    expect(num(await column(page, 'packets'))).toEqual(ascending);
    expect(await page.getAttribute('#flows-table th[data-key="packets"]', 'aria-sort')).toBe('ascending');
    expect(await page.getAttribute('#flows-table th[data-key="bytes"]', 'aria-sort')).toBe('none');
    await page.click('#flows-table th[data-key="packets"]');
    expect(num(await column(page, 'packets'))).toEqual([...ascending].reverse());
    expect(await page.getAttribute('#flows-table th[data-key="packets"]', 'aria-sort')).toBe('descending');

    // Ports sort as numbers (22 before 123), not as strings.
    await page.click('#flows-table th[data-key="dport"]');
    const ports = num(await column(page, 'dport'));
    expect(ports).toEqual([...ports].sort((a, b) => a - b));

    await page.click('#flows-table th[data-key="src"]');
    const sources = await column(page, 'src');
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    expect(sources).toEqual([...sources].sort(collator.compare));

    await page.fill('#flows-filter', '3478');
    const expected = report.top_flows.filter((f) => f.sport === 3478 || f.dport === 3478).length;
    expect(await column(page, 'src')).toHaveLength(expected);
    expect(await page.textContent('#flows-status')).toBe(`${expected} of ${report.top_flows.length} flows`);
    await page.fill('#flows-filter', '');
    expect(await column(page, 'src')).toHaveLength(report.top_flows.length);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches the traffic chart between bytes and packets', async () => {
    const report = fixture();
    const { page, errors } = await open(report, 'toggle.html');
    const tcpSeries = () =>
      page.evaluate(
        (): number[] =>
          window.Chart.getChart(document.querySelector('canvas[data-chart="traffic"]'))!.data.datasets[0].data,
      );
    expect(await tcpSeries()).toEqual(report.timeline.map((r) => r.protocols.tcp.bytes));
    await page.click('#traffic button[data-metric="packets"]');
    expect(await tcpSeries()).toEqual(report.timeline.map((r) => r.protocols.tcp.packets));
    expect(await page.getAttribute('#traffic button[data-metric="packets"]', 'aria-pressed')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws intervals without traffic as zero, not as a line across the gap', async () => {
    const report = fixture();
    const gapped = { ...report, timeline: report.timeline.filter((_row, i) => i < 5 || i >= 10) };
    const { page, errors } = await open(gapped, 'gap.html');
    const chart = await page.evaluate(() => {
      const c = window.Chart.getChart(document.querySelector('canvas[data-chart="traffic"]'))!;
      return { labels: c.data.labels, tcp: c.data.datasets[0].data };
    });
    expect(chart.labels).toHaveLength(report.timeline.length);
    expect(chart.tcp.slice(5, 10)).toEqual([0, 0, 0, 0, 0]);
    expect(chart.tcp[10]).toBe(report.timeline[10].protocols.tcp.bytes);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders hostile capture text inert and visible as text', async () => {
    const report = hostile(fixture());
    const { page, url, requests, errors, dialogs } = await open(report, 'hostile.html');
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(3);
    expect(await page.locator('h1').textContent()).toBe(report.capture.file);
    expect(await page.locator('.notes').textContent()).toContain(report.capture.warnings[0]);
    await page.click('#dns details summary');
    const names = page.locator('#dns details td', { hasText: HOSTILE });
    expect(await names.count()).toBe(1);
    expect(await names.isVisible()).toBe(true);
    const embedded = await page.evaluate((): unknown =>
      JSON.parse((document.getElementById('report-data') as { textContent: string }).textContent),
    );
    expect(embedded).toEqual(report);
    expect((await charts(page)).rendered.sort()).toEqual([...ALL_CHARTS].sort());
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('shows a note instead of DNS charts when the capture has no DNS', async () => {
    const { page, errors } = await open(withoutDns(fixture()), 'no-dns.html');
    const { rendered, canvases } = await charts(page);
    const expected = ALL_CHARTS.filter((id) => id !== 'dns-names').sort();
    expect(rendered.sort()).toEqual(expected);
    expect(canvases.map((c) => c.id).sort()).toEqual(expected);
    expect(canvases.every((c) => c.hasChart && c.painted > 1000)).toBe(true);
    expect((await page.textContent('[data-empty="dns"]'))?.trim()).toBe('No DNS traffic in this capture.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders an empty capture as notes only', async () => {
    const base = fixture();
    const zero = { packets: 0, bytes: 0 };
    const empty: AnalysisReport = {
      ...withoutDns(base),
      capture: { ...base.capture, first_packet: null, last_packet: null, duration_seconds: 0, warnings: [] },
      packets: 0,
      bytes: 0,
      captured_bytes: 0,
      protocols: { tcp: zero, udp: zero, icmp: zero, icmpv6: zero, 'other-ip': zero, arp: zero, other: zero },
      top_sources: [],
      top_destinations: [],
      top_conversations: [],
      top_ports: [],
      cardinalities: { sources: 0, destinations: 0, conversations: 0, flows: 0, exact: true },
      timeline: [],
      tcp_flags: { syn: 0, syn_ack: 0, fin: 0, rst: 0, psh: 0, ack: 0, urg: 0, ece: 0, cwr: 0 },
      packet_sizes: base.packet_sizes.map((b) => ({ ...b, packets: 0 })),
      decode_errors: { total: 0, by_reason: {} },
      top_flows: [],
    };
    const { page, errors } = await open(empty, 'empty.html');
    const { rendered, canvases } = await charts(page);
    expect(rendered).toEqual([]);
    expect(canvases).toEqual([]);
    expect(await page.locator('.empty').count()).toBe(9);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a narrow screen without horizontal page scrolling', async () => {
    const { page, errors } = await open(fixture(), 'narrow.html', 390);
    const overflow: number = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect((await charts(page)).rendered.sort()).toEqual([...ALL_CHARTS].sort());
    if (process.env.WIREWATCH_NARROW_SCREENSHOT)
      await page.screenshot({ path: process.env.WIREWATCH_NARROW_SCREENSHOT, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
