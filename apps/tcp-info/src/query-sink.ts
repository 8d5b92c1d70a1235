import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { FlowTable, QueryServer, summarizeClosed, type FlowState } from '@tcpinfo/query';
import type { DaemonConfig } from './config.js';

/** Observes a closed flow in the closed-flow histograms (labels af and cc only). */
export function observeClosedFlow(metrics: TcpInfoMetrics): (flow: FlowState) => void {
  return (flow) => {
    const s = summarizeClosed(flow);
    metrics.closedFlowDuration.labels(s.af, s.cc).observe(s.durationSeconds);
    if (s.minRttSeconds !== undefined) metrics.closedFlowMinRtt.labels(s.af, s.cc).observe(s.minRttSeconds);
    metrics.closedFlowBytesAcked.labels(s.af, s.cc).observe(s.bytesAcked);
    metrics.closedFlowRetransmitRatio.labels(s.af, s.cc).observe(s.retransmitRatio);
  };
}

/**
 * The table of flows the saver feeds (every record written, every close): it
 * drives the closed-flow histograms always, and the query socket when one is
 * configured. Without a query socket closed flows are forgotten at once.
 */
export function createFlowTable(config: DaemonConfig, metrics: TcpInfoMetrics): FlowTable {
  return new FlowTable({
    retentionMs: config.querySocketPath !== '' ? config.queryRetentionMs : 0,
    onClosed: observeClosedFlow(metrics),
  });
}

/** Starts the query socket on `config.querySocketPath` (throws QueryError `LISTEN`). */
export async function startQuerySocket(config: DaemonConfig, flows: FlowTable, log: (line: string) => void): Promise<QueryServer> {
  const server = new QueryServer(flows, { mode: config.querySocketMode, log });
  await server.listen(config.querySocketPath);
  return server;
}
