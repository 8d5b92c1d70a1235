export * from './collector.js';
export * from './ticker.js';
export * from './close-reconciler.js';
