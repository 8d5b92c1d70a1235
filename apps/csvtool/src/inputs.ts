import { createReadStream } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** Names a directory walk takes: archival JSONL, plain or zstd. */
export function isArchiveName(name: string): boolean {
  return name.endsWith('.jsonl') || name.endsWith('.jsonl.zst');
}

/**
 * Files of a directory tree that {@link isArchiveName} takes, depth first,
 * each directory's entries in byte order of their names, so a listing is
 * the same on every run and machine. Symbolic links to files are taken;
 * links to directories are not followed (no cycles).
 */
export async function* walkArchives(dir: string): AsyncGenerator<string> {
  const names: string[] = [];
  const subdirs = new Set<string>();
  for await (const entry of await opendir(dir)) {
    if (entry.isDirectory()) {
      subdirs.add(entry.name);
      names.push(entry.name);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isArchiveName(entry.name)) {
      names.push(entry.name);
    }
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = join(dir, name);
    if (subdirs.has(name)) yield* walkArchives(path);
    else yield path;
  }
}

/**
 * Paths of a list (`--files-from`): NUL-separated when the list holds a NUL
 * (find -print0), else one per line (a final newline optional, CR before it
 * dropped, empty lines skipped). Read as a stream, so a list of millions
 * costs memory for one chunk.
 */
export async function* readPathList(input: Readable): AsyncGenerator<string> {
  let separator: string | undefined;
  let rest = '';
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    separator ??= text.includes('\0') ? '\0' : '\n';
    const parts = text.split(separator);
    rest = parts.pop()!;
    for (const p of parts) {
      const path = separator === '\n' && p.endsWith('\r') ? p.slice(0, -1) : p;
      if (path !== '') yield path;
    }
  }
  if (rest !== '' && rest !== '\r') yield separator === '\n' && rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** Where the inputs come from. */
export interface InputSources {
  /** Command-line arguments: files, directories (walked), `-` for standard input. */
  readonly args: readonly string[];
  /** `--files-from`: a file of paths, `-` for standard input. Its paths come after `args`'. */
  readonly filesFrom?: string;
  readonly stdin?: Readable;
}

/**
 * Every input path in order: the arguments (a directory expanded by
 * {@link walkArchives}), then the `--files-from` list; `-` alone when there
 * are none. A path that does not exist is yielded as it is (its conversion
 * reports it).
 */
export async function* listInputs(sources: InputSources): AsyncGenerator<string> {
  let any = false;
  for (const arg of sources.args) {
    any = true;
    if (arg !== '-' && (await isDirectory(arg))) yield* walkArchives(arg);
    else yield arg;
  }
  if (sources.filesFrom !== undefined) {
    any = true;
    const list = sources.filesFrom === '-' ? (sources.stdin ?? process.stdin) : createReadStream(sources.filesFrom);
    try {
      yield* readPathList(list);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`${sources.filesFrom === '-' ? '<stdin>' : sources.filesFrom}: cannot read the list: ${code ?? (err as Error).message}`);
    }
  }
  if (!any) yield '-';
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
