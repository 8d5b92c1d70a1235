import { MEMINFO_FIELDS, SKMEMINFO_FIELDS } from '@tcpinfo/inetdiag';
import type { Snapshot } from '@tcpinfo/parse';
import { TCP_INFO_FIELDS, toSignedAsOriginal, type TcpInfoField } from '@tcpinfo/tcp';

/** One CSV column: its header and how a snapshot prints in it. */
export interface Column {
  readonly name: string;
  readonly value: (s: Snapshot) => string;
}

const INET_DIAG_INFO = 2;
const INET_DIAG_CONG = 4;
const INET_DIAG_MARK = 15;
/** What the original prints for the zero time (a quirk of its CSV library): the reference CSVs say so. */
const ZERO_TIME_IN_CSV = '2009-05-29T23:59:59Z';

const attr = (s: Snapshot, type: number): Uint8Array | null | undefined => s.record.attributes?.[type];
/** A scalar the original prints as the value's first byte, 0 when absent or empty. */
const firstByte = (type: number) => (s: Snapshot) => String(attr(s, type)?.[0] ?? 0);

function idmColumn(name: string, get: (s: Snapshot) => string | number | bigint): Column {
  return { name: `IDM.${name}`, value: (s) => (s.idm === undefined ? '' : String(get(s))) };
}

function tcpColumn(f: TcpInfoField, name: string): Column {
  const key = f.name as keyof NonNullable<Snapshot['tcpInfo']>;
  return {
    name,
    value: (s) => {
      const info = s.tcpInfo;
      if (info === undefined) return '';
      const v = info[key] as number | bigint | undefined;
      // The original zero-extends a short tcp_info.
      return v === undefined ? '0' : String(toSignedAsOriginal(f, v));
    },
  };
}

function structColumns<T>(prefix: string, names: readonly [string, string][], get: (s: Snapshot) => T | undefined): Column[] {
  return names.map(([field, column]) => ({
    name: `${prefix}.${column}`,
    value: (s: Snapshot) => {
      const v = get(s);
      return v === undefined ? '' : String((v as Record<string, unknown>)[field]);
    },
  }));
}

/** The original csvtool's 105 columns, its spellings and quirks included (the reference CSVs are the spec). */
export const ORIGINAL_COLUMNS: readonly Column[] = [
  { name: 'Timestamp', value: (s) => (s.timestamp.isZero() ? ZERO_TIME_IN_CSV : s.timestamp.toString()) },
  { name: 'Observed', value: (s) => String(s.observed) },
  { name: 'NotFullyParsed', value: (s) => String(s.notFullyParsed) },
  idmColumn('Family', (s) => s.idm!.family),
  idmColumn('State', (s) => s.idm!.state),
  idmColumn('Timer', (s) => s.idm!.timer),
  idmColumn('Retrans', (s) => s.idm!.retrans),
  idmColumn('SockID.SPort', (s) => s.idm!.id.sport),
  idmColumn('SockID.DPort', (s) => s.idm!.id.dport),
  idmColumn('SockID.Src', (s) => s.idm!.id.src),
  idmColumn('SockID.Dst', (s) => s.idm!.id.dst),
  idmColumn('SockID.Interface', (s) => s.idm!.id.interfaceGo), // read big-endian, as the original does
  idmColumn('SockID.Cookie', (s) => s.idm!.id.cookie.toString(16).toUpperCase()),
  idmColumn('Expires', (s) => s.idm!.expires),
  idmColumn('Rqueue', (s) => s.idm!.rqueue),
  idmColumn('Wqueue', (s) => s.idm!.wqueue),
  idmColumn('UID', (s) => s.idm!.uid),
  idmColumn('Inode', (s) => s.idm!.inode),
  {
    name: 'CongestionAlgorithm',
    // The original drops the value's last byte (the NUL) rather than cutting at the first NUL.
    value: (s) => {
      const v = attr(s, INET_DIAG_CONG);
      return v == null || v.length === 0 ? '' : Buffer.from(v.buffer, v.byteOffset, v.length - 1).toString('utf8');
    },
  },
  { name: 'TOS', value: firstByte(5) },
  { name: 'TClass', value: firstByte(6) },
  { name: 'ClassID', value: firstByte(17) },
  { name: 'Shutdown', value: firstByte(8) },
  { name: 'Protocol', value: firstByte(10) },
  {
    name: 'Mark',
    value: (s) => {
      const v = attr(s, INET_DIAG_MARK);
      return v != null && v.length === 4 ? String(Buffer.from(v.buffer, v.byteOffset, 4).readUInt32LE(0)) : '0';
    },
  },
  ...TCP_INFO_FIELDS.filter((f) => f.goColumn !== undefined).map((f) => tcpColumn(f, f.goColumn!)),
  ...structColumns('MemInfo', MEMINFO_FIELDS.map((f) => [f.name, f.name[0]!.toUpperCase() + f.name.slice(1)] as [string, string]), (s) => s.memInfo),
  ...structColumns(
    'SKMemInfo',
    [['rmemAlloc', 'RmemAlloc'], ['rcvbuf', 'Rcvbuf'], ['wmemAlloc', 'WmemAlloc'], ['sndbuf', 'Sndbug'], ['fwdAlloc', 'FwdAlloc'],
      ['wmemQueued', 'WmemQueued'], ['optmem', 'Optmem'], ['backlog', 'Backlog'], ['drops', 'Drops']],
    (s) => s.skMemInfo,
  ),
  ...structColumns('Vegas', [['enabled', 'Enabled'], ['rttCount', 'RTTCount'], ['rttUsec', 'RTT'], ['minRttUsec', 'MinRTT']], (s) => s.vegasInfo),
  ...structColumns('DCTCP', [['enabled', 'Enabled'], ['ceState', 'CEState'], ['alpha', 'Alpha'], ['abEcn', 'ABEcn'], ['abTot', 'ABTot']], (s) => s.dctcpInfo),
  {
    name: 'BBR.BW',
    value: (s) => (s.bbrInfo === undefined ? '' : String(BigInt.asIntN(64, s.bbrInfo.bw))),
  },
  ...structColumns('BBR', [['minRttUsec', 'MinRTT'], ['pacingGain', 'PacingGain'], ['cwndGain', 'CwndGain']], (s) => s.bbrInfo),
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

/** Quotes a field as Go's encoding/csv does (only when needed). */
export function csvField(text: string): string {
  if (text === '') return text;
  if (!/[",\r\n]/.test(text) && text[0] !== ' ' && text[0] !== '\t' && text !== '\\.') return text;
  return '"' + text.replace(/"/g, '""') + '"';
}
