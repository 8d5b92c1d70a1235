import { describe, expect, it } from 'vitest';
import {
  SIZEOF_TCP_INFO_KNOWN,
  SIZEOF_TCP_INFO_ORIGINAL,
  TCP_INFO_FIELDS,
  TCPI_BUSY_TIME_OFFSET,
  TCPI_BYTES_ACKED_OFFSET,
  TCPI_BYTES_RECEIVED_OFFSET,
  TCPI_BYTES_SENT_OFFSET,
  TCPI_LAST_DATA_SENT_OFFSET,
  TCPI_PMTU_OFFSET,
} from '../src/index.js';

const storage = TCP_INFO_FIELDS.filter((f) => f.bits === undefined);
const byName = new Map(TCP_INFO_FIELDS.map((f) => [f.name, f]));

describe('struct tcp_info field table', () => {
  it('storage fields tile the struct without gaps or overlaps, naturally aligned, up to 280 bytes', () => {
    let next = 0;
    for (const f of storage) {
      expect(f.offset, f.name).toBe(next);
      expect(f.offset % f.size, `${f.name} alignment`).toBe(0);
      next = f.offset + f.size;
    }
    expect(next).toBe(SIZEOF_TCP_INFO_KNOWN);
  });

  it('bitfields sit inside a storage byte and do not overlap each other', () => {
    const bitfields = TCP_INFO_FIELDS.filter((f) => f.bits !== undefined);
    expect(bitfields.map((f) => f.kernelName)).toEqual([
      'tcpi_snd_wscale',
      'tcpi_rcv_wscale',
      'tcpi_delivery_rate_app_limited',
      'tcpi_fastopen_client_fail',
    ]);
    const used = new Map<number, number>();
    for (const f of bitfields) {
      const mask = ((1 << f.bits!.width) - 1) << f.bits!.shift;
      expect(mask & ~0xff).toBe(0);
      expect((used.get(f.offset) ?? 0) & mask).toBe(0);
      used.set(f.offset, (used.get(f.offset) ?? 0) | mask);
    }
  });

  it("the original's fields are exactly the first 232 bytes, with its 54 CSV columns in order", () => {
    const original = TCP_INFO_FIELDS.filter((f) => f.goName !== undefined);
    expect(original).toHaveLength(54);
    const last = original[original.length - 1]!;
    expect(last.offset + last.size).toBe(SIZEOF_TCP_INFO_ORIGINAL);
    expect(original.every((f) => f.bits === undefined)).toBe(true);
    // The original's CSV tags, quirk included: LastAckRecv is labelled TCP.LastDataRecv.
    expect(byName.get('lastAckRecv')!.goColumn).toBe('TCP.LastDataRecv');
    expect(byName.get('sndCwnd')!.goColumn).toBe('TCP.SndCwnd');
  });

  it('kernel names follow the header, bitfields and renamed fields included', () => {
    expect(byName.get('sndCwnd')!.kernelName).toBe('tcpi_snd_cwnd');
    expect(byName.get('deliveredE1Bytes')!.kernelName).toBe('tcpi_delivered_e1_bytes');
    expect(byName.get('totalRtoRecoveries')!.kernelName).toBe('tcpi_total_rto_recoveries');
    expect(byName.get('rcvOoopack')!.kernelName).toBe('tcpi_rcv_ooopack');
    expect(new Set(TCP_INFO_FIELDS.map((f) => f.name)).size).toBe(TCP_INFO_FIELDS.length);
  });

  it('64-bit fields are the ones the original declares int64 (signed view)', () => {
    const wide = storage.filter((f) => f.size === 8).map((f) => f.name);
    expect(wide).toEqual([
      'pacingRate', 'maxPacingRate', 'bytesAcked', 'bytesReceived', 'deliveryRate',
      'busyTime', 'rwndLimited', 'sndbufLimited', 'bytesSent', 'bytesRetrans',
    ]);
    expect(storage.filter((f) => f.size === 8).every((f) => f.signed)).toBe(true);
  });

  it('change-detection offsets agree with the table', () => {
    expect(byName.get('lastDataSent')!.offset).toBe(TCPI_LAST_DATA_SENT_OFFSET);
    expect(byName.get('pmtu')!.offset).toBe(TCPI_PMTU_OFFSET);
    expect(byName.get('busyTime')!.offset).toBe(TCPI_BUSY_TIME_OFFSET);
    expect(byName.get('bytesAcked')!.offset).toBe(TCPI_BYTES_ACKED_OFFSET);
    expect(byName.get('bytesReceived')!.offset).toBe(TCPI_BYTES_RECEIVED_OFFSET);
    expect(byName.get('bytesSent')!.offset).toBe(TCPI_BYTES_SENT_OFFSET);
  });
});
