import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeBbrInfo,
  decodeCongestion,
  decodeDctcpInfo,
  decodeInetDiagMsg,
  decodeMemInfo,
  decodeSkMemInfo,
  decodeU8,
  decodeVegasInfo,
  INET_DIAG_BBRINFO,
  INET_DIAG_CONG,
  INET_DIAG_DCTCPINFO,
  INET_DIAG_MEMINFO,
  INET_DIAG_SKMEMINFO,
  INET_DIAG_TOS,
  INET_DIAG_VEGASINFO,
} from '../src/index.js';

// The original csvtool printed these CSVs from the JSONL beside them: an
// independent oracle for the inet_diag_msg decoding (ports, Go's address
// formatting, the big-endian Interface quirk, cookies) and the attribute structs.
const fixtures = [
  'archiveRecords.jsonl.zst',
  'finwait2-sample_1554836592_unsafe_000000000135A272.00000.jsonl.zst',
  'ndt-jdczh_1553815964_00000000000003E8.00183.jsonl.zst',
];
const dir = new URL('./fixtures/', import.meta.url);

describe.each(fixtures)('agreement with the original csvtool on %s', (name) => {
  const jsonl = execFileSync('zstd', ['-dc', new URL(name, dir).pathname], { encoding: 'utf8' }).trim().split('\n');
  const csv = readFileSync(new URL(name + '.csv', dir), 'utf8').trim().split('\n');
  const header = csv[0]!.split(',');
  const col = (row: string[], column: string) => row[header.indexOf(column)];
  const records = jsonl.map((line, i) => ({
    json: JSON.parse(line) as { RawIDM?: string; Attributes?: (string | null)[] },
    row: csv[i + 1]!.split(','),
  }));

  it('inet_diag_msg columns', () => {
    let checked = 0;
    for (const { json, row } of records) {
      if (json.RawIDM === undefined) continue;
      const m = decodeInetDiagMsg(Buffer.from(json.RawIDM, 'base64'));
      expect([
        m.family, m.state, m.timer, m.retrans, m.id.sport, m.id.dport, m.id.src, m.id.dst,
        m.id.interfaceGo, m.id.cookie.toString(16).toUpperCase(), m.expires, m.rqueue, m.wqueue, m.uid, m.inode,
      ].map(String)).toEqual([
        'IDM.Family', 'IDM.State', 'IDM.Timer', 'IDM.Retrans', 'IDM.SockID.SPort', 'IDM.SockID.DPort',
        'IDM.SockID.Src', 'IDM.SockID.Dst', 'IDM.SockID.Interface', 'IDM.SockID.Cookie', 'IDM.Expires',
        'IDM.Rqueue', 'IDM.Wqueue', 'IDM.UID', 'IDM.Inode',
      ].map((c) => col(row, c)));
      expect(m.id.cookieHex).toMatch(/^[0-9A-F]{16}$/);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('attribute columns', () => {
    const seen = new Set<number>();
    for (const { json, row } of records) {
      const attr = (type: number) => {
        const v = json.Attributes?.[type];
        if (v == null) return undefined;
        seen.add(type);
        return Buffer.from(v, 'base64');
      };
      const mem = attr(INET_DIAG_MEMINFO);
      if (mem) {
        const m = decodeMemInfo(mem);
        expect([m.rmem, m.wmem, m.fmem, m.tmem].map(String)).toEqual(
          ['MemInfo.Rmem', 'MemInfo.Wmem', 'MemInfo.Fmem', 'MemInfo.Tmem'].map((c) => col(row, c)),
        );
      }
      const sk = attr(INET_DIAG_SKMEMINFO);
      if (sk) {
        const s = decodeSkMemInfo(sk);
        expect([s.rmemAlloc, s.rcvbuf, s.wmemAlloc, s.sndbuf, s.fwdAlloc, s.wmemQueued, s.optmem, s.backlog, s.drops].map(String)).toEqual(
          ['RmemAlloc', 'Rcvbuf', 'WmemAlloc', 'Sndbug', 'FwdAlloc', 'WmemQueued', 'Optmem', 'Backlog', 'Drops'].map((c) =>
            col(row, `SKMemInfo.${c}`),
          ),
        );
      }
      const cong = attr(INET_DIAG_CONG);
      if (cong) expect(decodeCongestion(cong)).toBe(col(row, 'CongestionAlgorithm'));
      const tos = attr(INET_DIAG_TOS);
      if (tos) expect(String(decodeU8(tos))).toBe(col(row, 'TOS'));
      const vegas = attr(INET_DIAG_VEGASINFO);
      if (vegas) {
        const v = decodeVegasInfo(vegas);
        expect([v.enabled, v.rttCount, v.rttUsec, v.minRttUsec].map(String)).toEqual(
          ['Vegas.Enabled', 'Vegas.RTTCount', 'Vegas.RTT', 'Vegas.MinRTT'].map((c) => col(row, c)),
        );
      }
      const dctcp = attr(INET_DIAG_DCTCPINFO);
      if (dctcp) {
        const d = decodeDctcpInfo(dctcp);
        expect([d.enabled, d.ceState, d.alpha, d.abEcn, d.abTot].map(String)).toEqual(
          ['DCTCP.Enabled', 'DCTCP.CEState', 'DCTCP.Alpha', 'DCTCP.ABEcn', 'DCTCP.ABTot'].map((c) => col(row, c)),
        );
      }
      const bbr = attr(INET_DIAG_BBRINFO);
      if (bbr) {
        const b = decodeBbrInfo(bbr);
        expect([b.bw, b.minRttUsec, b.pacingGain, b.cwndGain].map(String)).toEqual(
          ['BBR.BW', 'BBR.MinRTT', 'BBR.PacingGain', 'BBR.CwndGain'].map((c) => col(row, c)),
        );
      }
    }
    expect(seen.has(INET_DIAG_SKMEMINFO) || seen.has(INET_DIAG_MEMINFO)).toBe(true);
  });
});
