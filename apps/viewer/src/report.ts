import { reportChunks } from './html.js';
import { loadConnections, type LoadOptions } from './load.js';
import { viewsOf } from './view.js';

/** A report ready to be written: the page as text chunks, in order. */
export interface ReportChunks {
  readonly chunks: Iterable<string>;
  readonly connections: number;
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
 * (`FILE:LINE: reason`) for unreadable input or a line that is not an ArchivalRecord.
 */
export async function prepareReport(inputs: readonly string[], options: LoadOptions = {}): Promise<ReportChunks> {
  const connections = await loadConnections(inputs, options);
  return { chunks: reportChunks(viewsOf(connections)), connections: connections.length };
}

/** {@link prepareReport} with the page as one string. */
export async function buildReport(inputs: readonly string[], options: LoadOptions = {}): Promise<BuiltReport> {
  const { chunks, connections } = await prepareReport(inputs, options);
  return { html: [...chunks].join(''), connections };
}
