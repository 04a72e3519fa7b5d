export * from './summary.js';
export type { TrafficSummarizer } from './summarizer.js';
export { ExactSummarizer } from './exact-summarizer.js';
export { SketchSummarizer, type SketchOptions } from './sketch-summarizer.js';
export * from './sketch/index.js';
export { Timeline, type TimelinePoint } from './timeline.js';
export { BasicCounters } from './basic-counters.js';
export { FlowTable, type Flow } from './flow-table.js';
export { DnsNameCounter, dnsNameKey, nameToString, qtypeName, rcodeName } from './dns-names.js';
export { KeyTable } from './table/key-table.js';
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
  CONVERSATION_KEY_WORDS,
  DNS_NAME_KEY_WORDS,
  PORT_KEY_WORDS,
  SOURCE_KEY_WORDS,
  conversationList,
  conversationsOf,
  hostList,
  hostsOf,
  keyHex,
  portList,
  portsOf,
} from './sketch-lists.js';
export { emptyClassRecord } from './protocol-class.js';
export { FanoutCounter, type FanoutEntry } from './fanout-counter.js';
export { IntervalWindow, type WindowStep } from './interval-window.js';
