import type { Server } from 'node:http';
import { Collector } from '@tcpinfo/collector';
import { createMetrics } from '@tcpinfo/metrics';
import { InetDiagSocket } from '@tcpinfo/netlink';
import { Saver, type FlowEventSink } from '@tcpinfo/saver';
import { buildInfo, formatBuildInfo } from './build-info.js';
import type { DaemonConfig } from './config.js';
import { createEventSocketServer, eventSocketSink, fanOut } from './event-socket-sink.js';
import { timestampedLog } from './log.js';
import { serveMetrics } from './metrics-server.js';
import { createFlowTable, startQuerySocket } from './query-sink.js';

/**
 * A start-up failure after the configuration was accepted: something the
 * environment holds could not be had (the metrics port in use, the netlink
 * socket refused, another server on the event socket). The CLI exits 1, as the
 * original's `log.Fatal` does; mistakes in the configuration are UsageErrors (2).
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Hooks for embedding and tests. */
export interface DaemonHooks {
  /** Where flow events go (the event socket server plugs in here). */
  readonly events?: FlowEventSink;
  readonly log?: (line: string) => void;
  /** Stops the daemon (SIGTERM/SIGINT in the CLI). */
  readonly signal?: AbortSignal;
}

/**
 * Runs the daemon until `reps` cycles ran or `signal` aborts: metrics server,
 * netlink socket, collector and saver. Resolves after every file is written.
 */
export async function runDaemon(config: DaemonConfig, hooks: DaemonHooks = {}): Promise<void> {
  const log = hooks.log ?? timestampedLog();
  const build = buildInfo();
  // What runs, with what: the first line of every start (the original logs its flags).
  log(`${formatBuildInfo(build)} starting: ${config.settings}`);
  for (const w of config.warnings) log(`tcp-info: ${w}`);
  const metrics = createMetrics();
  metrics.buildInfo.set({ version: build.version, revision: build.revision, node_version: build.nodeVersion }, 1);
  let server: Server;
  try {
    server = await serveMetrics(metrics.registry, config.listen.host, config.listen.port);
  } catch (err) {
    throw new StartupError(`cannot serve metrics on ${config.listen.host ?? ''}:${config.listen.port}: ${(err as Error).message}`);
  }
  let socket: InetDiagSocket;
  try {
    socket = InetDiagSocket.open();
  } catch (err) {
    server.close();
    throw new StartupError(`cannot open the sock_diag netlink socket: ${(err as Error).message}`);
  }
  const sinks: FlowEventSink[] = hooks.events ? [hooks.events] : [];
  let eventServer: ReturnType<typeof createEventSocketServer> | undefined;
  if (config.eventSocketPath !== '') {
    eventServer = createEventSocketServer(metrics, config.eventSocketMode, log);
    try {
      await eventServer.listen(config.eventSocketPath);
    } catch (err) {
      socket.close();
      server.close();
      throw new StartupError(`-tcpinfo.eventsocket: ${(err as Error).message}`);
    }
    sinks.push(eventSocketSink(eventServer));
  }
  const flows = createFlowTable(config, metrics);
  let queryServer: Awaited<ReturnType<typeof startQuerySocket>> | undefined;
  if (config.querySocketPath !== '') {
    try {
      queryServer = await startQuerySocket(config, flows, log);
    } catch (err) {
      await eventServer?.close();
      socket.close();
      server.close();
      throw new StartupError(`-tcpinfo.query-socket: ${(err as Error).message}`);
    }
  }
  const saver = new Saver({
    outputDir: config.outputDir,
    ...(config.outputFileMode !== undefined ? { fileMode: config.outputFileMode } : {}),
    uuidPrefix: config.uuidPrefix,
    metrics,
    rotationMs: config.rotationMs,
    records: flows,
    log,
    ...(sinks.length > 0 ? { events: sinks.length === 1 ? sinks[0]! : fanOut(sinks) } : {}),
  });
  const collector = new Collector({
    saver,
    metrics,
    exclude: config.exclude,
    anonymizer: config.anonymizer,
    intervalMs: config.pollIntervalMs,
    reps: config.reps,
    destroyEvents: config.destroyEvents,
    socket,
    log,
  });
  try {
    await collector.run(hooks.signal);
  } finally {
    // Every close event has been sent by now (the collector closes every connection).
    await eventServer?.close();
    await queryServer?.close();
    socket.close();
    server.close();
    server.closeAllConnections?.();
  }
}
