export * from './columns.js';
export * from './raw-row.js';
export * from './convert.js';
export * from './progress.js';
export * from './byte-output.js';
export * from './record-slots.js';
export * from './line-scanner.js';
export * from './put-text.js';
