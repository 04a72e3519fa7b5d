/**
 * YAML files whose problems can be reported at their line: the config files of the services and the
 * alert rule files. Its own package so that the rule engine need not load the service kit to use it.
 */
export { parseLocatedYaml, type LocatedYaml } from './located-yaml.js';
export type { YamlLimits } from './yaml-limits.js';
