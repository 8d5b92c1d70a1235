import type { Snapshot } from '@tcpinfo/parse';
import { TCP_INFO_FIELDS } from '@tcpinfo/tcp';

/** One CSV column: its header and how a snapshot prints in it. */
export interface Column {
  readonly name: string;
  readonly value: (s: Snapshot) => string;
}

const INET_DIAG_INFO = 2;
const attr = (s: Snapshot, type: number): Uint8Array | null | undefined => s.record.attributes?.[type];

/**
 * The original csvtool's 105 column names, its spellings and quirks included
 * (the duplicated TCP.LastDataRecv, SKMemInfo.Sndbug); `formatOriginalRow` prints them.
 */
export const ORIGINAL_COLUMN_NAMES: readonly string[] = [
  'Timestamp', 'Observed', 'NotFullyParsed',
  ...['Family', 'State', 'Timer', 'Retrans', 'SockID.SPort', 'SockID.DPort', 'SockID.Src', 'SockID.Dst', 'SockID.Interface',
    'SockID.Cookie', 'Expires', 'Rqueue', 'Wqueue', 'UID', 'Inode'].map((n) => `IDM.${n}`),
  'CongestionAlgorithm', 'TOS', 'TClass', 'ClassID', 'Shutdown', 'Protocol', 'Mark',
  ...TCP_INFO_FIELDS.filter((f) => f.goColumn !== undefined).map((f) => f.goColumn!),
  ...['Rmem', 'Wmem', 'Fmem', 'Tmem'].map((n) => `MemInfo.${n}`),
  ...['RmemAlloc', 'Rcvbuf', 'WmemAlloc', 'Sndbug', 'FwdAlloc', 'WmemQueued', 'Optmem', 'Backlog', 'Drops'].map((n) => `SKMemInfo.${n}`),
  ...['Enabled', 'RTTCount', 'RTT', 'MinRTT'].map((n) => `Vegas.${n}`),
  ...['Enabled', 'CEState', 'Alpha', 'ABEcn', 'ABTot'].map((n) => `DCTCP.${n}`),
  ...['BW', 'MinRTT', 'PacingGain', 'CwndGain'].map((n) => `BBR.${n}`),
];

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const addresses = (list: Snapshot['locals']) =>
  list === undefined ? '' : list.map((a) => (a.family === 10 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`)).join(' ');

/** Columns the original cannot show, appended by `--columns=all`. */
export const EXTRA_COLUMNS: readonly Column[] = [
  ...TCP_INFO_FIELDS.filter((f) => f.goColumn === undefined).map((f): Column => ({
    name: `TCP.${pascal(f.name)}`,
    value: (s) => {
      const info = s.tcpInfo;
      if (info === undefined) return '';
      const v = info[f.name as keyof typeof info];
      return v === undefined ? '' : String(v);
    },
  })),
  { name: 'TCP.InfoLength', value: (s) => (s.tcpInfo === undefined ? '' : String(attr(s, INET_DIAG_INFO)?.length ?? 0)) },
  { name: 'SKV6Only', value: (s) => (s.skv6only === undefined ? '' : s.skv6only ? '1' : '0') },
  { name: 'Locals', value: (s) => addresses(s.locals) },
  { name: 'Peers', value: (s) => addresses(s.peers) },
  { name: 'ClassIDFull', value: (s) => (s.classId === undefined ? '' : String(s.classId)) },
  { name: 'CGroupID', value: (s) => (s.cgroupId === undefined ? '' : String(s.cgroupId)) },
  {
    name: 'SockOpt',
    value: (s) => {
      const o = s.sockOpt;
      if (o === undefined) return '';
      return Object.entries(o)
        .filter(([k, v]) => v === true && k !== 'longer')
        .map(([k]) => k)
        .join('|');
    },
  },
  {
    name: 'OtherAttributes',
    value: (s) => (s.otherAttributes === undefined ? '' : [...s.otherAttributes.keys()].join('|')),
  },
];
