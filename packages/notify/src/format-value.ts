const SI_PREFIXES = ['', 'k', 'M', 'G', 'T', 'P'];
const BYTE_UNITS = new Map([
  ['B', ''],
  ['bytes', ''],
  ['B/s', '/s'],
  ['bytes/s', '/s'],
]);
const BIT_UNITS = new Map([
  ['bit', ''],
  ['bits', ''],
  ['bit/s', '/s'],
  ['bps', '/s'],
  ['b/s', '/s'],
]);

/**
 * A value with its unit, for people: byte and bit units scale with decimal SI prefixes (as network
 * rates are quoted: 1 MB/s = 10^6 B/s), "%" sticks to the number, any other unit follows it as given.
 */
export function formatValue(value: number, unit?: string): string {
  if (!Number.isFinite(value)) return unit ? `${String(value)} ${unit}` : String(value);
  const byteSuffix = unit === undefined ? undefined : BYTE_UNITS.get(unit);
  if (byteSuffix !== undefined) return `${scaled(value)}B${byteSuffix}`;
  const bitSuffix = unit === undefined ? undefined : BIT_UNITS.get(unit);
  if (bitSuffix !== undefined) return `${scaled(value)}bit${bitSuffix}`;
  if (unit === '%') return `${plainNumber(value)}%`;
  return unit ? `${plainNumber(value)} ${unit}` : plainNumber(value);
}

/** "72.4 M" for 72_412_345: three significant digits, then the prefix. */
function scaled(value: number): string {
  let magnitude = Math.abs(value);
  let prefix = 0;
  while (magnitude >= 999.5 && prefix < SI_PREFIXES.length - 1) {
    magnitude /= 1_000;
    prefix += 1;
  }
  const digits = Number((Math.sign(value) * magnitude).toPrecision(3));
  return `${digits} ${SI_PREFIXES[prefix]}`;
}

/** Integers as they are, fractions to at most three decimals (small ones to three significant digits). */
function plainNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) < 0.001) return String(Number(value.toPrecision(3)));
  return String(Number(value.toFixed(3)));
}
