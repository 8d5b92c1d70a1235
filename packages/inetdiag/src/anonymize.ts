import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { isV4Mapped } from './address.js';
import { AF_INET, AF_INET6, SIZEOF_INET_DIAG_MSG } from './constants.js';
import { IDIAG_DST_OFFSET, IDIAG_FAMILY_OFFSET, IDIAG_SRC_OFFSET } from './inet-diag-msg-layout.js';
import { InetDiagParseError } from './errors.js';

/** How addresses are anonymized in written records (`-anonymize.ip`). */
export type AnonymizationMethod = 'none' | 'netblock';

/** Rewrites the addresses of a raw inet_diag_msg. */
export interface Anonymizer {
  readonly method: AnonymizationMethod;
  /**
   * Returns `rawIdm` itself when nothing changes, otherwise an anonymized copy;
   * never modifies `rawIdm` (it may be a view into a datagram, or a cached copy
   * the change detection compares against).
   */
  anonymize(rawIdm: Uint8Array): Uint8Array;
}

/** Parses an `-anonymize.ip` value; anything but `none` or `netblock` is an error. */
export function parseAnonymizationMethod(value: string): AnonymizationMethod {
  if (value === 'none' || value === 'netblock') return value;
  throw new InetDiagParseError('INVALID', `unknown IP anonymization method "${value}" (want none or netblock)`);
}

/** This host's interface addresses as 16-byte keys (v4 as v4-mapped), for the netblock exemption. */
function localAddressKeys(addrs?: Iterable<Uint8Array | string>): Set<string> {
  const keys = new Set<string>();
  const add = (b: Uint8Array) => keys.add(Buffer.from(b).toString('hex'));
  if (addrs === undefined) {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) add(addressToBytes16(a.address));
    }
  } else {
    for (const a of addrs) add(typeof a === 'string' ? addressToBytes16(a) : to16(a));
  }
  return keys;
}

function to16(b: Uint8Array): Uint8Array {
  if (b.length === 16) return b;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(b.subarray(0, 4), 12);
  return out;
}

/** Textual IPv4/IPv6 address to 16 bytes (IPv4 as v4-mapped); a scope id (`%eth0`) is ignored. */
export function addressToBytes16(text: string): Uint8Array {
  const addr = text.split('%')[0]!;
  if (isIPv4(addr)) return to16(Uint8Array.from(addr.split('.').map(Number)));
  if (!isIPv6(addr)) throw new InetDiagParseError('INVALID', `not an IP address: "${text}"`);
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  let hex = addr;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    hex = addr.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = hex.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

/**
 * An anonymizer per SPEC §6. `netblock` zeroes the last byte of IPv4 addresses
 * (/24; v4-mapped ones too) and bytes 6..15 of IPv6 addresses (/48), except
 * addresses of this host's interfaces (`localAddrs`, default: read from
 * `os.networkInterfaces()` once, now).
 */
export function createAnonymizer(method: AnonymizationMethod, localAddrs?: Iterable<Uint8Array | string>): Anonymizer {
  if (method === 'none') return { method, anonymize: (rawIdm) => rawIdm };
  parseAnonymizationMethod(method);
  const local = localAddressKeys(localAddrs);
  const key16 = new Uint8Array(16);
  const isLocal = (field: Uint8Array, v6: boolean): boolean => {
    if (v6) return local.has(Buffer.from(field.buffer, field.byteOffset, 16).toString('hex'));
    key16.fill(0);
    key16[10] = 0xff;
    key16[11] = 0xff;
    key16.set(field.subarray(0, 4), 12);
    return local.has(Buffer.from(key16).toString('hex'));
  };
  return {
    method,
    anonymize(rawIdm: Uint8Array): Uint8Array {
      if (rawIdm.length < SIZEOF_INET_DIAG_MSG) {
        throw new InetDiagParseError('TRUNCATED', `inet_diag_msg needs ${SIZEOF_INET_DIAG_MSG} bytes, got ${rawIdm.length}`);
      }
      const family = rawIdm[IDIAG_FAMILY_OFFSET];
      if (family !== AF_INET && family !== AF_INET6) {
        throw new InetDiagParseError('INVALID', `cannot anonymize address family ${family}`);
      }
      const copy = new Uint8Array(rawIdm); // a copy, whatever the input's type
      for (const at of [IDIAG_SRC_OFFSET, IDIAG_DST_OFFSET]) {
        const field = copy.subarray(at, at + 16);
        if (family === AF_INET) {
          // AF_INET keeps the address in the first 4 bytes.
          if (!isLocal(field, false)) field[3] = 0;
        } else if (isV4Mapped(field)) {
          if (!isLocal(field, true)) field[15] = 0;
        } else if (!isLocal(field, true)) {
          field.fill(0, 6, 16);
        }
      }
      return copy;
    },
  };
}
