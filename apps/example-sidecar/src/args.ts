/** What the command line asks for. */
export type SidecarCommand = { readonly kind: 'run'; readonly path: string } | { readonly kind: 'help' } | { readonly kind: 'usage-error'; readonly message: string };

/** The usage text. */
export const USAGE = `usage: tcpinfo-example-sidecar -tcpinfo.eventsocket=PATH
  -tcpinfo.eventsocket PATH   tcp-info's event socket (env TCPINFO_EVENTSOCKET)
Logs every TCP connection's open and close, with its duration, until SIGINT or SIGTERM.
`;

const FLAG = 'tcpinfo.eventsocket';

/**
 * Reads the flags Go-style, as the original's sidecars take them: one or two
 * dashes, `=value` or a separate value; `TCPINFO_EVENTSOCKET` when the flag is absent.
 */
export function parseSidecarArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SidecarCommand {
  let path: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (m === null) return { kind: 'usage-error', message: `unexpected argument ${JSON.stringify(arg)}` };
    const [, name, inline] = m;
    if (name === 'h' || name === 'help') return { kind: 'help' };
    if (name !== FLAG) return { kind: 'usage-error', message: `flag provided but not defined: -${name}` };
    if (inline !== undefined) path = inline;
    else if (i + 1 < argv.length) path = argv[++i];
    else return { kind: 'usage-error', message: `flag needs an argument: -${FLAG}` };
  }
  path ??= env.TCPINFO_EVENTSOCKET;
  if (path === undefined || path === '') return { kind: 'usage-error', message: `-${FLAG} path is required` };
  return { kind: 'run', path };
}
