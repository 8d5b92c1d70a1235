export * from './uuid.js';
export * from './paths.js';
export * from './events.js';
export * from './errors.js';
export * from './saver.js';
export * from './rate-limited-log.js';
export * from './compaction.js';
export type { AppendOutcome, WriteThreadConfig } from './write-protocol.js';
export { WriteRules, type SyncFs, NOT_REGULAR_FILE, DEFAULT_FILE_MODE, openFlags, mustRecheck, reconcileSize } from './write-rules.js';
