import { EventSocketServer, TCPEvent } from '@tcpinfo/eventsocket';
import { decodeInetDiagMsg } from '@tcpinfo/inetdiag';
import type { TcpInfoMetrics } from '@tcpinfo/metrics';
import { rateLimitedLog, type FlowEventSink } from '@tcpinfo/saver';

/**
 * The event socket server, counting its clients into the daemon's metrics.
 * `tcpinfo_flow_events_total` is not counted here: the saver counts every flow
 * event, event socket or not, and counting here too doubled it.
 */
export function createEventSocketServer(metrics: TcpInfoMetrics, mode: number, log: (line: string) => void): EventSocketServer {
  // A crowd of clients past the limit (a restart loop of sidecars) is counted,
  // and told at most once per interval, with how many were refused meanwhile.
  const logRefusal = rateLimitedLog(log, REFUSAL_LOG_INTERVAL_MS);
  const server: EventSocketServer = new EventSocketServer({
    mode,
    log,
    onClientCount: (n) => metrics.eventSocketClients.set(n),
    onClientDropped: () => metrics.eventSocketDroppedClients.inc(),
    onClientRefused: () => {
      metrics.eventSocketRefusedClients.inc();
      logRefusal(`tcp-info: event socket: ${server.clients} clients connected, the most allowed; refusing more (tcpinfo_eventsocket_refused_clients_total counts them)`);
    },
  });
  return server;
}

/** At most one line per this interval about refused event-socket clients. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * Turns the saver's flow events into event-socket lines (SPEC §8): the open
 * event carries the connection's un-anonymized socket id, with the interface
 * as the original prints it (big-endian) and the cookie exact.
 */
export function eventSocketSink(server: EventSocketServer): FlowEventSink {
  return {
    onFlowEvent(e) {
      if (e.kind === 'close') {
        server.emit({ event: TCPEvent.Close, timestampNanos: e.timestamp.unixNanos, uuid: e.uuid });
        return;
      }
      const m = decodeInetDiagMsg(e.id!);
      server.emit({
        event: TCPEvent.Open,
        timestampNanos: e.timestamp.unixNanos,
        uuid: e.uuid,
        id: { sport: m.id.sport, dport: m.id.dport, srcIP: m.id.src, dstIP: m.id.dst, interface: m.id.interfaceGo, cookie: m.id.cookie },
      });
    },
  };
}

/** Sends each event to every sink. */
export function fanOut(sinks: readonly FlowEventSink[]): FlowEventSink {
  return { onFlowEvent: (e) => sinks.forEach((s) => s.onFlowEvent(e)) };
}
