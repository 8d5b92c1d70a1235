import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkSocketPath } from '@tcpinfo/eventsocket';
import { createAnonymizer, parseAnonymizationMethod, type Anonymizer } from '@tcpinfo/inetdiag';
import { parseExclusionFlags, type ExclusionRules } from '@tcpinfo/netlink';
import { defaultUuidPrefix, readUuidPrefixFile } from '@tcpinfo/saver';
import { formatHelp, parseFlags, UsageError, type FlagSpec, type FlagValues } from './flags.js';

/** Every flag of the daemon: the original's, plus ours at the end. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'output', kind: 'string', default: '', help: 'Directory in which to put the resulting tree of data. Default is the current directory.' },
  { name: 'reps', kind: 'int', default: '0', help: 'How many cycles should be recorded, 0 means continuous.' },
  { name: 'uuid-prefix-file', kind: 'string', default: '', help: 'Read the UUID prefix from this file (its exact content). Default: <$POD_NAME or host name>_<boot time>_unsafe.' },
  { name: 'output.file-mode', kind: 'string', default: '', help: 'File mode (octal, e.g. 0640) of the output files, whatever the umask. Empty: 0644 under the umask.' },
  { name: 'tcpinfo.eventsocket', kind: 'string', default: '', help: 'Unix socket on which to announce connection opens and closes (empty: none).' },
  { name: 'tcpinfo.eventsocket-mode', kind: 'string', default: '0660', help: 'File mode (octal) of the event socket: who may read connection metadata.' },
  { name: 'anonymize.ip', kind: 'string', default: 'none', help: 'IP anonymization in written records: none or netblock (IPv4 /24, IPv6 /48; local addresses kept).' },
  { name: 'exclude-srcport', kind: 'list', default: '', help: 'Exclude snapshots with these local ports from saved archives.' },
  { name: 'exclude-dstip', kind: 'list', default: '', help: 'Exclude snapshots with these remote IPs from saved archives.' },
  { name: 'prometheusx.listen-address', kind: 'string', default: ':9990', help: 'Address on which to serve Prometheus metrics at /metrics.' },
  { name: 'destroy-events', kind: 'bool', default: 'true', help: "Take each socket's final state from the kernel's destroy notifications (if the kernel refuses them, e.g. for lack of CAP_NET_ADMIN, polling only)." },
  { name: 'trace', kind: 'bool', default: 'false', help: "Accepted for compatibility with the Go original's tracing flag; has no effect." },
  { name: 'poll-interval', kind: 'duration', default: '10ms', help: 'Polling period.' },
  { name: 'rotation-interval', kind: 'duration', default: '10m', help: "Life of one file of a connection before the next file starts." },
  { name: 'tcpinfo.query-socket', kind: 'string', default: '', help: 'Unix socket on which to answer HTTP queries about connections: GET /connections, /connections/{uuid}, /connections?cookie=0x… (empty: none).' },
  { name: 'tcpinfo.query-socket-mode', kind: 'string', default: '0660', help: 'File mode (octal) of the query socket.' },
  { name: 'tcpinfo.query-retention', kind: 'duration', default: '10s', help: 'How long the query socket still answers about a closed connection.' },
];

/** The daemon's validated configuration. */
export interface DaemonConfig {
  /** Every flag's effective value, for the start-up log line (see {@link formatSettings}). */
  readonly settings: string;
  readonly outputDir: string;
  /** Exact mode of the output files; undefined: 0644 under the umask. */
  readonly outputFileMode: number | undefined;
  readonly reps: number;
  readonly uuidPrefix: string;
  readonly eventSocketPath: string;
  /** File mode of the event socket. */
  readonly eventSocketMode: number;
  readonly anonymizer: Anonymizer;
  readonly exclude: ExclusionRules;
  readonly warnings: readonly string[];
  readonly listen: { readonly host: string | undefined; readonly port: number };
  readonly pollIntervalMs: number;
  /** Listen for kernel destroy notifications. */
  readonly destroyEvents: boolean;
  readonly rotationMs: number;
  /** The query socket's path ('' = none). */
  readonly querySocketPath: string;
  readonly querySocketMode: number;
  /** How long closed connections stay answerable on the query socket. */
  readonly queryRetentionMs: number;
}

/**
 * Every flag's effective value, whatever its source (flag, environment,
 * default), in flag syntax: `-output=/data -reps=0 … -poll-interval=10ms`, then
 * the UUID prefix in use (derived when no file names it).
 */
export function formatSettings(values: FlagValues, uuidPrefix: string): string {
  const shown = FLAGS.map((spec) => {
    const v = values[spec.name];
    const text = Array.isArray(v) ? v.join(',') : spec.kind === 'duration' ? formatMs(v as number) : String(v);
    return `-${spec.name}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
  });
  return `${shown.join(' ')} (uuid prefix ${uuidPrefix})`;
}

/** A duration as a Go duration literal: `10ms`, `1.5s`, `600s`. */
function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}

/** An octal file mode such as `0660`, the value of flag `-name`. */
function parseMode(text: string, name: string): number {
  if (!/^0?[0-7]{3}$/.test(text)) throw new UsageError(`invalid -${name} "${text}": want an octal mode such as 0660`);
  return parseInt(text, 8);
}

/**
 * A socket path flag's value, checked as the server will (a missing directory,
 * a file that is not a socket), so these exit 2 before anything starts. A
 * stale socket is fine; the server replaces it.
 */
function socketPathFlag(values: Record<string, unknown>, name: string): string {
  const path = values[name] as string;
  if (path === '') return path;
  try {
    checkSocketPath(path);
  } catch (err) {
    throw new UsageError(`-${name}: ${(err as Error).message}`);
  }
  return path;
}

/** Splits `host:port`, `:port`, `[v6]:port` (Go's net.SplitHostPort, port numeric). */
export function parseListenAddress(text: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (m === null) throw new UsageError(`invalid -prometheusx.listen-address "${text}": want host:port or :port`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`invalid -prometheusx.listen-address "${text}": port out of range`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

export const HELP_INTRO = `tcp-info: polls the kernel over netlink (sock_diag) for the statistics of every
TCP socket and writes one zstd-compressed JSONL file per connection.

Usage: tcp-info [flags]

Examples:
  tcp-info -output=/var/spool/tcp-info -uuid-prefix-file=/var/local/uuid/prefix
  OUTPUT=/data ANONYMIZE_IP=netblock tcp-info -prometheusx.listen-address=127.0.0.1:9990
  tcp-info -reps=100 -output=/tmp/tcpinfo      # one second of data, then exit`;

/** The help text. */
export function helpText(): string {
  return formatHelp(FLAGS, HELP_INTRO);
}

/** `EROFS (read-only file system)`: the errno name, and what it means. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === undefined) return e.message;
  const meaning = /^[A-Z]+: ([^,]+),/.exec(e.message)?.[1];
  return meaning === undefined ? e.code : `${e.code} (${meaning})`;
}

/**
 * Creates the output directory if missing and proves it writable by making and
 * removing a directory in it, as the saver will (a YYYY directory): a
 * read-only mount (EROFS) or missing permission (EACCES; root bypasses modes,
 * so only a real attempt tells) must stop the start, not fail every write later.
 */
function checkOutputDir(outputDir: string): void {
  try {
    mkdirSync(outputDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create -output directory ${outputDir}: ${reason(err)}`);
  }
  let probe: string;
  try {
    probe = mkdtempSync(join(outputDir, '.tcp-info-write-check-'));
  } catch (err) {
    throw new UsageError(`-output directory ${outputDir} is not writable: ${reason(err)}`);
  }
  rmdirSync(probe);
}

/**
 * Turns argv and the environment into a configuration, doing every check that
 * can fail before the daemon starts (UsageError: one line, exit 2). Creates the
 * output directory and checks that it is writable.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): DaemonConfig | 'help' | 'version' {
  const { values, help, version } = parseFlags(FLAGS, argv, env);
  if (help) return 'help';
  if (version) return 'version';
  const reps = values.reps as number;
  if (reps < 0) throw new UsageError(`invalid value ${reps} for -reps: must be 0 or more`);
  let anonymizer: Anonymizer;
  try {
    anonymizer = createAnonymizer(parseAnonymizationMethod(values['anonymize.ip'] as string));
  } catch (err) {
    throw new UsageError(`invalid -anonymize.ip: ${(err as Error).message}`);
  }
  const listen = parseListenAddress(values['prometheusx.listen-address'] as string);
  const pollIntervalMs = values['poll-interval'] as number;
  if (!(pollIntervalMs > 0)) throw new UsageError('-poll-interval must be positive');
  const rotationMs = values['rotation-interval'] as number;
  if (!(rotationMs > 0)) throw new UsageError('-rotation-interval must be positive');

  const prefixFile = values['uuid-prefix-file'] as string;
  let uuidPrefix: string;
  try {
    uuidPrefix = prefixFile !== '' ? readUuidPrefixFile(prefixFile) : defaultUuidPrefix(env);
  } catch (err) {
    throw new UsageError(`-uuid-prefix-file: ${(err as Error).message}`);
  }
  const outputDir = resolve((values.output as string) || '.');
  checkOutputDir(outputDir);
  const eventSocketPath = socketPathFlag(values, 'tcpinfo.eventsocket');
  const querySocketPath = socketPathFlag(values, 'tcpinfo.query-socket');
  if (querySocketPath !== '' && eventSocketPath !== '' && resolve(querySocketPath) === resolve(eventSocketPath)) {
    throw new UsageError('-tcpinfo.query-socket and -tcpinfo.eventsocket must be different paths');
  }
  const queryRetentionMs = values['tcpinfo.query-retention'] as number;
  const { rules, warnings } = parseExclusionFlags(values['exclude-srcport'] as string[], values['exclude-dstip'] as string[]);
  const fileMode = values['output.file-mode'] as string;
  return {
    settings: formatSettings({ ...values, output: outputDir }, uuidPrefix),
    outputDir,
    outputFileMode: fileMode === '' ? undefined : parseMode(fileMode, 'output.file-mode'),
    reps,
    uuidPrefix,
    eventSocketPath,
    eventSocketMode: parseMode(values['tcpinfo.eventsocket-mode'] as string, 'tcpinfo.eventsocket-mode'),
    querySocketPath,
    querySocketMode: parseMode(values['tcpinfo.query-socket-mode'] as string, 'tcpinfo.query-socket-mode'),
    queryRetentionMs,
    anonymizer,
    exclude: rules,
    warnings,
    listen,
    pollIntervalMs,
    rotationMs,
    destroyEvents: values['destroy-events'] as boolean,
  };
}
