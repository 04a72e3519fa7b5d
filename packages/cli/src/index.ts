/** What other code (tests that run the CLI's pieces in-process) uses of the CLI; the program itself is bin.ts. */
export { UsageError } from './fatal.js';
export { makeSensorCredentials, type SensorCredentials } from './commands/credentials-sensor.js';
