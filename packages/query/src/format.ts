import type { ConnectionAnswer, ConnectionListEntry } from '@tcpinfo/eventsocket';
import { AF_INET6, decodeInetDiagMsg } from '@tcpinfo/inetdiag';
import { decodeRecord, snapshotToJson } from '@tcpinfo/parse';
import { tcpStateName } from '@tcpinfo/tcp';
import { congestionOf, figuresOf, keyFields, type FlowState } from './figures.js';

/** Address and port as a URL authority writes them: `192.0.2.1:80`, `[2001:db8::1]:80`. */
function endpoint(address: string, port: number, v6: boolean): string {
  return v6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The identity of a flow from its latest record: addresses exactly as written to its file. */
function identity(flow: FlowState): Pick<ConnectionListEntry, 'uuid' | 'cookie' | 'family' | 'src' | 'dst' | 'state'> {
  const idm = decodeInetDiagMsg(flow.latest.rawIdm!);
  const v6 = idm.family === AF_INET6;
  return {
    uuid: flow.uuid,
    cookie: `0x${flow.cookieHex.toLowerCase()}`,
    family: v6 ? 'ipv6' : 'ipv4',
    src: endpoint(idm.id.src, idm.id.sport, v6),
    dst: endpoint(idm.id.dst, idm.id.dport, v6),
    state: tcpStateName(idm.state),
  };
}

/** One element of `GET /connections`. */
export function listEntry(flow: FlowState): ConnectionListEntry {
  const k = keyFields(flow.latest);
  return {
    ...identity(flow),
    bytesAcked: k.bytesAcked,
    bytesReceived: k.bytesReceived,
    rttUs: k.rttUs,
    cwnd: k.cwnd,
    deliveryRate: k.deliveryRate,
  };
}

/**
 * The JSON text of `GET /connections/{uuid}`: identity, figures at `nowMs`
 * (the close time for a closed flow) and the latest snapshot in @tcpinfo/parse's
 * JSON (spliced in as text: it is already JSON).
 */
export function answerJson(flow: FlowState, nowMs: number): string {
  const closed = flow.closedAtMs !== undefined;
  const congestion = flow.congestion ?? congestionOf(flow.latest);
  const head: Omit<ConnectionAnswer, 'snapshot'> = {
    ...identity(flow),
    closed,
    ...(closed ? { closedAt: flow.closedAt! } : {}),
    ...(congestion !== undefined ? { congestion } : {}),
    figures: figuresOf(flow, closed ? flow.closedAtMs! : nowMs),
  };
  const text = JSON.stringify(head);
  return `${text.slice(0, -1)},"snapshot":${snapshotToJson(undefined, decodeRecord(flow.latest).snapshot)}}`;
}
