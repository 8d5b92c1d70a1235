// @tcpinfo/netlink: making, encoding, parsing and comparing archived records.
import { ArchivalRecord, ChangeType, comparePayloads, GoTime } from '@tcpinfo/netlink';
import { findAttribute, loadLines, loadPayloads } from './fixtures.mjs';

const INET_DIAG_INFO = 2;
const IDIAG_EXPIRES = 52;
const IDIAG_COOKIE = 44;
const TCPI_LAST_DATA_SENT = 44; // … last_ack_recv ends at 60: timers the original ignores
const TCPI_BYTES_ACKED = 120;
const CYCLE_SOCKETS = 10_000;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// An established IPv4 socket as Linux 6.18 reports it (516 bytes, 280-byte tcp_info).
const message = loadPayloads().find((p) => p[0] === 2 && p[1] === 1);
const [infoStart, infoEnd] = findAttribute(message, INET_DIAG_INFO);
assert(infoEnd - infoStart === 280, 'fixture: expected a 280-byte tcp_info');
const timestamp = GoTime.parse('2026-11-25T02:37:31.123456789Z');

/** The next snapshot of an idle socket: only idiag_expires and the last_* timers moved. */
function idleSnapshot(payload, tick) {
  const next = Buffer.from(payload);
  next.writeUInt32LE(tick * 10, IDIAG_EXPIRES);
  for (let i = 0; i < 4; i++) next.writeUInt32LE(1000 + tick, infoStart + TCPI_LAST_DATA_SENT + 4 * i);
  return next;
}
/** The next snapshot of a busy socket: tcpi_bytes_acked grew. */
function busySnapshot(payload) {
  const next = Buffer.from(payload);
  next.writeBigUInt64LE(next.readBigUInt64LE(infoStart + TCPI_BYTES_ACKED) + 1448n, infoStart + TCPI_BYTES_ACKED);
  return next;
}

const idle = idleSnapshot(message, 7);
const busy = busySnapshot(message);

// A whole cycle: 10,000 idle sockets (distinct cookies), previous and current snapshot.
const cyclePrev = [];
const cycleCur = [];
for (let i = 0; i < CYCLE_SOCKETS; i++) {
  const socket = Buffer.from(message);
  socket.writeBigUInt64LE(BigInt(i + 1), IDIAG_COOKIE);
  cyclePrev.push(socket);
  cycleCur.push(idleSnapshot(socket, i));
}

const record = ArchivalRecord.fromMessage(message, timestamp);
const line = record.toJSONLine();
const originalLines = loadLines('archiveRecords.jsonl.zst');
let nextLine = 0;

function checkRecordOfMessage(r) {
  assert(r instanceof ArchivalRecord, 'no record');
  assert(Buffer.compare(r.rawIdm, message.subarray(0, 72)) === 0, 'RawIDM differs from the message');
  assert(Buffer.compare(r.attribute(INET_DIAG_INFO), message.subarray(infoStart, infoEnd)) === 0, 'tcp_info differs');
}

/** @type {import('./harness.mjs').BenchCase[]} */
export const cases = [
  {
    name: 'fromMessage (6.18 message, 516 B)',
    unit: 'records',
    run: () => ArchivalRecord.fromMessage(message, timestamp),
    check: checkRecordOfMessage,
  },
  {
    name: 'toJSONLine (record from a 6.18 message)',
    unit: 'lines',
    run: () => record.toJSONLine(),
    check: (text) => {
      const json = JSON.parse(text);
      assert(json.Timestamp === '2026-11-25T02:37:31.123456789Z', 'Timestamp');
      assert(Buffer.from(json.RawIDM, 'base64').equals(message.subarray(0, 72)), 'RawIDM');
      assert(Buffer.from(json.Attributes[INET_DIAG_INFO], 'base64').equals(message.subarray(infoStart, infoEnd)), 'tcp_info');
    },
  },
  {
    name: 'fromMessage + toJSONLine (a changed snapshot)',
    unit: 'lines',
    run: () => ArchivalRecord.fromMessage(busy, timestamp).toJSONLine(),
    check: (text) => assert(text.length === line.length && text !== line, 'line of the busy snapshot'),
  },
  {
    name: 'parseLine (original archiveRecords.jsonl)',
    unit: 'lines',
    run: () => {
      const text = originalLines[nextLine];
      nextLine = (nextLine + 1) % originalLines.length;
      return [text, ArchivalRecord.parseLine(text)];
    },
    check: ([text, r]) => assert(r.toJSONLine() === text, 'round trip'),
  },
  {
    name: 'comparePayloads, idle socket (daemon hot path)',
    unit: 'compares',
    run: () => comparePayloads(message, idle),
    check: (change) => assert(change === ChangeType.NoMajorChange, `expected NoMajorChange, got ${change}`),
  },
  {
    name: 'comparePayloads, counters changed',
    unit: 'compares',
    run: () => comparePayloads(message, busy),
    check: (change) => assert(change === ChangeType.StateOrCounterChange, `expected StateOrCounterChange, got ${change}`),
  },
  {
    name: 'comparePayloads, cycle of 10,000 idle sockets',
    unit: 'sockets',
    items: CYCLE_SOCKETS,
    run: () => {
      let unchanged = 0;
      for (let i = 0; i < CYCLE_SOCKETS; i++) if (comparePayloads(cyclePrev[i], cycleCur[i]) === ChangeType.NoMajorChange) unchanged++;
      return unchanged;
    },
    check: (unchanged) => assert(unchanged === CYCLE_SOCKETS, `only ${unchanged} unchanged`),
  },
  {
    name: 'baseline: Buffer.equals of two whole payloads',
    unit: 'compares',
    run: () => message.equals(idle),
    check: (equal) => assert(equal === false, 'payloads differ in the timers'),
  },
  {
    name: 'record.compare (records from messages)',
    unit: 'compares',
    run: () => ArchivalRecord.fromMessage(idle, timestamp).compare(record),
    check: (change) => assert(change === ChangeType.NoMajorChange, `expected NoMajorChange, got ${change}`),
  },
  {
    name: 'GoTime.now().toString()',
    unit: 'timestamps',
    run: () => GoTime.now().toString(),
    check: (text) => assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text), `bad timestamp ${text}`),
  },
];
