import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';

/** Green below `warn`, orange from `warn`, red from `critical`. */
export function badAbove(warn: number, critical: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: warn, color: 'orange' },
    { value: critical, color: 'red' },
  ]);
}

/** A neutral colour for values that are neither good nor bad. */
export function neutral(): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'blue' }]);
}
