/**
 * Output folders of the command line, written so that results never mix:
 *
 * - A run folder (`run`, `evaluate`) is refused when it already holds anything,
 *   unless `--force`, which replaces it whole: the run is built in a sibling
 *   temporary folder (`.tmp-<name>-…`) and renamed into place at the end, so the
 *   folder holds either the old run or the new one, never a mix.
 * - A lock (`.<name>.lock` beside the folder, holding the writer's pid) refuses a
 *   second run or sweep writing the same folder at the same time; a lock left by
 *   a process that no longer runs is taken over.
 * - Temporary folders left by killed writers of the same folder are removed at
 *   the start (the lock makes sure nobody is using them).
 * - Whether the folder can be written (permissions, a read-only or full disk, a
 *   file in the way) is checked before any work, by creating the temporary
 *   folder and writing a probe file into it.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../env/errors.js';
import { fsyncDir, makeDirs, TEMP_PREFIX, writeFileAtomic } from '../env/io/atomic.js';

/** Why a file-system call failed, in a few words (`EACCES: permission denied`). */
function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a file is in the way',
    EEXIST: 'already exists',
    ENAMETOOLONG: 'name too long',
    EIO: 'input/output error',
    EFBIG: 'file too large',
  };
  return err?.code ? `${err.code}: ${words[err.code] ?? 'cannot write'}` : String(err?.message ?? e);
}

/** Error codes that mean the disk (not the program) failed a write: full, over quota, read-only, I/O error, file too large. */
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EFBIG']);

/** True for a write that failed because of the disk (see {@link DISK_CODES}). */
export function isDiskError(e: unknown): boolean {
  return DISK_CODES.has((e as NodeJS.ErrnoException)?.code ?? '');
}

/**
 * A disk that failed while a finished run was being written (it filled up, say):
 * one line and exit 2 like any input error. `summary` carries what was computed,
 * so that the command line can still print it.
 */
export class DiskWriteError extends InputError {
  constructor(
    /** What failed, in a few words (`ENOSPC: no space left on the device`). */
    readonly why: string,
    /** The run's summary, when it was computed before the write failed. */
    readonly summary: unknown = null,
    where = '',
  ) {
    super(`${where ? `${where}: ` : ''}the disk failed while writing (${why})`);
  }

  /** The same error with another message. */
  withMessage(message: string): this {
    this.message = message;
    return this;
  }
}

/** Wraps a disk failure as a {@link DiskWriteError} carrying `summary` (other errors pass through; a DiskWriteError gains the summary). */
export function diskWriteError(e: unknown, summary: unknown = null): unknown {
  if (e instanceof DiskWriteError) return e.summary === null && summary !== null ? new DiskWriteError(e.why, summary) : e;
  return isDiskError(e) ? new DiskWriteError(reason(e), summary) : e;
}

/**
 * The command line's one line for a run whose folder could not be written after
 * the work: nothing of it is left in the folder (the staged copy is removed),
 * and the summary goes to stdout through `print`, so nothing computed is lost.
 */
export function runFolderDiskError(e: DiskWriteError, shown: string, print: (text: string) => void): DiskWriteError {
  if (e.summary !== null) print(JSON.stringify(e.summary, null, 2));
  const kept = e.summary !== null ? '; the summary is printed on stdout' : '';
  return new DiskWriteError(e.why, e.summary, `--out ${shown}`).withMessage(
    `--out ${shown}: the disk failed while writing the run folder (${e.why}); nothing of the run was left there${kept}`,
  );
}

/** True when a process with this id runs on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock on an output folder: `.<name>.lock` in its parent, holding `pid host`. */
export class FolderLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly path: string) {
    process.once('exit', this.onExit);
  }

  /**
   * Takes the lock of `dir` (its parent must exist).
   * @param flag the option that named the folder, for messages (`--out`)
   * @throws {InputError} when another live process holds it, or the lock cannot be written
   */
  static take(dir: string, flag: string): FolderLock {
    const path = join(dirname(dir), `.${basename(dir)}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${process.pid} ${hostname()}\n`);
        closeSync(fd);
        return new FolderLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`${flag} ${dir}: cannot write there (${reason(e)})`);
      }
      let holder = '';
      try {
        holder = readFileSync(path, 'utf8').trim();
      } catch {
        continue; // released meanwhile
      }
      const [pidText, host] = holder.split(' ');
      const pid = Number(pidText);
      const sameHost = host === undefined || host === hostname();
      if (Number.isInteger(pid) && pid > 0 && (!sameHost || (alive(pid) && pid !== process.pid))) {
        throw new InputError(`${flag} ${dir}: another bidgym (pid ${pid}${sameHost ? '' : ` on ${host}`}) is writing this folder; wait for it to finish or choose another folder`);
      }
      rmSync(path, { force: true }); // left by a process that no longer runs
    }
    throw new InputError(`${flag} ${dir}: cannot take the folder's lock (${path})`);
  }

  /** Releases the lock (idempotent; also done when the process exits). */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    rmSync(this.path, { force: true });
  }
}

/**
 * Creates `dir`'s parent folders, as an InputError naming the flag when that fails.
 * @returns the first folder it created (to remove if the run never starts), or null
 */
function makeParent(dir: string, flag: string, shown: string): string | null {
  const parent = dirname(dir);
  try {
    return makeDirs(parent) ?? null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${flag} ${shown}: cannot create its parent folder (${code === 'EEXIST' || code === 'ENOTDIR' ? `${code}: a file is in the way` : reason(e)})`);
  }
}

/** Removes the folders {@link makeParent} created for `dir` (from `created` down), as long as they are empty. */
function removeCreated(dir: string, created: string | null): void {
  if (created === null) return;
  for (let d = dirname(dir); d.length >= created.length; d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return; // not empty (or gone): leave it and everything above
    }
    if (d === created) return;
  }
}

/** Checks that `dir` is a folder or absent: a file (or anything else) in its place is an InputError. */
function assertFolderOrAbsent(dir: string, flag: string): boolean {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return false;
  }
  if (!st.isDirectory()) throw new InputError(`${flag} ${dir}: is a file, not a folder`);
  return true;
}

/** Removes the temporary folders left by killed writers of `dir` (`.tmp-<name>-*` beside it). */
function removeStaleSiblings(dir: string): void {
  const prefix = `${TEMP_PREFIX}${basename(dir)}-`;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(dir));
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix)) rmSync(join(dirname(dir), n), { recursive: true, force: true });
}

/** Writes and fsyncs a small file in `dir`, so that a read-only or full disk shows before any work. */
function probe(dir: string, flag: string, shown: string): void {
  const path = join(dir, `${TEMP_PREFIX}probe`);
  try {
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, 'bidgym\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    rmSync(path, { force: true });
  } catch (e) {
    throw new InputError(`${flag} ${shown}: cannot write there (${reason(e)})`);
  }
}

/**
 * A run folder being written: work goes into {@link staging}; {@link commit}
 * puts it in place of {@link final} in one rename.
 */
export class RunFolder {
  private done = false;

  private constructor(
    /** Where the run folder ends up. */
    readonly final: string,
    /** Sibling temporary folder the run is written into. */
    readonly staging: string,
    private readonly lock: FolderLock,
    private readonly created: string | null,
  ) {}

  /**
   * Prepares `dir` for a new run (before any work): refuses a non-empty folder
   * unless `force`, a file in the way, another writer, and a folder that cannot
   * be written; removes temporary folders of killed writers.
   * @param shown the folder as the user named it, for messages
   * @param flag the option that named it (`--out`)
   */
  static open(dir: string, opts: { force?: boolean; flag?: string; shown?: string } = {}): RunFolder {
    const flag = opts.flag ?? '--out';
    const final = resolve(dir);
    const shown = opts.shown ?? dir;
    if (assertFolderOrAbsent(final, flag) && readdirSync(final).length > 0 && !opts.force) {
      throw new InputError(`${flag} ${shown}: the folder is not empty (an earlier run?); choose another folder, or add --force to replace it`);
    }
    const created = makeParent(final, flag, shown);
    let lock: FolderLock;
    try {
      lock = FolderLock.take(final, flag);
    } catch (e) {
      removeCreated(final, created);
      throw e;
    }
    try {
      removeStaleSiblings(final);
      const staging = join(dirname(final), `${TEMP_PREFIX}${basename(final)}-${process.pid}-${Date.now().toString(36)}`);
      try {
        mkdirSync(staging);
      } catch (e) {
        throw new InputError(`${flag} ${shown}: cannot write there (${reason(e)})`);
      }
      probe(staging, flag, shown);
      return new RunFolder(final, staging, lock, created);
    } catch (e) {
      lock.release();
      removeCreated(final, created);
      throw e;
    }
  }

  /** Puts the staged run in place (replacing an old folder whole), then releases the lock. */
  commit(): void {
    if (this.done) return;
    const parent = dirname(this.final);
    let old: string | null = null;
    if (existsSync(this.final)) {
      old = join(parent, `${TEMP_PREFIX}${basename(this.final)}-old-${process.pid}`);
      renameSync(this.final, old);
    }
    renameSync(this.staging, this.final);
    fsyncDir(parent);
    if (old) rmSync(old, { recursive: true, force: true });
    this.done = true;
    this.lock.release();
  }

  /** Drops the staged run (after a failure) and releases the lock. */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.staging, { recursive: true, force: true });
    this.lock.release();
    removeCreated(this.final, this.created);
  }
}

/**
 * Locks a sweep folder, which is written in place (sweeps resume, so they are
 * not staged): refuses a file in the way, another writer and a folder that
 * cannot be written. Creates nothing but the lock (the sweep creates the folder).
 * @returns the lock to release at the end
 */
export function lockSweepFolder(dir: string, opts: { flag?: string; shown?: string } = {}): FolderLock {
  const flag = opts.flag ?? '--out';
  const final = resolve(dir);
  const shown = opts.shown ?? dir;
  const exists = assertFolderOrAbsent(final, flag);
  const created = makeParent(final, flag, shown);
  try {
    probe(exists ? final : dirname(final), flag, shown);
    return FolderLock.take(final, flag);
  } catch (e) {
    removeCreated(final, created);
    throw e;
  }
}

/**
 * Checks before any work that a command can write the output file `path` (the
 * `--out` of `bidgym log`, say): not a folder or a device, its folder there or
 * creatable (nothing is created now), and writable there (a probe file written,
 * synced and removed in the nearest folder that exists).
 * @returns the resolved path
 * @throws InputError naming the flag
 */
export function checkOutFile(path: string, flag = '--out'): string {
  const p = resolve(path);
  const shown = path.length > 120 ? `…${path.slice(-119)}` : path;
  let st;
  try {
    st = statSync(p); // through a link: a link to /dev/null is refused like /dev/null
  } catch {
    st = null;
  }
  if (st?.isDirectory()) throw new InputError(`${flag} ${shown}: is a folder, expected a file`);
  if (st && !st.isFile()) throw new InputError(`${flag} ${shown}: not a regular file (a file is written whole: a temporary file renamed into place)`);
  let dir = dirname(p);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  let dst;
  try {
    dst = lstatSync(dir);
  } catch (e) {
    throw new InputError(`${flag} ${shown}: cannot create its folder (${reason(e)})`);
  }
  if (!dst.isDirectory()) throw new InputError(`${flag} ${shown}: cannot create its folder (ENOTDIR: a file is in the way)`);
  probe(dir, flag, shown);
  return p;
}

/**
 * Writes an output file checked by {@link checkOutFile} whole (a temporary file
 * renamed into place, its folders created); a disk that fails meanwhile is one
 * line and exit 2, with nothing of the file left. @throws InputError naming the flag
 */
export function writeOutFile(path: string, data: string | Uint8Array, flag = '--out'): void {
  try {
    writeFileAtomic(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new InputError(`${flag} ${path.length > 120 ? `…${path.slice(-119)}` : path}: cannot write it (${reason(e)}); nothing was written`);
    throw e;
  }
}
