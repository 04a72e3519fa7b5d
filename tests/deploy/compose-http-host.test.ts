/**
 * Where each service's HTTP server listens in the compose lab: the alerter's API must be reachable
 * through its published port (so every interface inside its container) while that port stays on the
 * host's loopback; the sensor, on the host's network, listens on loopback only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { alerterConfigSchema } from '@wirewatch/alerter';
import { collectorConfigSchema } from '@wirewatch/collector';
import { sensorConfigSchema } from '@wirewatch/sensor';
import { httpConfigSchema, loadConfig } from '@wirewatch/service';
import { composeConfig, hasDockerCompose, type ComposeConfig } from './compose.js';

describe.skipIf(!hasDockerCompose())('compose: HTTP listen addresses (docker-compose config, no engine)', () => {
  let configs: [string, ComposeConfig][];
  beforeAll(() => {
    configs = [
      ['lab', composeConfig(['docker-compose.yml'])],
      ['lab + cluster', composeConfig(['docker-compose.yml', 'docker-compose.cluster.yml'])],
    ];
  });

  it('the alerter listens on every interface of its container, its API published on the host loopback only', () => {
    for (const [name, config] of configs) {
      const alerter = config.services.alerter;
      expect(alerterConfigSchema.parse({}).http.host, 'the default').toBe('127.0.0.1');
      expect(loadConfig(alerterConfigSchema, { env: alerter.environment }).http.host, name).toBe('0.0.0.0');
      expect(alerter.ports, name).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+:9103/)]);
    }
  });

  it('the collector keeps its default (every interface: probes and metrics only), the sensor on the host network binds loopback', () => {
    expect(httpConfigSchema(9101).parse({}).host, "the sensor's default").toBe('0.0.0.0');
    for (const [name, config] of configs) {
      expect(loadConfig(collectorConfigSchema, { env: config.services.collector.environment }).http.host, name).toBe(
        '0.0.0.0',
      );
      const sensorEnv = { ...config.services.sensor.environment, WIREWATCH_SPOOL_DIR: '/tmp' };
      expect(loadConfig(sensorConfigSchema, { env: sensorEnv }).http.host, name).toBe('127.0.0.1');
    }
  });
});
