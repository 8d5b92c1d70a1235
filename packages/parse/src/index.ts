export * from './errors.js';
export * from './input.js';
export * from './original-rules.js';
export * from './snapshot.js';
export * from './readers.js';
export * from './connection.js';
export * from './snapshot-json.js';
export * from './csv/columns.js';
export * from './csv/to-csv.js';
export * from './csv/raw-row.js';
export * from './csv/byte-output.js';
export * from './csv/record-slots.js';
export * from './csv/line-scanner.js';
export * from './csv/put-text.js';
export * from './csv/line-converter.js';
// Every type a public signature of this package mentions, so consumers import them from here.
export { GoTime, ArchivalRecord, type Metadata } from '@tcpinfo/netlink';
export type { InetDiagMsg, InetDiagSockId, MemInfo, SkMemInfo, VegasInfo, DctcpInfo, BbrInfo, SockOpt, StructLength } from '@tcpinfo/inetdiag';
export type { TcpInfo, TcpInfoValues } from '@tcpinfo/tcp';
