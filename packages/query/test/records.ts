import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { INET_DIAG_CONG, INET_DIAG_INFO } from '@tcpinfo/inetdiag';
import { TCP_INFO_FIELDS, type TcpInfoFieldName } from '@tcpinfo/tcp';
import { buildIdm, buildPayload, v4, type IdmFields } from '@tcpinfo/testing';

/** tcp_info values a test sets (the rest are 0). */
export type InfoValues = Partial<Record<TcpInfoFieldName, number | bigint>>;

/** A 280-byte tcp_info with `values` at their table offsets. */
export function info(values: InfoValues): Buffer {
  const b = Buffer.alloc(280);
  for (const [name, v] of Object.entries(values)) {
    const f = TCP_INFO_FIELDS.find((x) => x.name === name)!;
    if (f.size === 8) b.writeBigUInt64LE(BigInt(v), f.offset);
    else if (f.size === 4) b.writeUInt32LE(Number(v), f.offset);
    else if (f.size === 1) b.writeUInt8(Number(v), f.offset);
  }
  return b;
}

/** A record as the collector makes it: `ms` since the epoch, tcp_info values, cubic (cc '' = no INET_DIAG_CONG). */
export function record(ms: number, values: InfoValues, idm: IdmFields = {}, cc = 'cubic'): ArchivalRecord {
  const payload = buildPayload(buildIdm({ src: v4('192.0.2.1'), dst: v4('198.51.100.7'), ...idm }), [
    [INET_DIAG_INFO, info(values)],
    ...(cc === '' ? [] : [[INET_DIAG_CONG, Buffer.from(`${cc}\0`)] as const]),
  ]);
  return ArchivalRecord.fromMessage(payload, GoTime.fromUnixNanos(BigInt(ms) * 1_000_000n))!;
}

export const UUID = 'host_1700000000_unsafe_0000000000001234';
