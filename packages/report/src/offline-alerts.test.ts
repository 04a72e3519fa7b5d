import { DecodedPacket, decodeRecord, openCaptureFile } from '@wirewatch/packet';
import { buildSummaryMessage, decodeSummaryForStorage, encodeMessage, summarySubject } from '@wirewatch/protocol';
import {
  DEFAULT_RULES_FILE,
  RULE_TOP_N,
  RuleEngine,
  loadRuleFile,
  type AlertTransition,
  type RuleSet,
} from '@wirewatch/rules';
import { IntervalSummarizer, SketchSummarizer } from '@wirewatch/traffic';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateRulesOnCapture, offlineAlertOf } from './offline-alerts.js';

const LAB = fileURLToPath(new URL('../../../samples/lab.pcap', import.meta.url));

function defaultRules(): RuleSet {
  const loaded = loadRuleFile(DEFAULT_RULES_FILE);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.ruleSet;
}

/**
 * The alerter's side, written out: a sensor replaying the capture publishes each interval's message,
 * the alerter decodes the bytes (reading RULE_TOP_N entries off each sketch) and judges them.
 */
function alerterOnReplay(path: string, ruleSet: RuleSet): AlertTransition[] {
  const published: Array<{ bytes: Uint8Array; start: number; end: number }> = [];
  let seq = 0;
  const sensor = new IntervalSummarizer(new SketchSummarizer(), {
    clock: 'packets',
    intervalMs: 1000,
    onClose: ({ start, end, late, summarizer }) => {
      const meta = {
        sensor: 'offline',
        run: 'offline',
        seq: ++seq,
        interface: 'lab.pcap',
        start,
        end,
        emitted: end,
        kernelDropped: 0,
        late,
      };
      published.push({ bytes: encodeMessage(buildSummaryMessage(summarizer, meta)), start, end });
    },
  });
  const reader = openCaptureFile(path);
  const d = new DecodedPacket();
  while (reader.next()) {
    decodeRecord(d, reader);
    sensor.add(d);
  }
  reader.close();
  sensor.finish();
  const engine = new RuleEngine(ruleSet, { now: published[0].start });
  const out: AlertTransition[] = [];
  for (const { bytes, end } of published) {
    const decoded = decodeSummaryForStorage(bytes, RULE_TOP_N, summarySubject('offline'));
    if (!decoded.ok) throw new Error(decoded.rejection.detail);
    out.push(...engine.observeSummary(decoded.message, decoded.view.top, end), ...engine.tick(end));
  }
  out.push(...engine.tick(published.at(-1)!.end + 5000));
  return out;
}

describe('analyze --rules', () => {
  it('judges a capture as the alerter judges the summaries a replaying sensor publishes', () => {
    const ruleSet = defaultRules();
    const offline = evaluateRulesOnCapture(LAB, ruleSet, { interface: 'lab.pcap' });
    const online = alerterOnReplay(LAB, ruleSet);
    expect(offline.map((a) => a.rule)).toContain('port-scan');
    expect(offline).toEqual(online.map(offlineAlertOf));
  });
});
