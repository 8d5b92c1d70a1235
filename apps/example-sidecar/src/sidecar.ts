import { connect, formatGoTimeUTC, queryConnection, type ClientFlowEvent, type ConnectionAnswer, type EventSocketClient } from '@tcpinfo/eventsocket';
import { ConnectionStarts, formatDuration } from './durations.js';

/** Options of {@link runSidecar}. */
export interface SidecarOptions {
  /** Where lines go (default: stdout). */
  readonly log?: (line: string) => void;
  /** Aborting it closes the connection. */
  readonly signal?: AbortSignal;
  /** First reconnect delay in ms (default 100). */
  readonly minBackoffMs?: number;
  /** Most open connections remembered for durations (default 100,000). */
  readonly maxTracked?: number;
  /** The daemon's query socket: at each close, the connection's final figures are asked for and printed. */
  readonly querySocket?: string;
}

/** The line of a closed connection's final figures, from the query socket's answer. */
export function describeFinal(a: ConnectionAnswer): string {
  const f = a.figures;
  const us = (v: number | null) => (v === null ? '?' : `${(v / 1000).toFixed(3)} ms`);
  const ratio = f.retransmitRatio === null ? '?' : `${(f.retransmitRatio * 100).toFixed(2)} %`;
  return (
    `final ${a.uuid} ${a.src} -> ${a.dst} ${a.congestion ?? '?'}: ${f.durationSeconds.toFixed(3)} s, ` +
    `${f.bytesAcked ?? '?'} bytes acked, ${f.bytesReceived ?? '?'} received, min RTT ${us(f.minRttUs)}, ` +
    `RTT ${us(f.smoothedRttUs)} ± ${us(f.rttVarUs)}, retransmitted ${f.retransmittedSegments ?? '?'}/${f.sentSegments ?? '?'} segments (${ratio})`
  );
}

/** The log line of one event (`open` with addresses, `close` with the duration when its open was seen). */
export function describeEvent(e: ClientFlowEvent, starts: ConnectionStarts): string {
  const when = formatGoTimeUTC(e.timestampNanos);
  if (e.event === 'open') {
    starts.opened(e.uuid, e.timestampNanos);
    const { srcIP, sport, dstIP, dport } = e.id;
    const src = srcIP.includes(':') ? `[${srcIP}]` : srcIP;
    const dst = dstIP.includes(':') ? `[${dstIP}]` : dstIP;
    return `open  ${when} ${e.uuid} ${src}:${sport} -> ${dst}:${dport}`;
  }
  const duration = starts.closed(e.uuid, e.timestampNanos);
  return `close ${when} ${e.uuid} after ${duration === undefined ? 'an unknown duration (open not seen)' : formatDuration(duration)}`;
}

/**
 * Logs each connection's open and close, with its duration at close, as the
 * Go original's example-eventsocket-client does, and says when it loses and
 * regains the daemon. Returns the client: `await client.close()` stops it.
 */
export function runSidecar(path: string, options: SidecarOptions = {}): EventSocketClient {
  const log = options.log ?? ((line: string) => console.log(line));
  const starts = new ConnectionStarts(options.maxTracked);
  const client = connect(path, {
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.minBackoffMs !== undefined ? { minBackoffMs: options.minBackoffMs } : {}),
  });
  client.on('connect', () => log(`connected to ${path}`));
  client.on('disconnect', (err) => log(`lost ${path}${err ? ` (${err.message})` : ''}; reconnecting (events meanwhile are missed)`));
  client.on('parseError', (err) => log(`skipped a line: ${err.message}`));
  client.on('event', (e) => {
    log(describeEvent(e, starts));
    const query = options.querySocket;
    if (e.event === 'close' && query !== undefined) {
      // The daemon keeps a closed connection answerable for its retention (10 s by default).
      queryConnection(query, e.uuid).then(
        (a) => log(a !== undefined ? describeFinal(a) : `final ${e.uuid} unknown to the query socket (excluded, or past its retention)`),
        (err: Error) => log(`final ${e.uuid} not available: ${err.message}`),
      );
    }
  });
  return client;
}
