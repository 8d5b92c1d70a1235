/**
 * Whether a 16-byte inet_diag address field holds an IPv6 address: the
 * original's rule (any of bytes 4..15 non-zero), which also applies to AF_INET6
 * sockets. An all-zero field is therefore IPv4 0.0.0.0.
 */
export function isIPv6Address(field: Uint8Array): boolean {
  for (let i = 4; i < 16; i++) if (field[i] !== 0) return true;
  return false;
}

/** Whether 16 address bytes are an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function dotted(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/**
 * Formats an address exactly as Go's `net.IP.String()`: 4 bytes as dotted IPv4;
 * 16 bytes as dotted IPv4 when v4-mapped, otherwise RFC 5952 (lower-case hex,
 * the longest run of two or more zero groups compressed to `::`, the first run
 * on ties). Other lengths give Go's `?` + hex form.
 */
export function formatIP(bytes: Uint8Array): string {
  if (bytes.length === 4) return dotted(bytes, 0);
  if (bytes.length !== 16) return bytes.length === 0 ? '<nil>' : '?' + Buffer.from(bytes).toString('hex');
  if (isV4Mapped(bytes)) return dotted(bytes, 12);
  let bestStart = -1;
  let bestLen = 0;
  for (let g = 0; g < 8; ) {
    if (bytes[2 * g] === 0 && bytes[2 * g + 1] === 0) {
      let end = g;
      while (end < 8 && bytes[2 * end] === 0 && bytes[2 * end + 1] === 0) end++;
      if (end - g > bestLen) {
        bestStart = g;
        bestLen = end - g;
      }
      g = end;
    } else {
      g++;
    }
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += ((bytes[2 * g]! << 8) | bytes[2 * g + 1]!).toString(16);
  }
  return out;
}

/**
 * Formats a 16-byte inet_diag address field as the original does: IPv6 (see
 * {@link isIPv6Address}) through {@link formatIP}, otherwise the first 4 bytes as IPv4.
 */
export function formatGoIP(field: Uint8Array): string {
  return isIPv6Address(field) ? formatIP(field.subarray(0, 16)) : dotted(field, 0);
}
