export * from './flags.js';
export * from './config.js';
export * from './daemon.js';
export * from './metrics-server.js';
export * from './build-info.js';
export * from './log.js';
export * from './gc-tuning.js';
