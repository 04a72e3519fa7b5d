import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DashboardLinkType, VariableType } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DATASOURCE_UID, dashboards, renderDashboards, staleDashboards } from './index.js';

const GRAFANA = fileURLToPath(new URL('..', import.meta.url));

interface PanelJson {
  type: string;
  id: number;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ query: string }>;
  panels?: PanelJson[];
  fieldConfig?: { defaults?: { unit?: string } };
}

function panelsOf(dashboard: { panels?: PanelJson[] }): PanelJson[] {
  return (dashboard.panels ?? []).flatMap((p) => (p.type === 'row' ? [p, ...(p.panels ?? [])] : [p]));
}

describe('generated dashboards', () => {
  it('are committed exactly as the code generates them (else: pnpm wirewatch dashboards)', () => {
    expect(staleDashboards(join(GRAFANA, 'dashboards'))).toEqual([]);
  });

  it('name the data source through the variable, filter on the time range, and set a unit on every panel that shows numbers', () => {
    for (const [file, json] of renderDashboards()) {
      const dashboard = JSON.parse(json) as { uid: string; panels: PanelJson[] };
      const panels = panelsOf(dashboard).filter((p) => p.type !== 'row');
      expect(panels.length, file).toBeGreaterThan(3);
      expect(new Set(panelsOf(dashboard).map((p) => p.id)).size, file).toBe(panelsOf(dashboard).length);
      expect(new Set(panels.map((p) => p.title)).size, `${file}: titles are unique`).toBe(panels.length);
      for (const panel of panels) {
        expect(panel.datasource?.uid, `${file} ${panel.title}`).toBe('${datasource}');
        expect(panel.targets?.length, `${file} ${panel.title}`).toBeGreaterThan(0);
        for (const t of panel.targets ?? []) expect(t.query, `${file} ${panel.title}`).toContain('$timeFilter');
        if (panel.type !== 'table') expect(panel.fieldConfig?.defaults?.unit, `${file} ${panel.title}`).toBeTruthy();
      }
    }
  });

  it('link to each other and have distinct uids', () => {
    const all = Object.values(dashboards());
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all)
      expect(d.links?.some((l) => l.type === DashboardLinkType.Dashboards && l.tags?.includes('wirewatch'))).toBe(true);
    for (const d of all) expect(d.tags).toContain('wirewatch');
  });

  it('match the provisioned data source uid and dashboard path', () => {
    const ds = parse(readFileSync(join(GRAFANA, 'provisioning/datasources/wirewatch.yaml'), 'utf8')) as {
      datasources: Array<{ uid: string; type: string; jsonData: { version: string } }>;
    };
    expect(ds.datasources[0]).toMatchObject({
      uid: DATASOURCE_UID,
      type: 'influxdb',
      jsonData: { version: 'InfluxQL' },
    });
    for (const d of Object.values(dashboards())) {
      const variable = d.templating?.list?.find((v) => v.type === VariableType.Datasource);
      expect(variable?.current?.value).toBe(DATASOURCE_UID);
    }
    const providers = parse(readFileSync(join(GRAFANA, 'provisioning/dashboards/wirewatch.yaml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(providers.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
  });
});
