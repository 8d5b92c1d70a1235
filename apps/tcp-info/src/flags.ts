/**
 * Go-style command-line flags (SPEC §9): `-name=value`, `-name value`, one or two
 * dashes; booleans as `-name` or `-name=false`; every flag also from an
 * environment variable (name upper-cased, other characters → `_`); an explicit
 * flag wins. One table drives parsing, the environment and `--help`.
 */

/** Kinds of flag values. */
export type FlagKind = 'string' | 'int' | 'bool' | 'list' | 'duration';

/** One flag. */
export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly default: string;
  readonly help: string;
}

/** Parsed values: strings, numbers (int, duration in ms), booleans, string lists. */
export type FlagValues = Record<string, string | number | boolean | string[]>;

/** A usage error: reported on one line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The environment variable of a flag: `tcpinfo.eventsocket` → `TCPINFO_EVENTSOCKET`. */
export function envName(flag: string): string {
  return flag.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Parses a Go duration (`10ms`, `1.5s`, `10m`, `1h2m`, `250us`) into milliseconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  if (text === '0') return 0;
  let total = 0;
  let at = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * units[m[2]!]!;
    at = re.lastIndex;
  }
  if (at === 0 || at !== text.length) throw new UsageError(`invalid duration "${text}"`);
  return total;
}

function convert(spec: FlagSpec, raw: string, source: string): string | number | boolean | string[] {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'int':
      if (!/^[+-]?\d+$/.test(raw)) throw new UsageError(`invalid value "${raw}" for ${source}: not an integer`);
      return Number(raw);
    case 'bool':
      if (/^(1|t|true|TRUE|True)$/.test(raw)) return true;
      if (/^(0|f|false|FALSE|False)$/.test(raw)) return false;
      throw new UsageError(`invalid boolean value "${raw}" for ${source}`);
    case 'duration':
      try {
        return parseDuration(raw);
      } catch {
        throw new UsageError(`invalid value "${raw}" for ${source}: not a duration (e.g. 10ms, 1s)`);
      }
    case 'list':
      return raw.split(',').filter((v) => v !== '');
  }
}

/**
 * Parses argv (without node and script) and the environment against `specs`.
 * `-h`/`-help` and `-version` are commands rather than flags: never taken from
 * the environment (a `VERSION` variable is common in images) and reported as
 * `help` / `version`.
 */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], env: NodeJS.ProcessEnv): { values: FlagValues; help: boolean; version: boolean } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = {};
  const explicit = new Set<string>();
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' ) {
      if (i + 1 < argv.length) throw new UsageError(`unexpected argument "${argv[i + 1]}"`);
      break;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (m === null || arg === '-') throw new UsageError(`unexpected argument "${arg}"`);
    const name = m[1]!;
    if (name === 'h' || name === 'help') {
      help = true;
      continue;
    }
    if (name === 'version') {
      version = true;
      continue;
    }
    const spec = byName.get(name);
    if (spec === undefined) throw new UsageError(`flag provided but not defined: -${name}`);
    let raw = m[2];
    if (raw === undefined) {
      if (spec.kind === 'bool') raw = 'true';
      else if (i + 1 < argv.length) raw = argv[++i]!;
      else throw new UsageError(`flag needs an argument: -${name}`);
    }
    const value = convert(spec, raw, `flag -${name}`);
    if (spec.kind === 'list') {
      const prev = explicit.has(name) ? (values[name] as string[]) : [];
      values[name] = [...prev, ...(value as string[])];
    } else {
      values[name] = value;
    }
    explicit.add(name);
  }
  for (const spec of specs) {
    if (explicit.has(spec.name)) continue;
    const fromEnv = env[envName(spec.name)];
    values[spec.name] =
      fromEnv !== undefined ? convert(spec, fromEnv, `environment variable ${envName(spec.name)}`) : convert(spec, spec.default, `default of -${spec.name}`);
  }
  return { values, help, version };
}

/** The `--help` text: every flag, its environment variable, default and meaning. */
export function formatHelp(specs: readonly FlagSpec[], intro: string): string {
  const lines = [intro, '', 'Flags (Go style: -name=value, -name value, or --name=value):', '  -version', '        Print the version and the git revision it was built from, then exit.'];
  for (const s of specs) {
    const type = s.kind === 'bool' ? '' : ` ${s.kind === 'list' ? 'value[,value…]' : s.kind}`;
    lines.push(`  -${s.name}${type}`);
    lines.push(`        ${s.help}`);
    lines.push(`        env ${envName(s.name)}${s.default !== '' ? `, default ${JSON.stringify(s.default)}` : ''}${s.kind === 'list' ? '; repeatable' : ''}`);
  }
  return lines.join('\n') + '\n';
}
