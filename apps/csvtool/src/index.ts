export * from './columns.js';
export * from './convert.js';
export * from './progress.js';
