import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, watch } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Netns } from '@tcpinfo/testing';

/** The built daemon: the namespace's child processes cannot run TypeScript under Node 20. */
const DAEMON = fileURLToPath(new URL('../../../tcp-info/dist/bin.js', import.meta.url));
const TRANSFER = fileURLToPath(new URL('./bulk-transfer.mjs', import.meta.url));

/** A connection recorded by the real daemon: the archive file of each end. */
export interface RecordedConnection {
  /** Directory of the daemon's output (the caller removes it). */
  readonly dir: string;
  /** The sending end's file (192.0.2.2) and the receiving end's (192.0.2.1). */
  readonly clientFile: string;
  readonly serverFile: string;
  /** What the client sent and received (bytes), from the transfer itself. */
  readonly sent: number;
  readonly received: number;
}

/** Options of {@link recordConnection}. */
export interface RecordOptions {
  /** How long the client sends (ms). */
  readonly durationMs: number;
  /** Bytes the server sends back after the client is done. */
  readonly replyBytes: number;
  /** Bottleneck rate (token bucket on the namespace's loopback, which carries 192.0.2.2 → 192.0.2.1). */
  readonly rate: string;
  /** Congestion control of the namespace's sockets (`bbr`, `cubic`). */
  readonly congestionControl: string;
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${what} exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

/** Resolves once `path` exists, watching its directory (no polling). */
function created(path: string, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, () => {
      if (existsSync(path)) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(path)) {
      watcher.close();
      resolve();
    }
  });
}

/**
 * Connects to a Unix socket whose file exists. The file appears at bind(),
 * a moment before listen(): a connection in between is refused, and nothing
 * announces the listen(), so a refused attempt is retried after 10 ms (at most 5 s).
 */
async function connectWhenListening(path: string): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    const socket = createConnection(path);
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      return socket;
    } catch (err) {
      socket.destroy();
      if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || attempt >= 500) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function archiveFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => join(dir, rel))
    .filter((p) => p.endsWith('.jsonl.zst') && statSync(p).isFile());
}

/**
 * Records one bulk transfer with the real daemon in a fresh namespace: a
 * token-bucket bottleneck on its loopback (so cwnd, RTT, losses and pacing
 * move), the chosen congestion control, the daemon with its event socket;
 * the client connects only once we listen to the events, sends for
 * `durationMs`, gets `replyBytes` back, and closes. Returns after both ends'
 * close events and the daemon's clean exit (its files are complete).
 */
export async function recordConnection(options: RecordOptions): Promise<RecordedConnection> {
  const ns = Netns.create();
  const dir = mkdtempSync(join(tmpdir(), 'tcpinfo-view-live-'));
  const sockDir = mkdtempSync(join(tmpdir(), 'tcpinfo-view-sock-'));
  const sock = join(sockDir, 'events.sock');
  const children: ChildProcess[] = [];
  // A step that never completes must still end in the cleanup below (a hung
  // run once left the namespace, the daemon and the transfer behind).
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => reject(new Error(`recording did not finish within ${options.durationMs + 30_000} ms`)), options.durationMs + 30_000);
  });
  const record = async (): Promise<RecordedConnection> => {
    ns.exec('ip', ['link', 'set', 'lo', 'mtu', '1500']);
    ns.exec('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', options.rate, 'burst', '16kb', 'latency', '20ms']);
    ns.exec('sysctl', ['-q', '-w', `net.ipv4.tcp_congestion_control=${options.congestionControl}`]);
    const transfer = ns.spawn(process.execPath, [TRANSFER, String(options.durationMs), String(options.replyBytes)]);
    children.push(transfer);
    await firstLine(transfer, 'the transfer');

    const socketUp = created(sock, sockDir);
    const daemon = ns.spawn(process.execPath, [DAEMON, `-output=${dir}`, `-tcpinfo.eventsocket=${sock}`, '-prometheusx.listen-address=127.0.0.1:9990']);
    children.push(daemon);
    let daemonErr = '';
    daemon.stderr!.on('data', (d: Buffer) => (daemonErr += d.toString()));
    await Promise.race([socketUp, exited(daemon).then((c) => Promise.reject(new Error(`daemon exited (${c}): ${daemonErr}`)))]);

    // Opens (with addresses) and closes of the two ends, by UUID.
    const events = await connectWhenListening(sock);
    const uuidBySrc = new Map<string, string>();
    const closed = new Set<string>();
    const bothClosed = new Promise<void>((resolve) => {
      createInterface({ input: events }).on('line', (line) => {
        const e = JSON.parse(line) as { Event: number; UUID: string; ID: { SrcIP: string } | null };
        if (e.Event === 0 && e.ID !== null) uuidBySrc.set(e.ID.SrcIP, e.UUID);
        if (e.Event === 1) closed.add(e.UUID);
        const ends = [...uuidBySrc.values()];
        if (ends.length === 2 && ends.every((u) => closed.has(u))) resolve();
      });
    });

    const result = new Promise<string>((resolve) => createInterface({ input: transfer.stdout! }).once('line', resolve));
    transfer.stdin!.write('go\n');
    const { sent, received } = JSON.parse(await result) as { sent: number; received: number };
    await bothClosed;
    events.destroy();
    daemon.kill('SIGTERM');
    const code = await exited(daemon);
    if (code !== 0) throw new Error(`daemon exited with ${code}: ${daemonErr}`);

    const files = archiveFiles(dir);
    const fileOf = (src: string) => {
      const uuid = uuidBySrc.get(src);
      const f = files.find((p) => uuid !== undefined && p.includes(uuid));
      if (f === undefined) throw new Error(`no file for ${src} (${uuid}) among ${files.join(', ')}`);
      return f;
    };
    return { dir, clientFile: fileOf(Netns.v4[1]), serverFile: fileOf(Netns.v4[0]), sent, received };
  };
  let recorded = false;
  try {
    const result = await Promise.race([record(), timedOut]);
    recorded = true;
    return result;
  } finally {
    clearTimeout(deadline);
    if (!recorded) rmSync(dir, { recursive: true, force: true });
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    ns.destroy();
    rmSync(sockDir, { recursive: true, force: true });
  }
}
