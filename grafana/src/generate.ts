import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { alerts } from './dashboards/alerts.js';
import { sensorHealth } from './dashboards/sensor-health.js';
import { trafficOverview } from './dashboards/traffic-overview.js';

/** Every dashboard, by the file name it is provisioned from. */
export function dashboards(): Record<string, Dashboard> {
  return {
    'traffic-overview.json': trafficOverview(),
    'sensor-health.json': sensorHealth(),
    'alerts.json': alerts(),
  };
}

/** Stable panel ids (Grafana keys links and edits by them) in layout order. */
function numberPanels(dashboard: Dashboard): Dashboard {
  let id = 0;
  const visit = (panels: Array<Panel | RowPanel> | undefined) => {
    for (const panel of panels ?? []) {
      panel.id = ++id;
      if (panel.type === 'row') visit((panel as RowPanel).panels);
    }
  };
  visit(dashboard.panels);
  return dashboard;
}

/** The JSON files as they are committed under grafana/dashboards. */
export function renderDashboards(): Map<string, string> {
  return new Map(
    Object.entries(dashboards()).map(([file, d]) => [file, `${JSON.stringify(numberPanels(d), null, 2)}\n`]),
  );
}

export function writeDashboards(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, json] of renderDashboards()) {
    writeFileSync(join(dir, file), json);
    written.push(join(dir, file));
  }
  return written;
}

/** Files in `dir` that are missing, differ from the code, or are no longer generated. */
export function staleDashboards(dir: string): string[] {
  const rendered = renderDashboards();
  const stale: string[] = [];
  for (const [file, json] of rendered) {
    let committed: string | undefined;
    try {
      committed = readFileSync(join(dir, file), 'utf8');
    } catch {
      committed = undefined;
    }
    if (committed !== json) stale.push(file);
  }
  for (const file of readdirSync(dir)) if (file.endsWith('.json') && !rendered.has(file)) stale.push(file);
  return stale;
}
