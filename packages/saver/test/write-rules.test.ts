import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compress } from 'zstd-napi';
import type { AppendOutcome, AppendRequest } from '../src/write-protocol.js';
import { mustRecheck, NOT_REGULAR_FILE, openFlags, reconcileSize, WriteRules, type SyncFs } from '../src/write-rules.js';

// The write thread's rules, driven in this process: over a real directory, and
// over a file system that fails on purpose. No root, no clock, no thread.

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(join(tmpdir(), 'write-rules-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const frame = (text: string): Buffer => compress(Buffer.from(text));
const HEADER = frame('{"header":true}\n');

/** One append as the client sends it: header and data in one buffer. */
function request(path: string, goodSize: number, data: Uint8Array, header: Uint8Array = goodSize > 0 ? HEADER : new Uint8Array(0)): { req: AppendRequest; bytes: ArrayBuffer } {
  const bytes = new ArrayBuffer(header.length + data.length);
  new Uint8Array(bytes).set(header, 0);
  new Uint8Array(bytes).set(data, header.length);
  return { req: { path, goodSize, header: [0, header.length], data: [header.length, data.length] }, bytes };
}

/** Drives WriteRules like the saver: tracks each file's good size. */
class Driver {
  readonly sizes = new Map<string, number>();
  constructor(readonly rules: WriteRules) {}
  append(path: string, text: string, now = 0): AppendOutcome {
    const { req, bytes } = request(path, this.sizes.get(path) ?? 0, frame(text));
    const out = this.rules.append(req, bytes, now);
    if (out.ok) this.sizes.set(path, out.size);
    return out;
  }
}

const config = { maxOpenFiles: 2, recheckMs: 5000, fileMode: undefined };
const decode = (path: string): string => {
  execFileSync('zstd', ['-t', '-q', path]);
  return execFileSync('zstd', ['-dc', path], { encoding: 'utf8' });
};

describe('the pure rules', () => {
  it('reconciles the size found on (re)open with the size last written', () => {
    expect(reconcileSize(100, 100)).toEqual({ keep: 100, restart: false });
    expect(reconcileSize(100, 140)).toEqual({ keep: 100, restart: false }); // torn tail: cut
    expect(reconcileSize(100, 40)).toEqual({ keep: 0, restart: true }); // truncated under us
    expect(reconcileSize(100, 0)).toEqual({ keep: 0, restart: true }); // deleted under us
    expect(reconcileSize(0, 0)).toEqual({ keep: 0, restart: false });
    expect(reconcileSize(0, 7)).toEqual({ keep: 0, restart: false }); // a torn first write
  });

  it('rechecks a kept descriptor once recheckMs has passed', () => {
    expect(mustRecheck(1000, 5999, 5000)).toBe(false);
    expect(mustRecheck(1000, 6000, 5000)).toBe(true);
  });

  it('creates new files with O_EXCL and never follows a symlink', () => {
    const { O_EXCL, O_NOFOLLOW, O_APPEND, O_CREAT } = fs.constants;
    for (const [good, ours] of [[0, false], [0, true], [10, false]] as const) {
      const flags = openFlags(good, ours);
      expect(flags & O_NOFOLLOW).toBe(O_NOFOLLOW);
      expect(flags & (O_APPEND | O_CREAT)).toBe(O_APPEND | O_CREAT);
      expect(flags & O_EXCL).toBe(good === 0 && !ours ? O_EXCL : 0);
    }
  });
});

describe('WriteRules over a real directory', () => {
  it('appends frames, creating the date directory, and keeps at most maxOpenFiles descriptors (LRU)', () => {
    const dir = tempDir();
    const d = new Driver(new WriteRules(fs, config));
    const paths = ['a', 'b', 'c'].map((n) => join(dir, '2024/02/29', `${n}.jsonl.zst`));
    for (const p of paths) expect(d.append(p, `${p} 1\n`)).toMatchObject({ ok: true, restarted: false });
    expect(d.rules.openFiles).toBe(2);
    for (const p of paths) expect(d.append(p, `${p} 2\n`).ok).toBe(true);
    for (const p of paths) expect(decode(p)).toBe(`${p} 1\n${p} 2\n`);
    d.rules.releaseAll();
    expect(d.rules.openFiles).toBe(0);
  });

  it('starts a file deleted under it again with the header, at the next recheck', () => {
    const path = join(tempDir(), 'f.jsonl.zst');
    const d = new Driver(new WriteRules(fs, config));
    d.append(path, 'one\n', 0);
    fs.unlinkSync(path);
    expect(d.append(path, 'lost\n', 4999)).toMatchObject({ ok: true, restarted: false }); // the kept descriptor swallows it
    expect(d.append(path, 'two\n', 5000)).toMatchObject({ ok: true, restarted: true });
    expect(decode(path)).toBe('{"header":true}\ntwo\n');
  });

  it('cuts a torn tail found on reopen', () => {
    const path = join(tempDir(), 'f.jsonl.zst');
    const d = new Driver(new WriteRules(fs, config));
    d.append(path, 'one\n');
    d.rules.release(path);
    fs.appendFileSync(path, frame('torn\n').subarray(0, 9));
    expect(d.append(path, 'two\n')).toMatchObject({ ok: true, restarted: false });
    expect(decode(path)).toBe('one\ntwo\n');
  });

  it('refuses a symlink planted at a new file name, leaving its target untouched', () => {
    const dir = tempDir();
    const target = join(dir, 'target');
    fs.writeFileSync(target, 'precious');
    const path = join(dir, 'f.jsonl.zst');
    fs.symlinkSync(target, path);
    const out = new Driver(new WriteRules(fs, config)).append(path, 'x\n');
    expect(out).toMatchObject({ ok: false, refused: true, code: NOT_REGULAR_FILE });
    expect(fs.readFileSync(target, 'utf8')).toBe('precious');
    expect(fs.lstatSync(path).isSymbolicLink()).toBe(true);
  });

  it('refuses a symlink that replaced a file it writes, at the reopen', () => {
    const dir = tempDir();
    const target = join(dir, 'target');
    fs.writeFileSync(target, 'precious');
    const path = join(dir, 'f.jsonl.zst');
    const d = new Driver(new WriteRules(fs, config));
    d.append(path, 'one\n');
    d.rules.release(path);
    fs.unlinkSync(path);
    fs.symlinkSync(target, path);
    expect(d.append(path, 'two\n')).toMatchObject({ ok: false, refused: true });
    expect(fs.readFileSync(target, 'utf8')).toBe('precious');
  });

  it('refuses a regular file (or hard link) that already exists at a new name, and a FIFO, without blocking', () => {
    const dir = tempDir();
    const existing = join(dir, 'e.jsonl.zst');
    fs.writeFileSync(existing, 'not ours');
    const fifo = join(dir, 'p.jsonl.zst');
    execFileSync('mkfifo', [fifo]);
    const d = new Driver(new WriteRules(fs, config));
    expect(d.append(existing, 'x\n')).toMatchObject({ ok: false, refused: true });
    expect(fs.readFileSync(existing, 'utf8')).toBe('not ours');
    d.sizes.set(fifo, 10); // as if we had written it: opened without O_EXCL, fstat refuses it
    expect(d.append(fifo, 'x\n')).toMatchObject({ ok: false, refused: true });
    expect(d.rules.openFiles).toBe(0);
  });

  it('gives new files 0644 under the umask by default, or exactly fileMode', () => {
    const dir = tempDir();
    const umask = process.umask();
    new Driver(new WriteRules(fs, config)).append(join(dir, 'a'), 'x\n');
    new Driver(new WriteRules(fs, { ...config, fileMode: 0o640 })).append(join(dir, 'b'), 'x\n');
    expect(fs.statSync(join(dir, 'a')).mode & 0o777).toBe(0o644 & ~umask);
    expect(fs.statSync(join(dir, 'b')).mode & 0o777).toBe(0o640);
  });
});

/** node:fs whose writes fail with ENOSPC once `room` bytes are used (a short write first, as the kernel does). */
function fullDisk(room: { bytes: number }, overrides: Partial<SyncFs> = {}): SyncFs {
  return {
    ...fs,
    openSync: (p, f, m) => fs.openSync(p, f, m),
    writeSync: (fd, buf, off, len) => {
      if (room.bytes <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const n = fs.writeSync(fd, buf, off, Math.min(len, room.bytes));
      room.bytes -= n;
      return n;
    },
    ...overrides,
  };
}

describe('WriteRules on a full disk', () => {
  it('cuts a failed write back at once, so the file is valid at every moment, and resumes when space is back', () => {
    const path = join(tempDir(), 'f.jsonl.zst');
    const room = { bytes: 1000 };
    const d = new Driver(new WriteRules(fullDisk(room), config));
    expect(d.append(path, 'one\n').ok).toBe(true);
    const good = fs.statSync(path).size;
    room.bytes = 5; // a short write, then ENOSPC
    expect(d.append(path, 'two\n')).toMatchObject({ ok: false, refused: false, code: 'ENOSPC' });
    expect(fs.statSync(path).size).toBe(good);
    expect(decode(path)).toBe('one\n');
    room.bytes = 1000;
    expect(d.append(path, 'two\n').ok).toBe(true);
    expect(decode(path)).toBe('one\ntwo\n');
  });

  it('removes a new file whose first write failed, and creates it again on the retry', () => {
    const path = join(tempDir(), 'f.jsonl.zst');
    const room = { bytes: 3 };
    const d = new Driver(new WriteRules(fullDisk(room), config));
    expect(d.append(path, 'one\n').ok).toBe(false);
    expect(fs.existsSync(path)).toBe(false);
    room.bytes = 1000;
    expect(d.append(path, 'one\n').ok).toBe(true);
    expect(decode(path)).toBe('one\n');
  });

  it('settles at exit what it could not cut at once: torn tail cut, an empty file of ours removed', () => {
    const dir = tempDir();
    const torn = join(dir, 'torn.jsonl.zst');
    const empty = join(dir, 'empty.jsonl.zst');
    const room = { bytes: 1000 };
    let truncates = true;
    const failing = fullDisk(room, {
      ftruncateSync: (fd, len) => {
        if (!truncates) throw Object.assign(new Error('EIO'), { code: 'EIO' });
        fs.ftruncateSync(fd, len);
      },
    });
    const d = new Driver(new WriteRules(failing, config));
    d.append(torn, 'one\n');
    room.bytes = 4;
    truncates = false;
    expect(d.append(torn, 'two\n').ok).toBe(false);
    expect(d.append(empty, 'one\n').ok).toBe(false);
    expect(fs.statSync(torn).size).toBeGreaterThan(d.sizes.get(torn)!); // the cut failed: a torn tail is left
    expect(fs.existsSync(empty)).toBe(true);
    truncates = true;
    d.rules.settle({ path: torn, goodSize: d.sizes.get(torn)! });
    d.rules.settle({ path: empty, goodSize: 0 });
    expect(decode(torn)).toBe('one\n');
    expect(fs.existsSync(empty)).toBe(false);
  });

  it('settle never touches a symlink or a file that is not ours', () => {
    const dir = tempDir();
    const target = join(dir, 'target');
    fs.writeFileSync(target, 'precious and long');
    const link = join(dir, 'l.jsonl.zst');
    fs.symlinkSync(target, link);
    const planted = join(dir, 'p.jsonl.zst');
    fs.writeFileSync(planted, 'planted');
    const rules = new WriteRules(fs, config);
    rules.settle({ path: link, goodSize: 3 });
    rules.settle({ path: planted, goodSize: 0 });
    expect(fs.readFileSync(target, 'utf8')).toBe('precious and long');
    expect(fs.readFileSync(planted, 'utf8')).toBe('planted');
  });
});
