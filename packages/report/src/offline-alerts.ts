import { DecodedPacket, decodeRecord, openCaptureFile } from '@wirewatch/packet';
import { SummarySketches, buildSummaryMessage } from '@wirewatch/protocol';
import { RuleEngine, type AlertTransition, type RuleSet } from '@wirewatch/rules';
import { IntervalWindow, SketchSummarizer } from '@wirewatch/traffic';

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

/** Top entries read per list for the rules, as the alerter does. */
const TOP_FOR_RULES = 50;

/**
 * Runs a rule set over a capture as a sensor and the alerter would have seen it: the packets are
 * summarized per interval of their recorded time (the sensor's summarizer and message), and the
 * same rule engine judges each summary at the interval's end. Heartbeats do not exist offline, so
 * absence rules on heartbeats stay quiet.
 */
export function evaluateRulesOnCapture(path: string, ruleSet: RuleSet, options: OfflineRulesOptions = {}): OfflineAlert[] {
  const intervalMs = Math.round((options.intervalSeconds ?? 1) * 1000);
  const sensor = options.sensor ?? 'offline';
  const iface = options.interface ?? path.split('/').pop() ?? path;
  const reader = openCaptureFile(path);
  const summarizer = new SketchSummarizer();
  const d = new DecodedPacket();
  const out: OfflineAlert[] = [];
  const window = new IntervalWindow(intervalMs);
  let engine: RuleEngine | undefined;
  let seq = 0;
  const close = () => {
    const { start, end, late } = window;
    const message = buildSummaryMessage(summarizer, { sensor, run: 'offline', seq: ++seq, interface: iface, start, end, emitted: end, kernelDropped: 0, late });
    engine ??= new RuleEngine(ruleSet, { now: start });
    collect(engine.observeSummary(message, SummarySketches.fromSummarizer(summarizer).topLists(TOP_FOR_RULES), end), out);
    collect(engine.tick(end), out);
    summarizer.reset();
  };
  try {
    while (reader.next()) {
      const t = reader.timestamp * 1000;
      if (!window.isOpen) window.openAt(t);
      else if (t >= window.end) {
        close();
        window.openAt(t);
      } else if (t < window.start) window.late++;
      decodeRecord(d, reader);
      summarizer.add(d);
    }
    if (window.isOpen) {
      const end = window.end;
      close();
      // Let groups that wait for the settle time be judged, as the alerter's clock would.
      collect(engine!.tick(end + 5000), out);
    }
  } finally {
    reader.close();
  }
  return out;
}

function collect(transitions: AlertTransition[], out: OfflineAlert[]): void {
  for (const t of transitions) {
    out.push({
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
    });
  }
}
