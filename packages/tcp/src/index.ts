export * from './states.js';
export * from './tcp-info-fields.js';
export * from './decode.js';
