export { exitOnStdoutError, type ErrorEmitter, type ExitSink } from './closed-stdout.js';
