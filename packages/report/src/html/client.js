/*
 * wirewatch HTML report, browser side. Runs after the inlined Chart.js (the only dependency): draws every
 * <canvas data-chart="..."> from the embedded report JSON, then wires the traffic toggle and the flows table.
 * When done, <body data-charts-rendered="traffic protocols ..."> lists the charts that were drawn.
 */
(() => {
  'use strict';

  const report = JSON.parse(document.getElementById('report-data').textContent);

  // ---- Formatting (decimal byte units, as in the server-rendered text) ----
  const scaled = (value, base, units) => {
    let v = value;
    let i = 0;
    while (Math.abs(v) >= base && i < units.length - 1) {
      v /= base;
      i++;
    }
    const digits = i === 0 || Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
    return v.toFixed(digits) + ' ' + units[i];
  };
  const fmtBytes = (n) => scaled(n, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB']);
  const fmtCount = (n) => Math.round(n).toLocaleString('en-US');
  /** For axis ticks: "5.00 MB" -> "5 MB", "1.50k" -> "1.5k". */
  const trimZeros = (text) => text.replace(/\.(\d*?)0+(?=\D|$)/, (_m, d) => (d ? '.' + d : ''));
  const fmtCompact = (n) => (Math.abs(n) < 1000 ? fmtCount(n) : trimZeros(scaled(n, 1000, ['', 'k', 'M', 'G', 'T']).replace(' ', '')));
  const axisBytes = (n) => trimZeros(fmtBytes(n));
  const fmtPct = (part, whole) => (whole > 0 ? ((part / whole) * 100).toFixed(1) + '%' : '0%');
  const clock = (epoch) => new Date(epoch * 1000).toISOString().slice(11, 19);
  /** Shortens in the middle, keeping both ends of an address or a DNS name. */
  const ellipsis = (text, max) => {
    if (text.length <= max) return text;
    const head = Math.ceil((max - 1) / 2);
    return text.slice(0, head) + '…' + text.slice(text.length - (max - 1 - head));
  };
  /** Characters of a category label that fit beside a horizontal bar chart of this width. */
  const labelRoom = (chart) => (chart.width < 360 ? 18 : chart.width < 440 ? 24 : 34);

  // ---- Theme: colours come from the stylesheet's custom properties ----
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue('--' + name).trim();
  const alpha = (hex, a) =>
    /^#[0-9a-f]{6}$/i.test(hex) ? hex + Math.round(a * 255).toString(16).padStart(2, '0') : hex;

  const CLASSES = ['tcp', 'udp', 'icmp', 'icmpv6', 'other-ip', 'arp', 'other'];
  const CLASS_LABELS = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', icmpv6: 'ICMPv6', 'other-ip': 'Other IP', arp: 'ARP', other: 'Other' };
  const SERVICES = {
    tcp: { 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'dns', 80: 'http', 110: 'pop3', 143: 'imap', 389: 'ldap', 443: 'https', 445: 'smb', 465: 'smtps', 587: 'submission', 636: 'ldaps', 993: 'imaps', 995: 'pop3s', 1433: 'mssql', 3306: 'mysql', 3389: 'rdp', 5432: 'postgres', 5900: 'vnc', 6379: 'redis', 8080: 'http-alt', 8443: 'https-alt' },
    udp: { 53: 'dns', 67: 'dhcp', 68: 'dhcp', 69: 'tftp', 123: 'ntp', 137: 'netbios', 161: 'snmp', 443: 'quic', 500: 'ike', 514: 'syslog', 1900: 'ssdp', 3478: 'stun', 4500: 'ipsec-nat', 5353: 'mdns', 5355: 'llmnr', 51820: 'wireguard' },
  };

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.color = color('muted');
  Chart.defaults.borderColor = color('grid');
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.plugins.legend.labels.usePointStyle = true;
  Chart.defaults.plugins.legend.labels.pointStyle = 'rectRounded';
  Chart.defaults.plugins.legend.labels.boxHeight = 8;
  Chart.defaults.plugins.tooltip.padding = 10;
  Chart.defaults.plugins.tooltip.boxPadding = 4;

  const noGrid = { grid: { display: false }, border: { display: false } };

  /** A horizontal bar chart of `values` with full labels in the tooltip. */
  const horizontalBars = (labels, values, fill, format, extra) => ({
    type: 'bar',
    data: { labels, datasets: [{ data: values, backgroundColor: fill, borderRadius: 4, maxBarThickness: 22 }] },
    options: {
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => labels[items[0].dataIndex], label: (ctx) => extra(ctx.dataIndex, format(ctx.parsed.x)) } },
      },
      scales: {
        x: { beginAtZero: true, border: { display: false }, ticks: { callback: (v) => trimZeros(format(v)), maxTicksLimit: 6, maxRotation: 0 } },
        y: {
          ...noGrid,
          ticks: {
            callback(_v, i) {
              return ellipsis(labels[i], labelRoom(this.chart));
            },
            font: { family: color('mono'), size: 11.5 },
            color: color('fg'),
          },
        },
      },
    },
  });

  // ---- Traffic over time ----
  let trafficMetric = 'bytes';

  /** Timeline rows in order, with intervals that had no packets filled in as zero. */
  const timelineRows = () => {
    const rows = report.timeline.slice().sort((a, b) => a.start - b.start);
    const step = report.interval_seconds;
    if (!(step > 0) || rows.length < 2) return rows;
    const steps = Math.round((rows[rows.length - 1].start - rows[0].start) / step);
    if (steps > 5000 || steps < rows.length - 1) return rows;
    const byStart = new Map(rows.map((r) => [Math.round(r.start * 1000), r]));
    const out = [];
    for (let i = 0; i <= steps; i++) {
      const start = rows[0].start + i * step;
      out.push(byStart.get(Math.round(start * 1000)) || { start, packets: 0, bytes: 0, protocols: {} });
    }
    return out;
  };

  const traffic = () => {
    const rows = timelineRows();
    const step = report.interval_seconds;
    const multiDay = rows.length > 0 && rows[rows.length - 1].start - rows[0].start > 86400;
    const label = (t) => (multiDay ? new Date(t * 1000).toISOString().slice(5, 16).replace('T', ' ') : clock(t));
    const present = CLASSES.filter((c) => rows.some((r) => r.protocols[c] && r.protocols[c].packets > 0));
    const series = (c) => rows.map((r) => (r.protocols[c] ? r.protocols[c][trafficMetric] : 0));
    const fmt = (v) => (trafficMetric === 'bytes' ? fmtBytes(v) : fmtCount(v) + ' pkts');
    return {
      type: 'line',
      data: {
        labels: rows.map((r) => label(r.start)),
        datasets: present.map((c, i) => ({
          label: CLASS_LABELS[c],
          classKey: c,
          data: series(c),
          borderColor: color('c-' + c),
          backgroundColor: alpha(color('c-' + c), 0.5),
          fill: i === 0 ? 'origin' : '-1',
          borderWidth: 1.5,
          pointRadius: 0,
          pointHoverRadius: 3,
          cubicInterpolationMode: 'monotone',
        })),
      },
      options: {
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'top', align: 'end' },
          tooltip: {
            itemSort: (a, b) => b.datasetIndex - a.datasetIndex,
            callbacks: {
              title: (items) => {
                const start = rows[items[0].dataIndex].start;
                return clock(start) + ' – ' + clock(start + step) + ' UTC';
              },
              label: (ctx) => ' ' + ctx.dataset.label + ': ' + fmt(ctx.parsed.y),
              footer: (items) => 'Total: ' + fmt(items.reduce((s, it) => s + it.parsed.y, 0)),
            },
          },
        },
        scales: {
          x: { ...noGrid, ticks: { maxRotation: 0, autoSkipPadding: 16 } },
          y: {
            stacked: true,
            beginAtZero: true,
            border: { display: false },
            ticks: { callback: (v) => (trafficMetric === 'bytes' ? axisBytes(v) : fmtCompact(v)), maxTicksLimit: 6 },
          },
        },
      },
    };
  };

  const wireTrafficToggle = (chart) => {
    const buttons = document.querySelectorAll('#traffic [data-metric]');
    for (const button of buttons) {
      button.addEventListener('click', () => {
        trafficMetric = button.dataset.metric;
        for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
        const rows = timelineRows();
        for (const ds of chart.data.datasets) {
          ds.data = rows.map((r) => (r.protocols[ds.classKey] ? r.protocols[ds.classKey][trafficMetric] : 0));
        }
        chart.update();
      });
    }
  };

  // ---- Protocol mix ----
  /** Writes a total in the hole of a doughnut. */
  const centerText = (lines) => ({
    id: 'centerText',
    afterDraw(chart) {
      const { ctx, chartArea: a } = chart;
      const x = (a.left + a.right) / 2;
      const y = (a.top + a.bottom) / 2;
      ctx.save();
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = color('fg');
      ctx.font = '600 17px ' + Chart.defaults.font.family;
      ctx.fillText(lines[0], x, y - 8);
      ctx.fillStyle = color('muted');
      ctx.font = '12px ' + Chart.defaults.font.family;
      ctx.fillText(lines[1], x, y + 12);
      ctx.restore();
    },
  });

  const protocols = () => {
    const present = CLASSES.filter((c) => report.protocols[c].packets > 0);
    const total = present.reduce((s, c) => s + report.protocols[c].bytes, 0);
    return {
      type: 'doughnut',
      data: {
        labels: present.map((c) => CLASS_LABELS[c]),
        datasets: [
          {
            data: present.map((c) => report.protocols[c].bytes),
            backgroundColor: present.map((c) => color('c-' + c)),
            borderColor: color('card'),
            borderWidth: 2,
            hoverOffset: 6,
          },
        ],
      },
      options: {
        cutout: '64%',
        layout: { padding: 6 },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const p = report.protocols[present[ctx.dataIndex]];
                return ' ' + fmtBytes(p.bytes) + ' (' + fmtPct(p.bytes, total) + ') · ' + fmtCount(p.packets) + ' pkts';
              },
            },
          },
        },
      },
      plugins: [centerText([fmtBytes(total), 'total'])],
    };
  };

  // ---- Frame sizes ----
  const sizes = () => {
    const buckets = report.packet_sizes;
    const total = buckets.reduce((s, b) => s + b.packets, 0);
    const labels = buckets.map((b, i) => {
      const prev = i > 0 ? buckets[i - 1].le : null;
      if (b.le === null) return prev === null ? 'any' : '> ' + prev;
      return prev === null ? '≤ ' + b.le : prev + 1 + '–' + b.le;
    });
    return {
      type: 'bar',
      data: { labels, datasets: [{ data: buckets.map((b) => b.packets), backgroundColor: color('c-sizes'), borderRadius: 4, maxBarThickness: 56 }] },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => items[0].label + ' bytes', label: (ctx) => ' ' + fmtCount(ctx.parsed.y) + ' pkts (' + fmtPct(ctx.parsed.y, total) + ')' } },
        },
        scales: {
          x: { ...noGrid, title: { display: true, text: 'frame length (bytes)' }, ticks: { maxRotation: 0, font: { size: 11 } } },
          y: { beginAtZero: true, border: { display: false }, ticks: { callback: (v) => fmtCompact(v), maxTicksLimit: 6 } },
        },
      },
    };
  };

  // ---- Hosts, ports, DNS names ----
  const hosts = (entries, fill) =>
    horizontalBars(
      entries.map((h) => h.ip),
      entries.map((h) => h.bytes),
      fill,
      fmtBytes,
      (i, text) => ' ' + text + ' · ' + fmtCount(entries[i].packets) + ' pkts',
    );

  const ports = () => {
    const entries = report.top_ports;
    return horizontalBars(
      entries.map((p) => {
        const service = (SERVICES[p.transport] || {})[p.port];
        return p.port + '/' + p.transport + (service ? ' ' + service : '');
      }),
      entries.map((p) => p.bytes),
      entries.map((p) => color(p.transport === 'tcp' ? 'c-tcp' : 'c-udp')),
      fmtBytes,
      (i, text) => ' ' + text + ' · ' + fmtCount(entries[i].packets) + ' pkts',
    );
  };

  const dnsNames = () => {
    const names = report.dns.top_names;
    const total = report.dns.queries;
    return horizontalBars(
      names.map((n) => n.name),
      names.map((n) => n.queries),
      color('c-dns'),
      (v) => fmtCount(v),
      (i, text) => ' ' + text + ' queries (' + fmtPct(names[i].queries, total) + ')',
    );
  };

  // ---- TCP flags ----
  const tcpFlags = () => {
    const order = [['syn', 'SYN'], ['syn_ack', 'SYN-ACK'], ['fin', 'FIN'], ['rst', 'RST'], ['psh', 'PSH'], ['ack', 'ACK'], ['urg', 'URG'], ['ece', 'ECE'], ['cwr', 'CWR']];
    const values = order.map(([k]) => report.tcp_flags[k]);
    return {
      type: 'bar',
      data: {
        labels: order.map(([, l]) => l),
        datasets: [{ data: values, backgroundColor: order.map(([k]) => color(k === 'rst' ? 'c-rst' : 'c-flag')), borderRadius: 4, maxBarThickness: 40 }],
      },
      options: {
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => ' ' + fmtCount(values[ctx.dataIndex]) + ' pkts' } } },
        scales: {
          x: { ...noGrid, ticks: { maxRotation: 60, autoSkip: false, font: { size: 11 } } },
          y: {
            type: 'logarithmic',
            min: 1,
            border: { display: false },
            ticks: { callback: (v) => (Number.isInteger(Math.log10(v)) ? fmtCompact(v) : '') },
          },
        },
      },
    };
  };

  const BUILDERS = {
    traffic,
    protocols,
    sizes,
    sources: () => hosts(report.top_sources, color('c-src')),
    destinations: () => hosts(report.top_destinations, color('c-dst')),
    ports,
    'tcp-flags': tcpFlags,
    'dns-names': dnsNames,
  };

  const drawCharts = () => {
    const drawn = [];
    for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
      const id = canvas.dataset.chart;
      try {
        if (!Object.prototype.hasOwnProperty.call(BUILDERS, id)) throw new Error('no chart builder for "' + id + '"');
        const chart = new Chart(canvas, BUILDERS[id]());
        if (id === 'traffic') wireTrafficToggle(chart);
        drawn.push(id);
      } catch (err) {
        console.error('wirewatch: chart "' + id + '" could not be drawn', err);
        const note = document.createElement('p');
        note.className = 'empty';
        note.textContent = 'This chart could not be drawn.';
        canvas.parentElement.replaceWith(note);
      }
    }
    document.body.dataset.chartsRendered = drawn.join(' ');
  };

  // ---- Flows table: sort on header click, filter box ----
  const wireFlowsTable = () => {
    const table = document.getElementById('flows-table');
    if (!table) return;
    const body = table.tBodies[0];
    const headers = Array.from(table.tHead.rows[0].cells);
    const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
    const searchText = new WeakMap();
    for (const row of body.rows) searchText.set(row, Array.from(row.cells, (c) => c.textContent.toLowerCase()).join(' '));

    table.tHead.addEventListener('click', (event) => {
      const th = event.target.closest('th');
      if (!th) return;
      const column = headers.indexOf(th);
      const direction = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      for (const h of headers) h.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', direction);
      const numeric = th.dataset.type === 'num';
      const sign = direction === 'ascending' ? 1 : -1;
      const value = (row) => row.cells[column].dataset.value;
      const rows = Array.from(body.rows);
      rows.sort((a, b) => sign * (numeric ? Number(value(a)) - Number(value(b)) : collator.compare(value(a), value(b))));
      body.append(...rows);
    });

    const input = document.getElementById('flows-filter');
    const status = document.getElementById('flows-status');
    const total = body.rows.length;
    input.addEventListener('input', () => {
      const terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const row of body.rows) {
        const text = searchText.get(row);
        row.hidden = !terms.every((t) => text.includes(t));
        if (!row.hidden) shown++;
      }
      status.textContent = shown === total ? total + ' flows' : shown + ' of ' + total + ' flows';
    });
  };

  drawCharts();
  wireFlowsTable();
  document.body.dataset.ready = 'true';
})();
