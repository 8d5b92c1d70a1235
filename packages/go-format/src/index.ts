export * from './errors.js';
export * from './time.js';
export * from './json-string.js';
export * from './ascii.js';
