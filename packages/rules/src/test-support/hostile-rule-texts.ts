import { readFileSync } from 'node:fs';
import { DEFAULT_RULES_FILE } from '../default-rules.js';
import { parseRuleSet, RULE_UPLOAD_LIMITS } from '../rule-file.js';

/** Hostile rule texts for the upload-limit tests (packages/rules and the alerter API's). */
const MAX_BYTES = RULE_UPLOAD_LIMITS.maxBytes!;

/** Ten levels of ten aliases each: 10^10 strings once expanded. */
export function aliasBomb(): string {
  let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let previous = 'a';
  for (const name of 'bcdefghij') {
    text += `${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]\n`;
    previous = name;
  }
  return `${text}rules: []\n`;
}

/** `head`, `item` repeated while the text stays within `bytes`, `tail`. */
function filled(head: string, item: string, tail: string, bytes = MAX_BYTES): string {
  const count = Math.floor((bytes - head.length - tail.length) / item.length);
  return head + item.repeat(count) + tail;
}

const tooComplex = (text: string) => {
  const result = parseRuleSet(text, 'request', RULE_UPLOAD_LIMITS);
  return (
    !result.ok && result.errors.some((error) => error.includes('YAML tokens') || error.includes('bytes, more than'))
  );
};

/** `head`, `item` repeated as often as the token limit lets through, `tail`: the costliest text of that shape that gets parsed. */
function justUnderTokenLimit(head: string, item: string, tail: string): string {
  const text = (count: number) => head + item.repeat(count) + tail;
  let [low, high] = [0, RULE_UPLOAD_LIMITS.maxTokens!];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (tooComplex(text(middle))) high = middle - 1;
    else low = middle;
  }
  return text(low);
}

/** The shipped rules, copied under new names until 32 KiB: the biggest realistic upload. */
export function realisticRules(): string {
  const rules = readFileSync(DEFAULT_RULES_FILE, 'utf8').split('\nrules:\n')[1];
  let text = 'rules:\n';
  for (let copy = 0; ; copy++) {
    const next = rules.replace(/name: (\S+)/g, `name: $1-${copy}`);
    if (text.length + next.length > MAX_BYTES) return text;
    text += next;
  }
}

/** The worst inputs found: each is at or just past one of the limits. */
/** The worst inputs found: each is at or just past one of the limits. */
export const HOSTILE_RULE_TEXTS: Record<string, () => string> = {
  'alias bomb': aliasBomb,
  'deep flow nesting': () => `rules: ${'['.repeat(4000)}${']'.repeat(4000)}`,
  'deep flow nesting, 32 KiB': () => `rules: ${'['.repeat(MAX_BYTES / 2 - 8)}${']'.repeat(MAX_BYTES / 2 - 8)}`,
  'deep block nesting': () => `rules:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')}`,
  'deep compact sequences': () => `rules: ${'- '.repeat(MAX_BYTES / 2 - 8)}`,
  '32 KiB flow sequence of numbers': () => filled('rules: [', '1,', '1]'),
  'flow sequence of numbers under the token limit': () => justUnderTokenLimit('rules: [', '1,', '1]'),
  'block sequence under the token limit': () => justUnderTokenLimit('rules:\n', '- 1\n', ''),
  'keys of one mapping under the token limit': () =>
    justUnderTokenLimit('rules: []\n', 'k: v\n', '').replace(/k: v/g, (_, at: number) => `k${at}: v`),
  'duplicate keys under the token limit': () => justUnderTokenLimit('rules: []\n', 'k: v\n', ''),
  'empty rules under the token limit': () => justUnderTokenLimit('rules: [', '{},', '{}]'),
  'rules without a kind under the token limit': () => justUnderTokenLimit('rules:\n', '- name: x\n', ''),
  'anchors under the token limit': () => justUnderTokenLimit('rules: [', '&a 1,', '1]'),
  'aliases under the token limit': () => justUnderTokenLimit('rules: [&a 1,', '*a,', '1]'),
  'one long comment line': () => `rules: [] #${'x'.repeat(MAX_BYTES - 20)}\nx: 1`,
  'escaped double-quoted string': () => `rules: []\nx: "${'\\u0041'.repeat((MAX_BYTES - 20) / 6)}"`,
  'over 32 KiB': () => `rules: []\n#${'x'.repeat(MAX_BYTES)}`,
  'over 32 KiB in multi-byte characters': () => `rules: []\n#${'é'.repeat(MAX_BYTES / 2 + 1)}`,
};
