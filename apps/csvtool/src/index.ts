export * from './columns.js';
export * from './raw-row.js';
export * from './convert.js';
export * from './progress.js';
