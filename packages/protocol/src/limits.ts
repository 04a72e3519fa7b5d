import { DECODE_ERROR_REASONS } from '@wirewatch/packet';
import { BasicCounters, HLL_MAX_PRECISION, HLL_MIN_PRECISION, qtypeName, rcodeName } from '@wirewatch/traffic';

/**
 * What a sensor can put in a message, as limits a consumer checks before it trusts (or allocates
 * for) anything a message declares. The sketch sizes are also the range a sensor's `sketch` and the
 * collector's `fleet.sketch` settings accept (sketch-settings.ts takes them from here), so a sensor
 * cannot be configured to send sketches the consumers refuse; the capacity is far below what the
 * format could express (2^24 counters), the precision is the HyperLogLog format's own range.
 */
export const SKETCH_MAX_CAPACITY = 65536;
export const SKETCH_MIN_PRECISION = HLL_MIN_PRECISION;
export const SKETCH_MAX_PRECISION = HLL_MAX_PRECISION;

/**
 * The sketch sizes a sensor uses unless configured otherwise (`sketch.capacity`, `sketch.precision`),
 * and the shape the collector's fleet merge expects unless configured otherwise (`fleet.sketch`).
 */
export const DEFAULT_SKETCH_SHAPE = { capacity: 512, precision: 12 } as const;

/** Key words of each top-list sketch (traffic's table): fixed by the key layout, so any other value is forged. */
export { TOP_SKETCH_KEY_WORDS } from '@wirewatch/traffic';

/** Where names outside the known sets are counted (their counts are kept, their names are not). */
export const OTHER_NAME = 'other';

/** Decode-error reasons the packet decoder reports ('none' is not an error). */
export const DECODE_ERROR_NAMES: ReadonlySet<string> = new Set(DECODE_ERROR_REASONS.filter((r) => r !== 'none'));

/** DNS response codes as the sensor names them (4-bit header field). */
export const RCODE_NAMES: ReadonlySet<string> = new Set(Array.from({ length: 16 }, (_, code) => rcodeName(code)));

/** True for a DNS query type as the sensor names it: a mnemonic or TYPE<n>, n a 16-bit number. */
export function isQtypeName(name: string): boolean {
  const numbered = /^TYPE(0|[1-9][0-9]{0,4})$/.exec(name);
  if (numbered) return Number(numbered[1]) < 65536 && qtypeName(Number(numbered[1])) === name;
  return mnemonics().has(name);
}

let qtypeMnemonics: ReadonlySet<string> | undefined;

function mnemonics(): ReadonlySet<string> {
  if (qtypeMnemonics === undefined) {
    const names = new Set<string>();
    for (let type = 0; type < 65536; type++) {
      const name = qtypeName(type);
      if (!name.startsWith('TYPE')) names.add(name);
    }
    qtypeMnemonics = names;
  }
  return qtypeMnemonics;
}

let sizeBuckets: ReadonlyArray<number | null> | undefined;

/**
 * The frame-size buckets a sensor reports, in order (upper bounds, null for the last): each becomes
 * an InfluxDB field (`size_le_<n>`), so a message may use only these.
 */
export function packetSizeBuckets(): ReadonlyArray<number | null> {
  sizeBuckets ??= new BasicCounters().fill().packet_sizes.map((b) => b.le);
  return sizeBuckets;
}

/** Counts by name with the unknown names folded into `other`: a message cannot invent field names. */
export function foldUnknownNames(
  counts: Record<string, number>,
  known: (name: string) => boolean,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(counts)) {
    const key = known(name) ? name : OTHER_NAME;
    out[key] = (out[key] ?? 0) + n;
  }
  return out;
}
