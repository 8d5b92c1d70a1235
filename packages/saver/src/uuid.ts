import { readFileSync } from 'node:fs';
import { hostname, uptime } from 'node:os';

/**
 * A connection's UUID (SPEC §5): `<prefix>_<cookie as 16 upper-case hex digits>`.
 * The cookie comes in as the two 32-bit halves read from the raw
 * inet_diag_msg, so it never passes through a 64-bit JS number.
 */
export function uuidFromCookie(prefix: string, cookieHi: number, cookieLo: number): string {
  return `${prefix}_${hex8(cookieHi)}${hex8(cookieLo)}`;
}

/** The 16 upper-case hex digits of the cookie stored little-endian at `offset` (`IDIAG_COOKIE_OFFSET` in an inet_diag_msg). */
export function cookieHexAt(bytes: Uint8Array, offset: number): string {
  return hex8(readU32LE(bytes, offset + 4)) + hex8(readU32LE(bytes, offset));
}

function readU32LE(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * The UUID prefix used without `-uuid-prefix-file`, as the original's uuid
 * package builds it: `<$POD_NAME or host name>_<boot time, Unix seconds>_unsafe`
 * ("unsafe" because two hosts could share a name).
 */
export function defaultUuidPrefix(env: NodeJS.ProcessEnv = process.env, nowMs = Date.now()): string {
  const name = env.POD_NAME !== undefined && env.POD_NAME !== '' ? env.POD_NAME : hostname();
  return `${name}_${bootTimeSeconds(nowMs)}_unsafe`;
}

/** Boot time in Unix seconds: `btime` of /proc/stat, else now minus the uptime. */
function bootTimeSeconds(nowMs: number): number {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall back to the uptime
  }
  return Math.floor(nowMs / 1000 - uptime());
}

/**
 * Reads `-uuid-prefix-file`: its exact content is the prefix (no trimming, as
 * the original). Throws a one-line Error when it cannot be read or is empty.
 */
export function readUuidPrefixFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read uuid prefix file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (text === '') throw new Error(`uuid prefix file ${path} is empty`);
  return text;
}
