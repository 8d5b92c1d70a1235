import { IDIAG_DST_OFFSET, IDIAG_SPORT_OFFSET, IDIAG_SRC_OFFSET, SIZEOF_INET_DIAG_MSG } from '@tcpinfo/inetdiag';
import { isIPv4, isIPv6 } from 'node:net';
import { NetlinkParseError } from './errors.js';

const ADDRESS_SIZE = 16;

/** What to exclude besides the always-dropped local addresses. */
export interface ExclusionRulesInit {
  /** Source ports (host numbers, 0..65535) whose connections are dropped. */
  readonly srcPorts?: Iterable<number>;
  /**
   * Destination addresses whose connections are dropped: strings, or 16-byte
   * addresses in the kernel's layout (IPv4 in the first 4 bytes).
   */
  readonly dstIPs?: Iterable<string | Uint8Array>;
  /**
   * Drop loopback, link-local unicast, multicast and unspecified sources or
   * destinations (default true, as the daemon always does; false only for tools
   * that archive everything).
   */
  readonly local?: boolean;
}

/** {@link parseExclusionFlags}' result: the rules and one message per value skipped. */
export interface ParsedExclusionRules {
  readonly rules: ExclusionRules;
  /** Human-readable reasons for each flag value that did not parse (for the caller to log). */
  readonly warnings: string[];
}

/**
 * Which connections are never archived (SPEC §6). Decides from the raw
 * inet_diag_msg, before any anonymization.
 */
export class ExclusionRules {
  readonly #srcPorts: Set<number>;
  // Destination keys in the kernel's layout; IPv4 in the first 4 bytes.
  readonly #dstIPs: Uint8Array[];
  readonly #local: boolean;

  /**
   * Throws {@link NetlinkParseError} `BAD_EXCLUSION_RULE` for a port that is not an
   * integer in 0..65535 or an address that does not parse (use
   * {@link parseExclusionFlags} to skip such values with a warning instead).
   */
  constructor(init: ExclusionRulesInit = {}) {
    this.#local = init.local ?? true;
    this.#srcPorts = new Set();
    for (const port of init.srcPorts ?? []) {
      if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
        throw new NetlinkParseError('BAD_EXCLUSION_RULE', `not a port number: ${String(port)}`);
      }
      this.#srcPorts.add(port);
    }
    this.#dstIPs = [];
    for (const ip of init.dstIPs ?? []) {
      const bytes = typeof ip === 'string' ? parseIPAddress(ip) : ip;
      if (bytes === undefined || bytes.length !== ADDRESS_SIZE) {
        throw new NetlinkParseError('BAD_EXCLUSION_RULE', `not an IP address: ${String(ip)}`);
      }
      this.#dstIPs.push(Uint8Array.from(kernelV4Key(bytes, 0)));
    }
  }

  /**
   * True when the connection described by `rawIdm` (a struct inet_diag_msg of at
   * least 72 bytes; a shorter one is never excluded) must not be archived:
   * its source port is listed; its source or destination is loopback,
   * link-local unicast, multicast or unspecified (v4-mapped addresses by their
   * IPv4 value); or its destination is listed. A listed IPv4 destination also
   * matches the same address v4-mapped on an IPv6 socket.
   */
  excludes(rawIdm: Uint8Array): boolean {
    if (rawIdm.length < SIZEOF_INET_DIAG_MSG) return false;
    if (this.#srcPorts.size > 0) {
      const sport = (rawIdm[IDIAG_SPORT_OFFSET]! << 8) | rawIdm[IDIAG_SPORT_OFFSET + 1]!; // big-endian
      if (this.#srcPorts.has(sport)) return true;
    }
    if (this.#local && (isLocalAddress(rawIdm, IDIAG_SRC_OFFSET) || isLocalAddress(rawIdm, IDIAG_DST_OFFSET))) {
      return true;
    }
    if (this.#dstIPs.length > 0) {
      const dst = kernelV4Key(rawIdm, IDIAG_DST_OFFSET);
      const dstOffset = dst === rawIdm ? IDIAG_DST_OFFSET : 0;
      for (const key of this.#dstIPs) {
        if (equal16(key, dst, dstOffset)) return true;
      }
    }
    return false;
  }
}

/**
 * Builds rules from the daemon's flag values: `-exclude-srcport` and
 * `-exclude-dstip` values, each possibly comma-separated. A value that does not
 * parse is skipped and described in `warnings` (the caller logs them); it never
 * throws.
 */
export function parseExclusionFlags(
  srcPortValues: readonly string[] = [],
  dstIPValues: readonly string[] = [],
): ParsedExclusionRules {
  const warnings: string[] = [];
  const srcPorts: number[] = [];
  const dstIPs: Uint8Array[] = [];
  for (const item of splitFlagValues(srcPortValues)) {
    const port = parsePort(item);
    if (port === undefined) warnings.push(`exclude-srcport: not a port number, skipped: ${JSON.stringify(item)}`);
    else srcPorts.push(port);
  }
  for (const item of splitFlagValues(dstIPValues)) {
    const ip = parseIPAddress(item);
    if (ip === undefined) warnings.push(`exclude-dstip: not an IP address, skipped: ${JSON.stringify(item)}`);
    else dstIPs.push(ip);
  }
  return { rules: new ExclusionRules({ srcPorts, dstIPs }), warnings };
}

/**
 * Parses an IPv4 (dotted quad) or IPv6 address the way Go's `net.ParseIP` does
 * (no zone, no leading zeros in IPv4 parts) into 16 bytes in the kernel's
 * inet_diag layout: IPv4 (and v4-mapped IPv6) in the first 4 bytes, rest zero.
 * Returns undefined when `text` is not an address.
 */
export function parseIPAddress(text: string): Uint8Array | undefined {
  const out = new Uint8Array(ADDRESS_SIZE);
  if (isIPv4(text)) {
    const parts = text.split('.');
    if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
    parts.forEach((p, i) => (out[i] = Number(p)));
    return out;
  }
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const groups = expandIPv6(text);
  if (groups === undefined) return undefined;
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return kernelV4Key(out, 0);
}

/**
 * True when the 16-byte address at `bytes[offset]` (kernel layout) is loopback,
 * link-local unicast, multicast or unspecified. IPv4 is recognised as the
 * original does (bytes 4..15 all zero); a v4-mapped IPv6 address counts by its
 * IPv4 value, like Go's `net.IP` methods.
 */
export function isLocalAddress(bytes: Uint8Array, offset = 0): boolean {
  let isV6 = false;
  for (let i = 4; i < ADDRESS_SIZE; i++) {
    if (bytes[offset + i] !== 0) {
      isV6 = true;
      break;
    }
  }
  let v4 = offset;
  if (isV6) {
    if (!isV4Mapped(bytes, offset)) return isLocalIPv6(bytes, offset);
    v4 = offset + 12;
  }
  const a = bytes[v4]!;
  const b = bytes[v4 + 1]!;
  return (
    a === 127 || // loopback 127/8
    (a === 169 && b === 254) || // link-local 169.254/16
    (a & 0xf0) === 0xe0 || // multicast 224/4
    (a === 0 && b === 0 && bytes[v4 + 2] === 0 && bytes[v4 + 3] === 0) // 0.0.0.0
  );
}

function isLocalIPv6(bytes: Uint8Array, offset: number): boolean {
  const first = bytes[offset]!;
  if (first === 0xff) return true; // multicast ff00::/8
  if (first === 0xfe && (bytes[offset + 1]! & 0xc0) === 0x80) return true; // link-local fe80::/10
  // ::1 (and ::, which the IPv4 rule already caught as 0.0.0.0)
  for (let i = 0; i < 15; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 15]! <= 1;
}

function isV4Mapped(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 10; i++) if (bytes[offset + i] !== 0) return false;
  return bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff;
}

/**
 * The address at `bytes[offset]` as a comparison key: a v4-mapped address
 * becomes a new 16-byte array with the IPv4 value in front (kernel AF_INET
 * layout); any other address is returned as is (the same array).
 */
function kernelV4Key(bytes: Uint8Array, offset: number): Uint8Array {
  if (!isV4Mapped(bytes, offset)) return offset === 0 ? bytes : bytes.subarray(offset, offset + ADDRESS_SIZE);
  const key = new Uint8Array(ADDRESS_SIZE);
  key.set(bytes.subarray(offset + 12, offset + 16), 0);
  return key;
}

function equal16(a: Uint8Array, b: Uint8Array, bOffset: number): boolean {
  for (let i = 0; i < ADDRESS_SIZE; i++) if (a[i] !== b[bOffset + i]) return false;
  return true;
}

/** Expands a valid IPv6 text (already checked by `net.isIPv6`) into 8 groups. */
function expandIPv6(text: string): number[] | undefined {
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  const lastPart = text.slice(lastColon + 1);
  if (lastPart.includes('.')) {
    // An embedded IPv4 tail ("::ffff:1.2.3.4") stands for the last two groups.
    const v4 = parseIPAddress(lastPart);
    if (v4 === undefined) return undefined;
    hex = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = hex.split('::');
  const toGroups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const head = toGroups(halves[0]);
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const rest = toGroups(halves[1]);
  const missing = 8 - head.length - rest.length;
  // Like Go, "::" must stand for at least one group.
  if (halves.length > 2 || missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...rest];
}

function* splitFlagValues(values: readonly string[]): Generator<string> {
  for (const value of values) {
    for (const item of value.split(',')) {
      const trimmed = item.trim();
      if (trimmed !== '') yield trimmed;
    }
  }
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 0xffff ? port : undefined;
}
