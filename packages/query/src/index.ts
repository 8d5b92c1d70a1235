export { FlowState, figuresOf, keyFields, congestionOf, retransmitRatio, THROUGHPUT_WINDOW_MS, type Figures, type KeyFields } from './figures.js';
export { FlowTable, summarizeClosed, familyOf, type FlowTableOptions, type ClosedFlowSummary } from './flow-table.js';
export { route, MAX_TARGET_LENGTH, type Route } from './routes.js';
export { listEntry, answerJson, AnswerCache, DEFAULT_CACHED_SNAPSHOTS } from './format.js';
export { QueryServer, type QueryServerOptions, type QueryServerStats } from './server.js';
export { QueryError, type QueryErrorCode } from './errors.js';
