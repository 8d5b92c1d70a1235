/**
 * `struct inet_diag_msg` (include/uapi/linux/inet_diag.h) as data: the byte
 * offset of every field, so that no other module writes 44 for the cookie or
 * 72 for the header's size. {@link INET_DIAG_MSG_FIELDS} lists them in kernel
 * order; a test proves they tile the 72 bytes without a gap.
 */

/** `idiag_family` (u8): AF_INET or AF_INET6. */
export const IDIAG_FAMILY_OFFSET = 0;
/** `idiag_state` (u8): the TCP state. */
export const IDIAG_STATE_OFFSET = 1;
/** `idiag_timer` (u8): which timer is pending. */
export const IDIAG_TIMER_OFFSET = 2;
/** `idiag_retrans` (u8). */
export const IDIAG_RETRANS_OFFSET = 3;
/** `id.idiag_sport` (u16, big-endian). */
export const IDIAG_SPORT_OFFSET = 4;
/** `id.idiag_dport` (u16, big-endian). */
export const IDIAG_DPORT_OFFSET = 6;
/** `id.idiag_src` (16 bytes: an IPv4 address in the first 4). */
export const IDIAG_SRC_OFFSET = 8;
/** `id.idiag_dst` (16 bytes). */
export const IDIAG_DST_OFFSET = 24;
/** `id.idiag_if` (u32, host order). */
export const IDIAG_INTERFACE_OFFSET = 40;
/** `id.idiag_cookie` (u64, host order, stored as two u32 halves): the connection's key. */
export const IDIAG_COOKIE_OFFSET = 44;
/** Low 32 bits of the cookie. */
export const IDIAG_COOKIE_LO_OFFSET = IDIAG_COOKIE_OFFSET;
/** High 32 bits of the cookie. */
export const IDIAG_COOKIE_HI_OFFSET = IDIAG_COOKIE_OFFSET + 4;
/** `idiag_expires` (u32, ms): changes all the time, so change detection ignores it. */
export const IDIAG_EXPIRES_OFFSET = 52;
/** `idiag_rqueue` (u32). */
export const IDIAG_RQUEUE_OFFSET = 56;
/** `idiag_wqueue` (u32). */
export const IDIAG_WQUEUE_OFFSET = 60;
/** `idiag_uid` (u32). */
export const IDIAG_UID_OFFSET = 64;
/** `idiag_inode` (u32). */
export const IDIAG_INODE_OFFSET = 68;

/** How a field of the header is stored. */
export type InetDiagMsgFieldKind = 'u8' | 'u16be' | 'u32le' | 'u64le' | 'address';

/** One field of `struct inet_diag_msg`. */
export interface InetDiagMsgField {
  /** The kernel's name (`idiag_cookie`; the `id.` fields without their prefix). */
  readonly kernelName: string;
  readonly offset: number;
  readonly size: 1 | 2 | 4 | 8 | 16;
  readonly kind: InetDiagMsgFieldKind;
}

/** Every field of `struct inet_diag_msg`, in kernel order. */
export const INET_DIAG_MSG_FIELDS: readonly InetDiagMsgField[] = [
  { kernelName: 'idiag_family', offset: IDIAG_FAMILY_OFFSET, size: 1, kind: 'u8' },
  { kernelName: 'idiag_state', offset: IDIAG_STATE_OFFSET, size: 1, kind: 'u8' },
  { kernelName: 'idiag_timer', offset: IDIAG_TIMER_OFFSET, size: 1, kind: 'u8' },
  { kernelName: 'idiag_retrans', offset: IDIAG_RETRANS_OFFSET, size: 1, kind: 'u8' },
  { kernelName: 'idiag_sport', offset: IDIAG_SPORT_OFFSET, size: 2, kind: 'u16be' },
  { kernelName: 'idiag_dport', offset: IDIAG_DPORT_OFFSET, size: 2, kind: 'u16be' },
  { kernelName: 'idiag_src', offset: IDIAG_SRC_OFFSET, size: 16, kind: 'address' },
  { kernelName: 'idiag_dst', offset: IDIAG_DST_OFFSET, size: 16, kind: 'address' },
  { kernelName: 'idiag_if', offset: IDIAG_INTERFACE_OFFSET, size: 4, kind: 'u32le' },
  { kernelName: 'idiag_cookie', offset: IDIAG_COOKIE_OFFSET, size: 8, kind: 'u64le' },
  { kernelName: 'idiag_expires', offset: IDIAG_EXPIRES_OFFSET, size: 4, kind: 'u32le' },
  { kernelName: 'idiag_rqueue', offset: IDIAG_RQUEUE_OFFSET, size: 4, kind: 'u32le' },
  { kernelName: 'idiag_wqueue', offset: IDIAG_WQUEUE_OFFSET, size: 4, kind: 'u32le' },
  { kernelName: 'idiag_uid', offset: IDIAG_UID_OFFSET, size: 4, kind: 'u32le' },
  { kernelName: 'idiag_inode', offset: IDIAG_INODE_OFFSET, size: 4, kind: 'u32le' },
];
