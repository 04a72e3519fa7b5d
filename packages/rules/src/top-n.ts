/**
 * Entries of each top list a summary hands the rule engine: keyed metrics (per source, port, ...)
 * see at most these. The alerter and `analyze --rules` both read this many, so they judge alike.
 */
export const RULE_TOP_N = 50;
