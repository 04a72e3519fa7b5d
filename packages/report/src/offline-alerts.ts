import { DecodedPacket, decodeRecord, openCaptureFile } from '@wirewatch/packet';
import { buildSummaryMessage } from '@wirewatch/protocol';
import { RULE_TOP_N, RuleEngine, type AlertTransition, type RuleSet } from '@wirewatch/rules';
import { IntervalSummarizer, SketchSummarizer } from '@wirewatch/traffic';

/** An alert transition the rules would have produced on the capture, in the capture's own time. */
export interface OfflineAlert {
  rule: string;
  state: 'pending' | 'firing' | 'resolved';
  severity: string;
  dedup_key: string;
  labels: Record<string, string>;
  value: number | null;
  threshold: number | null;
  /** ISO times (capture time): when the incident started, and of this transition. */
  since: string;
  at: string;
  silenced: boolean;
  repeat: boolean;
}

export interface OfflineRulesOptions {
  intervalSeconds?: number;
  /** Labels the summaries carry as the sensor and the interface (default "offline" and the file name). */
  sensor?: string;
  interface?: string;
}

/**
 * Runs a rule set over a capture as a sensor and the alerter would have seen it: the packets are
 * summarized per interval of their recorded time by the sensor's own IntervalSummarizer (clock
 * 'packets', as a sensor replaying the file), each interval becomes the sensor's message, and the
 * same rule engine judges it, with as many top entries as the alerter reads (RULE_TOP_N), at the
 * interval's end. Heartbeats do not exist offline, so absence rules on heartbeats stay quiet.
 */
export function evaluateRulesOnCapture(
  path: string,
  ruleSet: RuleSet,
  options: OfflineRulesOptions = {},
): OfflineAlert[] {
  const sensor = options.sensor ?? 'offline';
  const iface = options.interface ?? path.split('/').pop() ?? path;
  const out: OfflineAlert[] = [];
  let engine: RuleEngine | undefined;
  let seq = 0;
  let lastEnd: number | undefined;
  const intervals = new IntervalSummarizer(new SketchSummarizer(), {
    clock: 'packets',
    intervalMs: Math.round((options.intervalSeconds ?? 1) * 1000),
    onClose: ({ start, end, late, summarizer }) => {
      const message = buildSummaryMessage(summarizer, {
        sensor,
        run: 'offline',
        seq: ++seq,
        interface: iface,
        start,
        end,
        emitted: end,
        kernelDropped: 0,
        late,
      });
      engine ??= new RuleEngine(ruleSet, { now: start });
      collect(engine.observeSummary(message, summarizer.view(RULE_TOP_N).top, end), out);
      collect(engine.tick(end), out);
      lastEnd = end;
    },
  });
  const reader = openCaptureFile(path);
  const d = new DecodedPacket();
  try {
    while (reader.next()) {
      decodeRecord(d, reader);
      intervals.add(d);
    }
    intervals.finish();
    // Let groups that wait for the settle time be judged, as the alerter's clock would.
    if (engine !== undefined && lastEnd !== undefined) collect(engine.tick(lastEnd + 5000), out);
  } finally {
    reader.close();
  }
  return out;
}

function collect(transitions: AlertTransition[], out: OfflineAlert[]): void {
  for (const t of transitions) out.push(offlineAlertOf(t));
}

/** A transition as the report lists it (snake_case, ISO times). */
export function offlineAlertOf(t: AlertTransition): OfflineAlert {
  return {
    rule: t.rule,
    state: t.state,
    severity: t.severity,
    dedup_key: t.dedupKey,
    labels: t.labels,
    value: t.value,
    threshold: t.threshold,
    since: new Date(t.since).toISOString(),
    at: new Date(t.at).toISOString(),
    silenced: t.silenced,
    repeat: t.repeat,
  };
}
