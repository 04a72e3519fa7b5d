#!/usr/bin/env node
import { buildProgram } from './program.js';
import { reportFatal } from './fatal.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => reportFatal(error));
