/**
 * Atomic file writes: a file is either absent or whole, never half-written.
 * The one write helper of bidgym: run folders, sweep tables, policy files and
 * saved interest models all go through it. It imports nothing of bidgym, so
 * agents/ and models/ can use it as well as experiments/ (see
 * docs/architecture.md, "Imports").
 *
 * Each write goes to a temporary file in the same folder (same filesystem, so the
 * rename is atomic on POSIX), is flushed to disk with `fsync`, then renamed over
 * the target; the folder is fsynced too so the rename itself survives a crash.
 * A process killed with SIGKILL mid-write leaves at worst a stray `.tmp-*` file,
 * which readers ignore and {@link removeStaleTemps} cleans up.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Prefix of the temporary files written by {@link writeFileAtomic}. */
export const TEMP_PREFIX = '.tmp-';

let counter = 0;

/**
 * `mkdirSync(dir, { recursive: true })` without its endless retry where a
 * folder cannot be made in a parent that exists (Node 20 loops forever on
 * `/proc/x/y`, a run's --out there hung): one mkdir per missing folder, top down.
 * @returns the first folder it created, or undefined when `dir` was there
 * @throws the error of the mkdir that failed (ENOENT, ENOTDIR, EACCES, …)
 */
export function makeDirs(dir: string, mode?: number): string | undefined {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  // A file in its place: the EEXIST that mkdir gives.
  if (missing.length === 0 && !statSync(dir).isDirectory()) mkdirSync(dir);
  let first: string | undefined;
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m, mode === undefined ? undefined : { mode });
    } catch (e) {
      // Made meanwhile by someone else: fine, as with recursive: true.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(m).isDirectory()) continue;
      throw e;
    }
    first ??= m;
  }
  return first;
}

/** Flushes a folder's entry table to disk, so a rename into it survives a crash (best effort: some platforms refuse it). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directories cannot be fsynced on every platform (e.g. Windows); the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` atomically (temp file + fsync + rename), creating the
 * parent folders.
 *
 * @param path target file
 * @param data file contents (strings are written as UTF-8)
 * @example writeFileAtomic('runs/x/episodes.csv', csvText)
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  makeDirs(dir);
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}-${process.pid}-${counter++}`);
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

/**
 * Writes `value` as JSON (2-space indent, trailing newline) to `path` atomically.
 *
 * @param path target file
 * @param value any JSON-serialisable value
 * @example writeJsonAtomic('runs/x/summary.json', summary)
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Deletes temporary files left in `dir` (not recursive) by writes that were killed.
 * Call it only when no other process is writing into `dir`.
 *
 * @returns the number of files removed
 */
export function removeStaleTemps(dir: string): number {
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.startsWith(TEMP_PREFIX)) {
      rmSync(join(dir, name), { force: true, recursive: true });
      n++;
    }
  }
  return n;
}
