export * from './writer-exports.js';
export * from './schema-exports.js';
