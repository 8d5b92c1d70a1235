/** Netlink protocol number of sock_diag. */
export const NETLINK_SOCK_DIAG = 4;
/** nlmsg_type of an inet_diag request and its replies. */
export const SOCK_DIAG_BY_FAMILY = 20;
/** sock_diag multicast groups of TCP socket destruction (IPv4, IPv6). */
export const SKNLGRP_INET_TCP_DESTROY = 1;
export const SKNLGRP_INET_UDP_DESTROY = 2;
export const SKNLGRP_INET6_TCP_DESTROY = 3;
export const SKNLGRP_INET6_UDP_DESTROY = 4;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;

/** Size of `struct inet_diag_msg`. */
export const SIZEOF_INET_DIAG_MSG = 72;
/** Size of `struct inet_diag_req_v2`. */
export const SIZEOF_INET_DIAG_REQ_V2 = 56;

// Attribute types of inet_diag replies (enum in include/uapi/linux/inet_diag.h).
export const INET_DIAG_NONE = 0;
export const INET_DIAG_MEMINFO = 1;
export const INET_DIAG_INFO = 2;
export const INET_DIAG_VEGASINFO = 3;
export const INET_DIAG_CONG = 4;
export const INET_DIAG_TOS = 5;
export const INET_DIAG_TCLASS = 6;
export const INET_DIAG_SKMEMINFO = 7;
export const INET_DIAG_SHUTDOWN = 8;
export const INET_DIAG_DCTCPINFO = 9;
export const INET_DIAG_PROTOCOL = 10;
export const INET_DIAG_SKV6ONLY = 11;
export const INET_DIAG_LOCALS = 12;
export const INET_DIAG_PEERS = 13;
export const INET_DIAG_PAD = 14;
export const INET_DIAG_MARK = 15;
export const INET_DIAG_BBRINFO = 16;
export const INET_DIAG_CLASS_ID = 17;
export const INET_DIAG_MD5SIG = 18;
export const INET_DIAG_ULP_INFO = 19;
export const INET_DIAG_SK_BPF_STORAGES = 20;
export const INET_DIAG_CGROUP_ID = 21;
export const INET_DIAG_SOCKOPT = 22;
/** The largest attribute type this package knows (Linux 6.18). */
export const INET_DIAG_MAX_KNOWN = INET_DIAG_SOCKOPT;

/**
 * `idiag_ext` bits asking for MEMINFO, INFO, VEGASINFO, CONG, TOS, TCLASS,
 * SKMEMINFO and SHUTDOWN (bit `type - 1`), as the original requests (SPEC §1).
 */
export const INET_DIAG_EXT_ALL = 0xff;

/**
 * `idiag_states`: every TCP state except SYN_RECV, TIME_WAIT and CLOSE, as the
 * original requests (SPEC §1).
 */
export const TCPF_ALL_EXCEPT_SYN_RECV_TIME_WAIT_CLOSE = 0xfff & ~((1 << 3) | (1 << 6) | (1 << 7));
