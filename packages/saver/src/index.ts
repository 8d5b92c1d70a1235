export * from './uuid.js';
export * from './paths.js';
export * from './events.js';
export * from './saver.js';
export * from './rate-limited-log.js';
export * from './frame-file.js';
export * from './compaction.js';
export * from './frame-writer.js';
