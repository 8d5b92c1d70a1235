import { describe, expect, it } from 'vitest';
import { decodeInetDiagMsg } from '@tcpinfo/inetdiag';
import { ArchivalRecord, attributes, GoTime, readRawMessages } from '../src/index.js';
import { loadFixture, RAW_MESSAGES_FIXTURE } from '@tcpinfo/testing';

describe("the original's raw capture (raw-netlink-messages.bin.zst)", () => {
  const bytes = loadFixture(RAW_MESSAGES_FIXTURE);
  const msgs = readRawMessages(bytes);

  it('holds 420 inet_diag replies, each of which parses', () => {
    expect(msgs).toHaveLength(420);
    for (const m of msgs) {
      expect(m.type).toBe(20);
      const idm = decodeInetDiagMsg(m.payload);
      expect([2, 10]).toContain(idm.family);
      expect([...attributes(m.payload, 72)].length).toBeGreaterThan(0);
      expect(ArchivalRecord.fromMessage(m.payload, GoTime.ZERO)).toBeDefined();
    }
  });

  it('reports where a damaged file goes wrong', () => {
    const damaged = Buffer.from(bytes.subarray(0, msgs[3]!.offset + 20));
    expect(() => readRawMessages(damaged)).toThrow(/BAD_LENGTH|claims/);
  });
});
