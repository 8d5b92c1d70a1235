export * from './wire.js';
export * from './server.js';
export * from './parse.js';
export * from './client.js';
