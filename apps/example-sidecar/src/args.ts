/** What the command line asks for. */
export type SidecarCommand =
  | { readonly kind: 'run'; readonly path: string; readonly querySocket?: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

/** The usage text. */
export const USAGE = `usage: tcpinfo-example-sidecar -tcpinfo.eventsocket=PATH [-tcpinfo.query-socket=PATH]
  -tcpinfo.eventsocket PATH    tcp-info's event socket (env TCPINFO_EVENTSOCKET)
  -tcpinfo.query-socket PATH   tcp-info's query socket (env TCPINFO_QUERY_SOCKET): at each
                               close, also print the connection's final figures
Logs every TCP connection's open and close, with its duration, until SIGINT or SIGTERM.
`;

/** The flags and their environment variables. */
const FLAGS = { 'tcpinfo.eventsocket': 'TCPINFO_EVENTSOCKET', 'tcpinfo.query-socket': 'TCPINFO_QUERY_SOCKET' } as const;
type FlagName = keyof typeof FLAGS;

/**
 * Reads the flags Go-style, as the original's sidecars take them: one or two
 * dashes, `=value` or a separate value; the environment variable when a flag is absent.
 */
export function parseSidecarArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SidecarCommand {
  const given: Partial<Record<FlagName, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (m === null) return { kind: 'usage-error', message: `unexpected argument ${JSON.stringify(arg)}` };
    const [, name, inline] = m;
    if (name === 'h' || name === 'help') return { kind: 'help' };
    if (!(name! in FLAGS)) return { kind: 'usage-error', message: `flag provided but not defined: -${name}` };
    if (inline !== undefined) given[name as FlagName] = inline;
    else if (i + 1 < argv.length) given[name as FlagName] = argv[++i]!;
    else return { kind: 'usage-error', message: `flag needs an argument: -${name}` };
  }
  const value = (name: FlagName) => given[name] ?? env[FLAGS[name]] ?? '';
  const path = value('tcpinfo.eventsocket');
  if (path === '') return { kind: 'usage-error', message: '-tcpinfo.eventsocket path is required' };
  const querySocket = value('tcpinfo.query-socket');
  return querySocket === '' ? { kind: 'run', path } : { kind: 'run', path, querySocket };
}
