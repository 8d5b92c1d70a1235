export * from './errors.js';
export * from './input.js';
export * from './original-rules.js';
export * from './snapshot.js';
export * from './readers.js';
export * from './connection.js';
export * from './snapshot-json.js';
