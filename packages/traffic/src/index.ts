export * from './summary.js';
export type { SketchedSummary, TrafficSummarizer } from './summarizer.js';
export { ExactSummarizer } from './exact-summarizer.js';
export { SketchSummarizer, type SketchOptions } from './sketch-summarizer.js';
export {
  DISTINCT_SKETCHES,
  SketchSet,
  TOP_SKETCHES,
  TOP_SKETCH_KEY_WORDS,
  type DistinctSketchName,
  type SketchShape,
  type TopSketchName,
} from './sketch-set.js';
export {
  IntervalSummarizer,
  type ClockStep,
  type ClosedInterval,
  type IntervalClock,
  type IntervalOptions,
} from './interval-summarizer.js';
export * from './sketch/index.js';
export { Timeline, type TimelinePoint } from './timeline.js';
export { BasicCounters } from './basic-counters.js';
export { FlowTable, type Flow } from './flow-table.js';
export { DnsNameCounter, nameToString, qtypeName, rcodeName } from './dns-names.js';
export { KeyTable } from './table/key-table.js';
export { rankIds, type CompareIds } from './table/rank-ids.js';
export {
  CLASS_ARP,
  CLASS_COUNT,
  CLASS_ICMP,
  CLASS_ICMPV6,
  CLASS_OTHER,
  CLASS_OTHER_IP,
  CLASS_TCP,
  CLASS_UDP,
  PROTOCOL_CLASSES,
  classify,
} from './protocol-class.js';
export {
  ADDRESS_WORDS,
  CONVERSATION_KEY_WORDS,
  DNS_NAME_KEY_WORDS,
  FLOW_KEY_WORDS,
  FLOW_KEY_WORDS_V4,
  PORT_KEY_WORDS,
  SOURCE_KEY_WORDS,
  conversationLabel,
  dnsNameKey,
  forEachRanked,
  keyHex,
  portLabel,
  topListsOf,
  writeFlowKey,
  type TopHitters,
} from './key-layout.js';
export { emptyClassRecord } from './protocol-class.js';
export { FanoutCounter } from './fanout-counter.js';
