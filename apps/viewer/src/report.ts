import { renderReport } from './html.js';
import { loadConnections, type LoadOptions } from './load.js';
import { viewsOf } from './view.js';

/** What {@link buildReport} made. */
export interface BuiltReport {
  readonly html: string;
  readonly connections: number;
}

/**
 * Reads the inputs (paths; `-` or none: standard input; `.jsonl` or
 * `.jsonl.zst`) and returns the report page. Throws a TcpInfoReadError
 * (`FILE:LINE: reason`) for unreadable input or a line that is not an ArchivalRecord.
 */
export async function buildReport(inputs: readonly string[], options: LoadOptions = {}): Promise<BuiltReport> {
  const connections = await loadConnections(inputs, options);
  return { html: renderReport(viewsOf(connections)), connections: connections.length };
}
