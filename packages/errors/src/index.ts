/** The one base class of wirewatch's expected failures: `new WirewatchError('config', 'one line')`. */
export { WirewatchError, type WirewatchErrorCode } from './wirewatch-error.js';
