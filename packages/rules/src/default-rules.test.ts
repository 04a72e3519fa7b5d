import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE } from './default-rules.js';
import { RuleEngine } from './engine.js';
import { METRIC_NAMES } from './metrics.js';
import { loadRuleFile } from './rule-file.js';
import { RULE_KINDS, type RuleSet } from './rule-schema.js';
import { heartbeat, NO_TOP, summaryAt } from './testing/summaries.js';

const DOC = fileURLToPath(new URL('../../../docs/alert-rules.md', import.meta.url));

function defaults(): RuleSet {
  const result = loadRuleFile(DEFAULT_RULES_FILE);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.ruleSet;
}

describe('default rules', () => {
  it('load and validate; the noisy first-seen rules ship disabled', () => {
    const set = defaults();
    expect(set.rules.map((r) => `${r.name}${r.enabled ? '' : ' (off)'}`)).toEqual([
      'bandwidth-spike',
      'bandwidth-high',
      'port-scan',
      'host-sweep',
      'dns-nxdomain-share',
      'tcp-syn-unanswered',
      'sensor-silent',
      'sensor-drops',
      'decode-error-burst',
      'new-dns-domain (off)',
      'new-listening-port (off)',
    ]);
    for (const rule of set.rules) expect(rule.description, rule.name).toBeTruthy();
  });

  it('fire on what they describe: a silent sensor, a port scan, a host sweep, a burst of drops', () => {
    const engine = new RuleEngine(defaults(), { now: 0 });
    engine.observeHeartbeat(heartbeat('edge-1', 0), 0);
    expect(engine.tick(61_000).map((t) => t.rule)).toEqual(['sensor-silent']);
    const scan = summaryAt(0, {
      packets: 20_000,
      fanout: [
        { ip: '10.0.0.66', ports: 1000, destinations: 1 },
        { ip: '10.0.0.70', ports: 1, destinations: 500 },
      ],
    });
    // Grouped per sensor interface and source: judged the moment the summary arrives.
    expect(engine.observeSummary(scan, NO_TOP, 62_000).map((t) => `${t.rule} ${t.group.source}`)).toEqual([
      'port-scan 10.0.0.66',
      'host-sweep 10.0.0.70',
    ]);
    const fired: string[] = [];
    for (let i = 1; i <= 70; i++) {
      const s = summaryAt(i * 1000, { packets: 19_000, kernelDropped: 1000 });
      fired.push(
        ...engine
          .observeSummary(s, NO_TOP, 64_000 + i * 1000)
          .filter((t) => t.state === 'firing')
          .map((t) => t.rule),
      );
    }
    expect(fired).toContain('sensor-drops');
  });

  it('are documented, with every kind and every metric', () => {
    // Table cells escape "|" as "\\|".
    const doc = readFileSync(DOC, 'utf8').replaceAll('\\|', '|');
    for (const rule of defaults().rules) expect(doc, rule.name).toContain(`\`${rule.name}\``);
    for (const kind of RULE_KINDS) expect(doc, kind).toContain(`### \`${kind}\``);
    for (const metric of METRIC_NAMES) expect(doc, metric).toContain(`\`${metric}\``);
  });
});
