export { TCPEvent, type FlowEvent, type SockId } from './events.js';
export { EventSocketError, EventParseError, type EventSocketErrorCode, type EventParseErrorCode } from './errors.js';
export { formatFlowEvent } from './format.js';
/** Go's RFC3339Nano of a UTC instant in Unix nanoseconds (@tcpinfo/go-format's `formatRfc3339Nano`). */
export { formatRfc3339Nano as formatGoTimeUTC, goJsonString } from '@tcpinfo/go-format';
export { parseExactJson, JsonNumber, type ExactJsonValue } from './exact-json.js';
export { parseFlowEventLine, parseRfc3339Nanos, dateFromUnixNanos, GO_ZERO_TIME_UNIX_NANOS, type ClientFlowEvent, type OpenFlowEvent, type CloseFlowEvent } from './parse.js';
export { LineSplitter } from './line-splitter.js';
export { checkSocketPath } from './socket-file.js';
export { EventSocketServer, type EventSocketServerOptions, type EventSocketServerStats } from './server.js';
export { EventSocketClient, connect, type ConnectOptions, type EventSocketClientEvents } from './client.js';
export { removeStaleSocket, listenWithMode, removeSocketFile } from './socket-file.js';
export {
  queryConnection, queryConnectionByCookie, listConnections,
  type ConnectionAnswer, type ConnectionFigures, type ConnectionListEntry, type QueryOptions,
} from './query-client.js';
