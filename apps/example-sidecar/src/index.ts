import { connect, type ClientFlowEvent, type EventSocketClient } from '@tcpinfo/eventsocket';

/**
 * Logs each connection's open and close, with its duration on close, as the
 * original's example-eventsocket-client does. Returns the client (close it to stop).
 */
export function runSidecar(path: string, log: (line: string) => void = (l) => console.log(l)): EventSocketClient {
  const opened = new Map<string, ClientFlowEvent>();
  const client = connect(path);
  client.on('connect', () => log(`connected to ${path}`));
  client.on('disconnect', () => log(`disconnected from ${path}; reconnecting`));
  client.on('event', (e: ClientFlowEvent) => {
    if (e.event === 'open') {
      opened.set(e.uuid, e);
      const id = e.id!;
      log(`open  ${e.timestamp.toISOString()} ${e.uuid} ${id.srcIP}:${id.sport} -> ${id.dstIP}:${id.dport}`);
      return;
    }
    const start = opened.get(e.uuid);
    opened.delete(e.uuid);
    const duration = start === undefined ? 'unknown duration' : `${(Number(e.timestampNanos - start.timestampNanos) / 1e9).toFixed(3)} s`;
    log(`close ${e.timestamp.toISOString()} ${e.uuid} after ${duration}`);
  });
  return client;
}
