import { PROTOCOL_CLASSES, type AnalysisReport } from '@wirewatch/report';

/** The short human summary printed when no output file was asked for. */
export function printSummary(report: AnalysisReport): void {
  const lines: string[] = [];
  const c = report.capture;
  lines.push(`${c.file} (${c.format}, ${c.link_types.join(', ') || 'no interfaces'})`);
  lines.push(`  ${report.packets} packets, ${report.bytes} bytes over ${c.duration_seconds.toFixed(3)} s`);
  lines.push('  protocols:');
  for (const name of PROTOCOL_CLASSES) {
    const p = report.protocols[name];
    if (p.packets > 0)
      lines.push(`    ${name.padEnd(9)} ${String(p.packets).padStart(10)} pkts ${String(p.bytes).padStart(14)} bytes`);
  }
  if (report.top_sources.length > 0) {
    lines.push('  top sources:');
    for (const h of report.top_sources)
      lines.push(`    ${h.ip.padEnd(40)} ${String(h.packets).padStart(10)} pkts ${String(h.bytes).padStart(14)} bytes`);
  }
  if (report.decode_errors.total > 0)
    lines.push(
      `  decode errors: ${report.decode_errors.total} (${Object.entries(report.decode_errors.by_reason)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
  if (report.alerts !== undefined) {
    const shown = report.alerts.filter((a) => a.state !== 'pending');
    lines.push(shown.length === 0 ? '  alerts: none would have fired' : '  alerts (capture time):');
    for (const a of shown) {
      const where = Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      lines.push(
        `    ${a.at}  ${a.state.toUpperCase().padEnd(8)} ${a.rule} (${a.severity}) ${where} value ${a.value ?? '-'} threshold ${a.threshold ?? '-'}`,
      );
    }
  }
  lines.push('  (use --json, --csv or --html for the full report)');
  process.stdout.write(lines.join('\n') + '\n');
}
