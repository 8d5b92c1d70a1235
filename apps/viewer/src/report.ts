import { reportChunks } from './html.js';
import type { TcpInfoReadError } from '@tcpinfo/parse';
import { loadConnections, type LoadOptions } from './load.js';
import { viewsOf } from './view.js';

/** A report ready to be written: the page as text chunks, in order. */
export interface ReportChunks {
  readonly chunks: Iterable<string>;
  readonly connections: number;
  /**
   * The input whose zstd data was corrupt or cut off: reading stopped there,
   * and the report shows what was read before (the command writes it, then
   * reports this error and exits 1).
   */
  readonly damage?: TcpInfoReadError;
}

/** What {@link buildReport} made. */
export interface BuiltReport {
  readonly html: string;
  readonly connections: number;
}

/**
 * Reads the inputs (paths; `-` or none: standard input; `.jsonl` or
 * `.jsonl.zst`) and returns the report page as chunks to write one after the
 * other, so the page never exists as one string. Throws a TcpInfoReadError
 * (`FILE:LINE: reason`) for unreadable input or a line that is not an ArchivalRecord;
 * for corrupt or cut-off zstd data, returns the report of what was read before with `damage` set.
 */
export async function prepareReport(inputs: readonly string[], options: LoadOptions = {}): Promise<ReportChunks> {
  let damage: TcpInfoReadError | undefined;
  const connections = await loadConnections(inputs, { ...options, onDamagedInput: (e) => (damage = e) });
  const chunks = reportChunks(viewsOf(connections));
  return damage === undefined ? { chunks, connections: connections.length } : { chunks, connections: connections.length, damage };
}

/** {@link prepareReport} with the page as one string. */
export async function buildReport(inputs: readonly string[], options: LoadOptions = {}): Promise<BuiltReport> {
  const { chunks, connections } = await prepareReport(inputs, options);
  return { html: [...chunks].join(''), connections };
}
