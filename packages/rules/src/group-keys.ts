/**
 * The group of a rule: its labels (from `group_by`, plus the entity label some kinds add) and the
 * dedup key `rule{label="value",...}` built from them, labels in name order.
 */
export class GroupKeys {
  readonly names: readonly string[];

  /** `extraLabel`: the label whose value is not the sensor or the interface (source, port, host ...). */
  constructor(
    readonly rule: string,
    labels: readonly string[],
    private readonly extraLabel: string | null = null,
  ) {
    const all = extraLabel !== null && !labels.includes(extraLabel) ? [...labels, extraLabel] : [...labels];
    this.names = all.sort();
  }

  // The last key built: every rule grouping alike asks for the same one per summary.
  private lastSensor: string | null = null;
  private lastIface = '';
  private lastExtra = '';
  private lastKey = '';

  key(sensor: string, iface: string, extra = ''): string {
    if (sensor === this.lastSensor && iface === this.lastIface && extra === this.lastExtra) return this.lastKey;
    let key = `${this.rule}{`;
    for (let i = 0; i < this.names.length; i++) {
      key += `${i === 0 ? '' : ','}${this.names[i]}=${JSON.stringify(this.valueOf(this.names[i], sensor, iface, extra))}`;
    }
    key += '}';
    this.lastSensor = sensor;
    this.lastIface = iface;
    this.lastExtra = extra;
    this.lastKey = key;
    return key;
  }

  labels(sensor: string, iface: string, extra = ''): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const name of this.names) labels[name] = this.valueOf(name, sensor, iface, extra);
    return labels;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  private valueOf(name: string, sensor: string, iface: string, extra: string): string {
    if (name === 'sensor') return sensor;
    if (name === 'interface') return iface;
    return name === this.extraLabel ? extra : '';
  }
}
