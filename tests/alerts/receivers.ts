// Moved to the lab package, whose mail catcher and webhook receiver are these.
export * from '../../packages/lab/src/receivers.js';
