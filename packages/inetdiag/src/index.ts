export * from './errors.js';
export * from './constants.js';
export * from './address.js';
export * from './inet-diag-msg.js';
export * from './attribute-structs.js';
export * from './request.js';
export * from './anonymize.js';
