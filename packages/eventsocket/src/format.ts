import type { FlowEvent } from './events.js';
import { formatRfc3339Nano, goJsonString } from '@tcpinfo/go-format';

/**
 * The exact line (without its newline) the Go original's `json.Marshal` of a
 * `FlowEvent` gives (SPEC §8): keys `Event`, `Timestamp`, `UUID`, `ID` in that
 * order; `ID` is `null` when the event has no id; the cookie is a signed int64.
 */
export function formatFlowEvent(e: FlowEvent): string {
  const head = `{"Event":${e.event},"Timestamp":"${formatRfc3339Nano(e.timestampNanos)}","UUID":${goJsonString(e.uuid)},"ID":`;
  const id = e.id;
  if (id === undefined) return `${head}null}`;
  return (
    `${head}{"SPort":${id.sport},"DPort":${id.dport},"SrcIP":${goJsonString(id.srcIP)},"DstIP":${goJsonString(id.dstIP)},` +
    // BigInt's toString writes every digit: no double in between.
    `"Interface":${id.interface},"Cookie":${BigInt.asIntN(64, id.cookie).toString()}}}`
  );
}
