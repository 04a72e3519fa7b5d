// `pnpm wirewatch ...`: runs the CLI bundle, first rebuilding it if its sources changed since it was
// built (a content hash: a few milliseconds when nothing changed), so it never runs stale code. A
// rebuild goes to a new directory and never touches files another process may be loading
// (scripts/build-cli.mjs).
import { pathToFileURL } from 'node:url';
import { buildCli } from './build-cli.mjs';

const bundle = await buildCli();
await import(pathToFileURL(bundle).href);
