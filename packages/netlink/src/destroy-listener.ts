import { constants as osConstants } from 'node:os';
import { RawNetlinkSocket } from 'netlink';
import { NetlinkError } from './errors.js';
import { forEachMessage } from './framing.js';

/** Netlink protocol number of sock_diag. */
const NETLINK_SOCK_DIAG = 4;
/** nlmsg_type of inet_diag messages. */
const SOCK_DIAG_BY_FAMILY = 20;
/** sock_diag multicast groups (enum sknetlink_groups). */
const SKNLGRP_INET_TCP_DESTROY = 1;
const SKNLGRP_INET6_TCP_DESTROY = 3;

/** Options of {@link DestroyListener.open}. */
export interface DestroyListenerOptions {
  /** SO_RCVBUF (default 32 MiB, capped by net.core.rmem_max): room for bursts of closes. */
  readonly recvBufferSize?: number;
  /** Called when the kernel dropped notifications (ENOBUFS: the buffer overran). */
  readonly onOverrun?: () => void;
  /** Called for any other socket error. */
  readonly onError?: (err: NetlinkError) => void;
}

/**
 * Receives the kernel's notification of every destroyed TCP socket (IPv4 and
 * IPv6): an inet_diag message with the socket's final INET_DIAG_INFO, as `ss -E`
 * shows. Joining the groups needs CAP_NET_ADMIN; without it {@link open} throws
 * a NetlinkError (EPERM). Never keeps the process alive.
 */
export class DestroyListener {
  private constructor(private readonly raw: RawNetlinkSocket) {}

  /**
   * Opens the socket and joins both groups; `onMessage` gets each notification's
   * payload (a view, valid during the call).
   */
  static open(onMessage: (payload: Buffer) => void, options: DestroyListenerOptions = {}): DestroyListener {
    const raw = new RawNetlinkSocket(NETLINK_SOCK_DIAG, {
      recvBufferSize: options.recvBufferSize ?? 32 * 1024 * 1024,
      sendBufferSize: 4096,
    });
    try {
      raw.addMembership(SKNLGRP_INET_TCP_DESTROY);
      raw.addMembership(SKNLGRP_INET6_TCP_DESTROY);
    } catch (err) {
      raw.close();
      const e = err as { errno?: number; code?: string; message: string };
      throw new NetlinkError(`cannot join the sock_diag destroy groups: ${e.code ?? e.message}`, e.errno ?? 0, e.code ?? 'EPERM');
    }
    raw.on('message', (datagram) => {
      // Nothing may escape into the native binding's callback: it aborts the process.
      try {
        forEachMessage(datagram, (type, _flags, _seq, _pid, payload) => {
          if (type === SOCK_DIAG_BY_FAMILY) onMessage(payload);
        });
      } catch (err) {
        const e = err as Error;
        options.onError?.(new NetlinkError(`destroy notification not handled: ${e.stack ?? e.message}`, 0, 'HANDLER'));
      }
    });
    raw.on('error', (err) => {
      try {
        if (err.errno === osConstants.errno.ENOBUFS || err.code === 'ENOBUFS') options.onOverrun?.();
        else options.onError?.(new NetlinkError(`destroy notifications: ${err.message}`, err.errno ?? 0, err.code ?? 'EIO'));
      } catch (e) {
        process.stderr.write(`tcp-info: destroy-notification error handler failed: ${(e as Error).stack}\n`);
      }
    });
    raw.unref();
    return new DestroyListener(raw);
  }

  /** Stops listening. */
  close(): void {
    this.raw.close();
  }
}
