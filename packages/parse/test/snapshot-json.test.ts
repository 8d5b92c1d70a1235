import { describe, expect, it } from 'vitest';
import { ArchivalRecord, GoTime } from '@tcpinfo/netlink';
import { decodeRecord, snapshotToJson } from '@tcpinfo/parse';
import { buildIdm, buildPayload, tcpInfo, v4 } from '@tcpinfo/testing';

describe('snapshotToJson', () => {
  it('writes addresses as text (no raw address bytes), bigints beyond 2^53 as decimal strings, times as RFC 3339', () => {
    const payload = buildPayload(buildIdm({ src: v4('192.0.2.1'), cookie: 2n ** 63n }), [[2, tcpInfo()]]);
    const record = ArchivalRecord.fromMessage(payload, GoTime.fromUnixNanos(1_700_000_000_123_456_789n))!;
    const json = JSON.parse(snapshotToJson(undefined, decodeRecord(record).snapshot));
    expect(json.timestamp).toBe('2023-11-14T22:13:20.123456789Z');
    expect(json.idm.id.src).toBe('192.0.2.1');
    expect(json.idm.id.srcBytes).toBeUndefined();
    expect(json.idm.id.cookie).toBe('9223372036854775808');
    expect(json.record).toBeUndefined();
  });
});
