export * from './collector.js';
export * from './ticker.js';
