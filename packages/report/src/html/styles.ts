/** The report's stylesheet. client.js reads the custom properties (colours) so charts match the page. */
export const STYLES = `
:root {
  --bg: #f3f5f8; --card: #ffffff; --fg: #1b2330; --muted: #5f6b7c; --faint: #8b95a4;
  --line: #e2e7ee; --grid: rgba(27, 35, 48, 0.08); --accent: #2f6fdf; --accent-soft: #e8f0fd;
  --warn: #b45309; --warn-soft: #fff7e8; --bad: #c2334d; --good: #15803d;
  --mast-1: #0e1a2c; --mast-2: #1c3256;
  --c-tcp: #2f6fdf; --c-udp: #f08c2e; --c-icmp: #d9485f; --c-icmpv6: #13a3a3;
  --c-other-ip: #7a5cd6; --c-arp: #8aa02b; --c-other: #8c96a5;
  --c-src: #2f6fdf; --c-dst: #7a5cd6; --c-dns: #13a3a3; --c-sizes: #3d8bd4; --c-flag: #4f7fcf; --c-rst: #d9485f;
  --mono: ui-monospace, "SF Mono", "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d131c; --card: #151d29; --fg: #e4e9f0; --muted: #9aa6b6; --faint: #6f7b8c;
    --line: #243042; --grid: rgba(228, 233, 240, 0.08); --accent: #6b9cf5; --accent-soft: #1b2a44;
    --warn: #f0a14a; --warn-soft: #2a2114; --bad: #f07088; --good: #4ade80;
    --mast-1: #08101b; --mast-2: #13233d;
    color-scheme: dark;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
}
h1, h2, h3 { margin: 0; font-weight: 600; }
code { font-family: var(--mono); font-size: 0.92em; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

/* Masthead and summary tiles */
.masthead { background: linear-gradient(120deg, var(--mast-1), var(--mast-2)); color: #f5f8fc; padding: 22px 0 64px; }
.brand { display: flex; align-items: center; gap: 8px; font-size: 12px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; color: #c9d6ea; }
.brand span:not(.logo) { font-weight: 400; color: #8fa3c0; }
.logo { width: 14px; height: 14px; border-radius: 4px; background: linear-gradient(135deg, #5b9bff, #27c3b4); }
.file { margin-top: 10px; font-size: 26px; line-height: 1.2; overflow-wrap: anywhere; }
.meta { margin: 6px 0 0; color: #b4c3d9; font-size: 13.5px; }
.meta .sep { margin: 0 8px; color: #6f86a8; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-top: -44px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 13px 15px 12px; box-shadow: 0 1px 3px rgba(15, 25, 45, 0.08); min-width: 0; }
.tile-label { font-size: 11.5px; font-weight: 600; letter-spacing: 0.05em; text-transform: uppercase; color: var(--muted); }
.tile-value { margin-top: 4px; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tile-value small { font-size: 14px; font-weight: 600; color: var(--muted); }
.tile-hint { margin-top: 2px; font-size: 12px; color: var(--faint); }
.tone-warn { box-shadow: inset 0 3px 0 var(--warn), 0 1px 3px rgba(15, 25, 45, 0.08); }
.tone-warn .tile-value { color: var(--warn); }
.tone-good .tile-hint { color: var(--good); }
.notes { margin-top: 14px; background: var(--warn-soft); border: 1px solid var(--line); border-left: 4px solid var(--warn); border-radius: 10px; padding: 12px 16px; }
.notes h2 { font-size: 13px; color: var(--warn); text-transform: uppercase; letter-spacing: 0.05em; }
.notes ul { margin: 6px 0 0; padding-left: 18px; }
.notes li { margin: 3px 0; overflow-wrap: anywhere; }
.chip { display: inline-block; margin: 2px 2px 0 0; padding: 1px 8px; border-radius: 999px; background: var(--card); border: 1px solid var(--line); font-size: 12px; white-space: nowrap; }

/* Cards */
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; margin-top: 16px; margin-bottom: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px 14px; box-shadow: 0 1px 2px rgba(15, 25, 45, 0.05); min-width: 0; container-type: inline-size; }
.card.wide { grid-column: 1 / -1; }
.card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 10px 16px; flex-wrap: wrap; margin-bottom: 12px; }
.card-head h2 { font-size: 15px; }
.sub { margin: 2px 0 0; font-size: 12.5px; color: var(--muted); }
.chart-box { position: relative; width: 100%; }
.size-s { height: 250px; } .size-m { height: 320px; } .size-l { height: 430px; }
.empty { margin: 0; padding: 30px 16px; text-align: center; color: var(--muted); border: 1px dashed var(--line); border-radius: 10px; }
.split { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.15fr); gap: 18px; align-items: center; }
.wide .split { grid-template-columns: minmax(0, 1fr) 340px; align-items: start; }
@container (max-width: 470px) {
  .split, .wide .split { grid-template-columns: minmax(0, 1fr); }
}

/* Legends, toggles, small figures */
.legend { display: flex; gap: 12px; font-size: 12.5px; color: var(--muted); }
.key { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.swatch { width: 10px; height: 10px; border-radius: 3px; flex: none; background: var(--c-other); }
.sw-tcp { background: var(--c-tcp); } .sw-udp { background: var(--c-udp); } .sw-icmp { background: var(--c-icmp); }
.sw-icmpv6 { background: var(--c-icmpv6); } .sw-other-ip { background: var(--c-other-ip); } .sw-arp { background: var(--c-arp); }
.toggle { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; padding: 2px; background: var(--bg); }
.toggle button { font: inherit; font-size: 12.5px; border: 0; background: transparent; color: var(--muted); padding: 4px 12px; border-radius: 6px; cursor: pointer; }
.toggle button[aria-pressed="true"] { background: var(--card); color: var(--fg); font-weight: 600; box-shadow: 0 1px 2px rgba(15, 25, 45, 0.12); }
.toggle button:focus-visible, .flows th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.minis { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; margin-top: 12px; }
.mini { background: var(--bg); border-radius: 8px; padding: 7px 10px; min-width: 0; }
.mini span { display: block; font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.mini strong { font-size: 15px; }
.stats { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 8px; }
.stat { background: var(--bg); border-radius: 10px; padding: 10px 12px; min-width: 0; }
.stat span { display: block; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.stat strong { display: block; font-size: 20px; margin-top: 2px; }
.stat small { display: block; color: var(--faint); font-size: 11.5px; }
.stat.hot strong { color: var(--bad); }
.breakdown { margin-top: 14px; }
.breakdown h3 { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin-bottom: 4px; }
.breakdown ul { list-style: none; margin: 0; padding: 0; }
.breakdown li { display: grid; grid-template-columns: minmax(0, 1fr) auto 52px; gap: 8px; padding: 4px 0; border-bottom: 1px solid var(--line); font-size: 13px; }
.breakdown li:last-child { border-bottom: 0; }
.breakdown li span { font-weight: 600; text-align: right; }
.breakdown li small { color: var(--faint); text-align: right; }
.breakdown li.hot code, .breakdown li.hot span { color: var(--bad); }

/* Tables */
.table-scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
.table-scroll.tall { max-height: 75vh; overflow-y: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; white-space: nowrap; }
.num { text-align: right; }
.mono { font-family: var(--mono); font-size: 12px; }
table.plain { font-size: 13px; }
table.plain th { font-size: 11.5px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; border-bottom: 1px solid var(--line); }
table.plain tbody th { font-size: 13px; color: var(--fg); text-transform: none; letter-spacing: 0; font-weight: 500; }
table.plain td { border-bottom: 1px solid var(--line); }
table.plain td:first-child { white-space: normal; overflow-wrap: anywhere; }
table.compact th, table.compact td { padding: 5px 6px; }
details.data { margin-top: 10px; font-size: 12.5px; }
details.data summary { cursor: pointer; color: var(--muted); width: max-content; }
details.data summary:hover { color: var(--accent); }
details.data[open] summary { margin-bottom: 6px; }
.flows { font-size: 13px; }
.flows thead th { position: sticky; top: 0; background: var(--card); border-bottom: 2px solid var(--line); padding: 0; }
.flows th button { all: unset; box-sizing: border-box; display: flex; gap: 4px; align-items: center; width: 100%; padding: 8px; cursor: pointer; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.flows th.num button { justify-content: flex-end; }
.flows th button:hover { color: var(--fg); }
.flows th[aria-sort="ascending"] button, .flows th[aria-sort="descending"] button { color: var(--accent); }
.arrow { display: inline-block; width: 10px; font-size: 9px; }
.flows th[aria-sort="none"] button:hover .arrow::after { content: "\\2195"; color: var(--faint); }
.flows th[aria-sort="ascending"] .arrow::after { content: "\\25B2"; }
.flows th[aria-sort="descending"] .arrow::after { content: "\\25BC"; }
.flows tbody tr { border-bottom: 1px solid var(--line); }
.flows tbody tr:nth-child(even) { background: color-mix(in srgb, var(--bg) 55%, transparent); }
.flows tbody tr:hover { background: var(--accent-soft); }
.table-status { margin: 8px 0 0; font-size: 12px; color: var(--faint); }
.filter input { font: inherit; font-size: 13px; width: 260px; max-width: 100%; padding: 6px 10px; border: 1px solid var(--line); border-radius: 8px; background: var(--bg); color: var(--fg); }
.filter input:focus { outline: 2px solid var(--accent); outline-offset: -1px; background: var(--card); }
.page-foot { padding-bottom: 28px; font-size: 12px; color: var(--faint); text-align: center; }

@media (max-width: 900px) {
  .grid { grid-template-columns: minmax(0, 1fr); }
}
@media (max-width: 560px) {
  .wrap { padding: 0 12px; }
  .file { font-size: 20px; }
  .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .tile-value { font-size: 18px; }
  .card { padding: 14px 12px 12px; }
  .minis { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .filter, .filter input { width: 100%; }
  .size-m { height: 300px; } .size-l { height: 380px; }
}
@media print {
  body { background: #fff; }
  .masthead { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .card, .tile { break-inside: avoid; box-shadow: none; }
  .filter, .toggle { display: none; }
}
`;
