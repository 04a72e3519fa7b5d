/** Loads the scripts the report inlines: the Chart.js UMD build and the page's own client.js. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

function cached(key: string, load: () => string): string {
  let value = cache.get(key);
  if (value === undefined) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

/**
 * `require.resolve('chart.js')` picks the package's "require" export, `dist/chart.cjs`; the UMD build
 * `dist/chart.umd.min.js` sits next to it. Walk up a few levels in case a release moves the entry point.
 */
function chartJsPath(): string {
  const entry = require.resolve('chart.js');
  let dir = dirname(entry);
  for (let i = 0; i < 3; i++) {
    for (const candidate of [join(dir, 'chart.umd.min.js'), join(dir, 'dist', 'chart.umd.min.js')]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error(`chart.umd.min.js not found near ${entry}`);
}

export function chartJsSource(): string {
  return cached('chart.js', () => readFileSync(chartJsPath(), 'utf8'));
}

export function clientSource(): string {
  return cached('client.js', () => readFileSync(new URL('./client.js', import.meta.url), 'utf8'));
}
