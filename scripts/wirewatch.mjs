// `pnpm wirewatch ...`: rebuilds the CLI bundle (a fraction of a second) so it never runs stale code, then runs it.
import { pathToFileURL } from 'node:url';
import { buildCli } from './build-cli.mjs';

const bundle = await buildCli();
await import(pathToFileURL(bundle).href);
