import { type Chart, type XAxis } from './series.js';
import { type ConnectionHeader } from './header.js';
import type { LoadedConnection } from './load.js';

/** Everything the report page needs about one connection (serialized as JSON into the page). */
export interface ConnectionView {
  /** Anchor id of its section (`c0`, `c1`, …). */
  readonly id: string;
  readonly header: ConnectionHeader;
  readonly x: XAxis;
  readonly charts: Chart[];
}

/** The views of loaded connections, in input order. */
export function viewsOf(connections: readonly LoadedConnection[]): ConnectionView[] {
  return connections.map((conn, i) => {
    const { x, charts } = conn.series.build();
    return { id: `c${i}`, header: conn.header.build(conn), x, charts };
  });
}
