#!/usr/bin/env node
import { buildProgram } from './program.js';
import { reportFatal } from './fatal.js';
import { endQuietlyWhenOutputCloses } from './output.js';

endQuietlyWhenOutputCloses();

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => reportFatal(error));
