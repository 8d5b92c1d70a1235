import { ASCII } from '@tcpinfo/go-format';
import { INET_DIAG_ATTRIBUTES, INET_DIAG_INFO } from '@tcpinfo/inetdiag';
import { TCP_INFO_FIELDS } from '@tcpinfo/tcp';
import type { ByteOutput } from './byte-output.js';
import { EXTRA_COLUMNS } from './columns.js';
import { putUint, putUint64 } from './put-text.js';
import { HOST_IS_LITTLE_ENDIAN, type RecordSlots } from './record-slots.js';

/**
 * The columns `all` adds (EXTRA_COLUMNS in columns.ts) printed straight from
 * a record's bytes, for the records where that is simple: those whose
 * attributes are tcp_info and the ones only the original's columns show.
 * Then the extras are the newer tcp_info fields (decimal, empty beyond the
 * value's end, as tcpInfoOnAccess reads them), TCP.InfoLength, and empty
 * fields. Any other record (SKV6ONLY, LOCALS, CGROUP_ID …, or an attribute
 * without a decoder: OtherAttributes) takes the snapshot path; so did every
 * record before, at ~15 % of `--columns=all`'s CPU (a snapshot, a getter and a
 * string per field). to-csv.test.ts holds this path to the column table's
 * (generated records of any attributes) and the sample files' CSVs.
 */

const { COMMA } = ASCII;

/** Snapshot fields the extra columns read besides tcpInfo: a record with one of these attributes takes the snapshot path. */
const EXTRA_COLUMN_FIELDS: ReadonlySet<string> = new Set(['skv6only', 'locals', 'peers', 'classId', 'cgroupId', 'sockOpt']);

/** Per attribute type: 1 when a record holding it may print its extras from bytes (decoded into a field the extras do not read). */
const PLAIN_TYPE = Uint8Array.from(INET_DIAG_ATTRIBUTES, (a) => (a.field !== undefined && !EXTRA_COLUMN_FIELDS.has(a.field) ? 1 : 0));

/** The tcp_info fields the original has no column for, in EXTRA_COLUMNS' order, as parallel arrays. */
const EXTRA_TCP = TCP_INFO_FIELDS.filter((f) => f.goColumn === undefined);
const TCP_OFFSET = Int32Array.from(EXTRA_TCP, (f) => f.offset);
const TCP_END = Int32Array.from(EXTRA_TCP, (f) => f.offset + f.size);
const TCP_SIZE = Int8Array.from(EXTRA_TCP, (f) => f.size);
const TCP_SHIFT = Int8Array.from(EXTRA_TCP, (f) => f.bits?.shift ?? 0);
const TCP_MASK = Int32Array.from(EXTRA_TCP, (f) => (f.bits ? (1 << f.bits.width) - 1 : 0xff));
for (const f of EXTRA_TCP) {
  // Word loads below need the kernel's natural alignment (values start 8-aligned in the slots).
  if (f.size > 1 && f.offset % Math.min(f.size, 4) !== 0) throw new Error(`tcp_info field ${f.name} is not aligned`);
}
/**
 * Columns after the tcp_info fields and TCP.InfoLength (SKV6Only, Locals, Peers,
 * ClassIDFull, CGroupID, SockOpt, OtherAttributes): empty here. Counted from the
 * column table, so a column added there is not silently left out here.
 */
const EMPTY_TAIL = EXTRA_COLUMNS.length - EXTRA_TCP.length - 1;
/** Room for a row's extras: every field at 20 digits and a comma. */
const ROOM = (EXTRA_TCP.length + 1 + EMPTY_TAIL) * 21;

/** Whether {@link writeExtrasFromBytes} prints this record (every attribute it holds is plain). */
function plainRecord(s: RecordSlots): boolean {
  const { count, start } = s;
  if (count > PLAIN_TYPE.length) {
    for (let type = PLAIN_TYPE.length; type < count; type++) if (start[type]! >= 0) return false;
  }
  for (let type = 0; type < count && type < PLAIN_TYPE.length; type++) {
    if (start[type]! >= 0 && PLAIN_TYPE[type] === 0) return false;
  }
  return true;
}

/**
 * Writes the extra columns of the record in `s` (each after a comma) and
 * returns true, or writes nothing and returns false when the record needs
 * the snapshot path.
 */
export function writeExtrasFromBytes(out: ByteOutput, s: RecordSlots): boolean {
  if (!plainRecord(s)) return false;
  out.reserve(ROOM);
  const buf = out.buffer;
  let pos = out.position;
  const info = INET_DIAG_INFO < s.count ? s.start[INET_DIAG_INFO]! : -1;
  if (info < 0) {
    for (let i = 0; i <= EXTRA_TCP.length; i++) buf[pos++] = COMMA; // the fields and InfoLength
  } else {
    const length = s.length[INET_DIAG_INFO]!;
    const b = s.bytes;
    const w = s.u32;
    for (let i = 0; i < TCP_OFFSET.length; i++) {
      buf[pos++] = COMMA;
      if (TCP_END[i]! > length) continue; // beyond the value's end: absent
      const at = info + TCP_OFFSET[i]!;
      switch (TCP_SIZE[i]) {
        case 1: pos = putUint(buf, pos, (b[at]! >>> TCP_SHIFT[i]!) & TCP_MASK[i]!); break;
        case 2: pos = putUint(buf, pos, b[at]! | (b[at + 1]! << 8)); break;
        case 4: pos = putUint(buf, pos, HOST_IS_LITTLE_ENDIAN ? w[at >>> 2]! : b.readUInt32LE(at)); break;
        default: pos = HOST_IS_LITTLE_ENDIAN ? putUint64(buf, pos, w[at >>> 2]!, w[(at >>> 2) + 1]!) : putUint64(buf, pos, b.readUInt32LE(at), b.readUInt32LE(at + 4));
      }
    }
    buf[pos++] = COMMA;
    pos = putUint(buf, pos, length);
  }
  for (let i = 0; i < EMPTY_TAIL; i++) buf[pos++] = COMMA;
  out.position = pos;
  return true;
}
