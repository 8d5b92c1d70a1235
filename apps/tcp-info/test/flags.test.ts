import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName, FLAGS, helpText, loadConfig, parseDuration, parseFlags, parseListenAddress, timestampedLog, UsageError } from '../src/index.js';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseFlags(FLAGS, argv, env).values;

describe('Go-style flags (SPEC §9)', () => {
  it.each([
    [['-output=/d'], '/d'],
    [['--output=/d'], '/d'],
    [['-output', '/d'], '/d'],
    [['--output', '/d'], '/d'],
  ])('%j sets output', (argv, want) => {
    expect(parse(argv).output).toBe(want);
  });

  it('reads every flag from its environment variable; an explicit flag wins', () => {
    expect(envName('tcpinfo.eventsocket')).toBe('TCPINFO_EVENTSOCKET');
    expect(envName('prometheusx.listen-address')).toBe('PROMETHEUSX_LISTEN_ADDRESS');
    expect(envName('uuid-prefix-file')).toBe('UUID_PREFIX_FILE');
    const env = { OUTPUT: '/env', REPS: '5', ANONYMIZE_IP: 'netblock', EXCLUDE_SRCPORT: '22,80' };
    expect(parse([], env)).toMatchObject({ output: '/env', reps: 5, 'anonymize.ip': 'netblock', 'exclude-srcport': ['22', '80'] });
    expect(parse(['-output=/flag'], env).output).toBe('/flag');
  });

  it('repeats and comma-splits list flags', () => {
    expect(parse(['-exclude-dstip=192.0.2.1,192.0.2.2', '--exclude-dstip', '2001:db8::1'])['exclude-dstip']).toEqual([
      '192.0.2.1',
      '192.0.2.2',
      '2001:db8::1',
    ]);
  });

  it('has the defaults of the original', () => {
    expect(parse([])).toMatchObject({ output: '', reps: 0, 'anonymize.ip': 'none', 'prometheusx.listen-address': ':9990', 'poll-interval': 10 });
  });

  it('takes booleans Go-style', () => {
    expect(parse(['-trace']).trace).toBe(true);
    expect(parse(['-trace=false']).trace).toBe(false);
  });

  it.each([
    [['-nope'], 'flag provided but not defined: -nope'],
    [['-reps=abc'], 'invalid value "abc" for flag -reps: not an integer'],
    [['-output'], 'flag needs an argument: -output'],
    [['stray'], 'unexpected argument "stray"'],
    [['-poll-interval=fast'], 'not a duration'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(message);
  });

  it('parses Go durations and listen addresses', () => {
    expect(parseDuration('10ms')).toBe(10);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('1h2m')).toBe(3_720_000);
    expect(parseDuration('250us')).toBe(0.25);
    expect(() => parseDuration('10')).toThrow(UsageError);
    expect(parseListenAddress(':9990')).toEqual({ host: undefined, port: 9990 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:9990')).toEqual({ host: '::1', port: 9990 });
    expect(() => parseListenAddress(':abc')).toThrow(UsageError);
    expect(() => parseListenAddress(':70000')).toThrow(UsageError);
  });

  it('validates values before anything starts', () => {
    expect(() => loadConfig(['-anonymize.ip=foo', '-output=/tmp/tcpinfo-flags-test'], {})).toThrow(/anonymize.ip/);
    expect(() => loadConfig(['-uuid-prefix-file=/nonexistent/prefix', '-output=/tmp/tcpinfo-flags-test'], {})).toThrow(/ENOENT/);
    // A path below a regular file cannot be created (ENOTDIR). (Not /proc: Node's
    // recursive mkdirSync never returns there, as the kernel answers ENOENT.)
    const file = join(mkdtempSync(join(tmpdir(), 'tcpinfo-flags-')), 'file');
    writeFileSync(file, '');
    expect(() => loadConfig([`-output=${file}/sub`], {})).toThrow(/cannot create -output directory .*ENOTDIR/);
    expect(() => loadConfig(['-reps=-1'], {})).toThrow(/-reps/);
    expect(loadConfig(['--help'], {})).toBe('help');
    expect(loadConfig(['-version'], {})).toBe('version');
    expect(loadConfig(['--version'], { VERSION: 'x' })).toBe('version');
  });

  it('-version is a command, never taken from the environment', () => {
    expect(parseFlags(FLAGS, [], { VERSION: '1' }).version).toBe(false);
    expect(parseFlags(FLAGS, ['-version'], {}).version).toBe(true);
  });

  it('formats the effective settings: every flag, whatever its source, then the UUID prefix', () => {
    const config = loadConfig(['-reps=3', '-output=/tmp/tcpinfo flags test', '-exclude-dstip=192.0.2.1,192.0.2.2'], { ANONYMIZE_IP: 'netblock', UUID_PREFIX_FILE: '' });
    if (config === 'help' || config === 'version') throw new Error('want a config');
    expect(config.settings).toMatch(/^-output="\/tmp\/tcpinfo flags test" -reps=3 -uuid-prefix-file= /);
    expect(config.settings).toContain(' -anonymize.ip=netblock ');
    expect(config.settings).toContain(' -exclude-dstip=192.0.2.1,192.0.2.2 ');
    expect(config.settings).toContain(' -poll-interval=10ms -rotation-interval=600s');
    for (const f of FLAGS) expect(config.settings).toContain(` -${f.name}=`.trimStart());
    expect(config.settings).toMatch(/ \(uuid prefix \S+\)$/);
  });

  it('log lines start with the time in RFC 3339 UTC with milliseconds', () => {
    const out: string[] = [];
    timestampedLog((t) => out.push(t), () => new Date(Date.UTC(2026, 10, 29, 0, 50, 1, 234)))('tcp-info: hello');
    expect(out).toEqual(['2026-11-29T00:50:01.234Z tcp-info: hello\n']);
  });

  it('keeps going with a warning for exclusion values that do not parse (SPEC §6)', () => {
    const config = loadConfig(['-exclude-srcport=22,notaport', '-exclude-dstip=nope', '-output=/tmp/tcpinfo-flags-test'], {});
    if (config === 'help' || config === 'version') throw new Error('want a config');
    expect(config.warnings).toHaveLength(2);
  });

  it('takes the output files\' mode from -output.file-mode or OUTPUT_FILE_MODE (none by default: 0644 under the umask)', () => {
    const out = '-output=/tmp/tcpinfo-flags-test';
    const mode = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const c = loadConfig([out, ...argv], env);
      return c === 'help' || c === 'version' ? c : c.outputFileMode;
    };
    expect(mode([])).toBeUndefined();
    expect(mode(['-output.file-mode=0640'])).toBe(0o640);
    expect(mode([], { OUTPUT_FILE_MODE: '600' })).toBe(0o600);
    expect(() => mode(['-output.file-mode=rw-r-----'])).toThrow(/invalid -output.file-mode "rw-r-----": want an octal mode/);
  });

  it('--help lists every flag with its environment variable', () => {
    const text = helpText();
    for (const f of FLAGS) {
      expect(text).toContain(`-${f.name}`);
      expect(text).toContain(`env ${envName(f.name)}`);
    }
  });
});
