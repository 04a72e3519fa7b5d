import type { DecodedPacket } from '@wirewatch/packet';
import { CLASS_COUNT, PROTOCOL_CLASSES, emptyClassRecord } from './protocol-class.js';
import type { Counter, ProtocolClass } from './summary.js';

export interface TimelinePoint {
  start: number;
  packets: number;
  bytes: number;
  protocols: Record<ProtocolClass, Counter>;
}

const ROW = 2 + CLASS_COUNT * 2;

/** Packets and bytes per class per fixed interval; rows are made only for intervals that saw traffic. */
export class Timeline {
  /** Earliest and latest timestamps counted (Infinity and -Infinity before the first). */
  first = Number.POSITIVE_INFINITY;
  last = Number.NEGATIVE_INFINITY;
  private readonly rows = new Map<number, Float64Array>();
  private lastIndex = Number.NaN;
  private lastRow: Float64Array = new Float64Array(ROW);

  constructor(readonly intervalSeconds: number) {
    if (!(intervalSeconds > 0)) throw new RangeError('interval must be a positive number of seconds');
  }

  /** Counts a decoded frame (its timestamp and wire length) under class `cls`. */
  add(d: DecodedPacket, cls: number): void {
    const wireLength = d.wireLength;
    const timestamp = d.timestamp;
    if (timestamp < this.first) this.first = timestamp;
    if (timestamp > this.last) this.last = timestamp;
    const index = Math.floor(timestamp / this.intervalSeconds);
    let row = this.lastRow;
    if (index !== this.lastIndex) {
      let found = this.rows.get(index);
      if (found === undefined) {
        found = new Float64Array(ROW);
        this.rows.set(index, found);
      }
      row = this.lastRow = found;
      this.lastIndex = index;
    }
    row[0]++;
    row[1] += wireLength;
    row[2 + cls * 2]++;
    row[3 + cls * 2] += wireLength;
  }

  points(): TimelinePoint[] {
    return [...this.rows.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, row]) => {
        const protocols = emptyClassRecord(() => ({ packets: 0, bytes: 0 }));
        PROTOCOL_CLASSES.forEach((name, i) => {
          protocols[name] = { packets: row[2 + i * 2], bytes: row[3 + i * 2] };
        });
        return { start: round6(index * this.intervalSeconds), packets: row[0], bytes: row[1], protocols };
      });
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
