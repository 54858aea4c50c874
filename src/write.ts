/**
 * Write: the only module that writes a rendering's files. The output folder always holds either
 * the complete old set or the complete new set of outputs, never a mix:
 *
 * 1. every new file is written under a temporary name in the folder, each as soon as its bytes
 *    exist (a failure here removes them and leaves the old outputs untouched);
 * 2. the old manifest is removed, so the folder reads as incomplete while it changes;
 * 3. the new files are renamed into place (a rename replaces a symlink at the name, never follows it),
 *    and files of the old set that the new set lacks are removed (only those the old manifest lists);
 * 4. the new manifest is renamed in last: a folder with a manifest is complete.
 *
 * A lock file keeps two runs from interleaving in one folder.
 *
 * Files are created, renamed and removed synchronously, on purpose: a signal handler (Ctrl-C) runs
 * between those calls, never during one, so it always knows every temporary file that exists and
 * can never interrupt steps 2–4. Queued behind sharp's encoders in libuv's thread pool, an
 * asynchronous create could land after the handler had cleaned up. Only the bytes of a temporary
 * file are written in the thread pool, off the main thread.
 */
import { closeSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFile as writeFileWithFd, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { basename, dirname, join, resolve } from 'node:path';
import { CnnvizError } from './errors.js';

/** One file to write: its name inside the output folder and its bytes. */
export interface OutputFile {
  name: string;
  bytes: Uint8Array;
}

/** Options of {@link writeOutputs}. */
export interface WriteOptions {
  /** Paths of temporary files and locks while they exist, so a signal handler can remove them. */
  temps?: Set<string>;
  /** How long to wait for another run's lock on the folder, in ms. Default 30 000. */
  lockTimeoutMs?: number;
}

/** The lock file's name inside an output folder. */
export const LOCK_NAME = '.cnnviz.lock';
const MANIFEST = 'manifest.json';

/**
 * Writes files into `dir` (created if missing) as described above; returns the written paths
 * (`dir` joined with each name) in order. `manifest.json`, if among the files, goes in last.
 *
 * @throws {CnnvizError} kind `write` when the folder cannot be created or written, or stays locked.
 * @example await writeOutputs('maps', [{ name: 'grid.png', bytes: png }]) // ['maps/grid.png']
 */
export async function writeOutputs(dir: string, files: readonly OutputFile[], options: WriteOptions = {}): Promise<string[]> {
  const staging = stageOutputs(dir, options);
  for (const file of files) staging.add(file.name, file.bytes);
  return staging.commit(files.map((file) => file.name));
}

/**
 * A set of outputs on its way into a folder: each file is written under its temporary name as soon
 * as its bytes arrive, while the rest is still being computed; {@link Staging.commit} then swaps the
 * whole set in (steps 2–4 above).
 */
export interface Staging {
  /** Writes a file under its temporary name once `bytes` resolve. */
  add(name: string, bytes: Uint8Array | PromiseLike<Uint8Array>): void;
  /** Whether a file of this name was added. */
  has(name: string): boolean;
  /**
   * Waits for every file, then makes them the folder's outputs; returns their paths in the order
   * of `names`, which must list exactly the files added.
   * @throws {CnnvizError} kind `write`; the temporary files, the lock and folders it made are gone when it throws.
   */
  commit(names: readonly string[]): Promise<string[]>;
  /** Waits for the files under way, then removes the temporary files, the lock, and folders it made. */
  abort(): Promise<void>;
}

/**
 * Creates the folder and takes its lock (waiting in the background while another run holds it),
 * and returns a {@link Staging} that writes files into it as they come. The CLI adds each tile as
 * its PNG encoding finishes.
 * @example
 * const staging = stageOutputs('maps');
 * staging.add('grid.png', encodePng(grid));
 * await staging.commit(['grid.png']); // ['maps/grid.png']
 */
export function stageOutputs(dir: string, options: WriteOptions = {}): Staging {
  const temps = options.temps ?? new Set<string>();
  let created: string | undefined;
  let aborted = false;
  const ready = (async (): Promise<string> => {
    try {
      created = mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw writeError(err, dir);
    }
    return acquireLock(dir, options.lockTimeoutMs ?? 30_000, temps, () => aborted);
  })();
  ready.catch(() => undefined); // seen by commit() or abort()
  const staged = new Map<string, { temp: string; path: string }>();
  const arrivals: Promise<void>[] = [];
  let failure: unknown;

  const removeTemps = (): void => {
    for (const { temp } of staged.values()) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // a parent that is a file: nothing was written there
      }
      temps.delete(temp);
    }
  };
  // Folders this staging created go too, while empty: a failed run leaves nothing behind.
  const removeCreatedFolders = (): void => {
    if (created === undefined) return;
    for (let folder = resolve(dir); folder.length >= resolve(created).length; folder = dirname(folder)) {
      try {
        rmdirSync(folder);
      } catch {
        break;
      }
    }
  };
  const releaseLock = async (): Promise<void> => {
    const lock = await ready.catch(() => undefined);
    if (lock === undefined) return;
    rmSync(lock, { force: true });
    temps.delete(lock);
  };

  return {
    add(name, bytes) {
      if (staged.has(name)) throw new Error(`stageOutputs: '${name}' was added twice`);
      const entry = { temp: join(dir, `.${name}.${process.pid}.tmp`), path: join(dir, name) };
      staged.set(name, entry);
      arrivals.push(
        (async () => {
          const data = await bytes;
          await ready;
          if (aborted || failure !== undefined) return;
          // Created here, synchronously, so it is in `temps` before it exists; its bytes are written
          // in the thread pool (a file unlinked meanwhile by the signal handler just loses them).
          temps.add(entry.temp);
          const fd = openSync(entry.temp, 'wx');
          try {
            await writeToFd(fd, data);
          } finally {
            closeSync(fd);
          }
        })().catch((err: unknown) => {
          failure ??= err;
        }),
      );
    },
    has: (name) => staged.has(name),
    async commit(names) {
      await Promise.all(arrivals);
      try {
        await ready;
        if (failure !== undefined) throw failure;
        if (names.length !== staged.size || names.some((name) => !staged.has(name))) {
          throw new Error(`stageOutputs: commit lists ${names.join(', ')} but ${[...staged.keys()].join(', ')} were added`);
        }
        // Anything that would make a rename fail half-way (a folder at an output name) fails here, first.
        for (const { path } of staged.values()) {
          if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) {
            throw Object.assign(new Error('an output name is taken by a folder'), { code: 'EISDIR' });
          }
        }
        const previous = previousOutputs(dir);
        rmSync(join(dir, MANIFEST), { force: true });
        const moveIn = (name: string): void => {
          const { temp, path } = staged.get(name) as { temp: string; path: string };
          renameSync(temp, path);
          temps.delete(temp);
        };
        for (const name of names) if (name !== MANIFEST) moveIn(name);
        for (const old of previous) if (!staged.has(old)) rmSync(join(dir, old), { force: true });
        if (staged.has(MANIFEST)) moveIn(MANIFEST);
      } catch (err) {
        removeTemps();
        await releaseLock();
        removeCreatedFolders();
        throw writeError(err, dir);
      }
      await releaseLock();
      return names.map((name) => (staged.get(name) as { path: string }).path);
    },
    async abort() {
      aborted = true;
      await Promise.all(arrivals);
      removeTemps();
      await releaseLock();
      removeCreatedFolders();
    },
  };
}

const writeToFd = promisify((fd: number, data: Uint8Array, done: (err: NodeJS.ErrnoException | null) => void) => writeFileWithFd(fd, data, done));

/** The files the folder's current manifest lists: the outputs of the last complete run. */
function previousOutputs(dir: string): string[] {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as { files?: { path?: unknown }[] };
    return (manifest.files ?? [])
      .map((file) => file.path)
      .filter((path): path is string => typeof path === 'string' && /^[^/\\]+$/.test(path) && !path.startsWith('.') && path !== MANIFEST);
  } catch {
    return [];
  }
}

/**
 * Creates the folder's lock file holding this process's id, waiting while another live process
 * holds it; a lock left by a process that no longer runs is taken over, and the temporary files that
 * process left are removed. The lock appears whole:
 * the id is written to a file of this process's own, which is then hard-linked to the lock's name
 * (atomic; an `O_EXCL` create then write is the fallback where links are not supported). Its path
 * is in `temps` from the start, for {@link removeTempsSync} to remove if it names this process.
 */
async function acquireLock(dir: string, timeoutMs: number, temps: Set<string>, cancelled: () => boolean): Promise<string> {
  const path = join(dir, LOCK_NAME);
  const mine = join(dir, `.${LOCK_NAME}.${process.pid}.tmp`);
  const deadline = Date.now() + timeoutMs;
  temps.add(path);
  temps.add(mine);
  try {
    writeFileSync(mine, `${process.pid}\n`);
    let links = true;
    for (;;) {
      try {
        if (links) linkSync(mine, path);
        else writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
        return path;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (links && code !== undefined && ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK'].includes(code)) {
          links = false;
          continue;
        }
        if (code !== 'EEXIST') throw writeError(err, dir);
      }
      const holder = Number.parseInt(readLock(path), 10);
      if (!Number.isInteger(holder) || !isAlive(holder)) {
        // A run that was killed: its lock and the temporary files it left go.
        if (Number.isInteger(holder)) removeTempsOf(dir, holder);
        rmSync(path, { force: true });
        continue;
      }
      if (cancelled()) throw new CnnvizError('write', 'cancelled while waiting for the output folder', dir);
      if (Date.now() >= deadline) {
        throw new CnnvizError('write', `output folder is in use by another cnnviz run (process ${holder}); try again when it has finished`, dir);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    temps.delete(path);
    throw err;
  } finally {
    rmSync(mine, { force: true });
    temps.delete(mine);
  }
}

/** Removes the temporary files (`.NAME.PID.tmp`) that process `pid` left in `dir`. */
function removeTempsOf(dir: string, pid: number): void {
  const suffix = `.${pid}.tmp`;
  for (const name of readdirSync(dir)) if (name.startsWith('.') && name.endsWith(suffix)) rmSync(join(dir, name), { force: true });
}

function readLock(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Removes temporary files at once, for a signal handler: every path in `temps`, except a lock file
 * that does not name this process (another run's lock, while this one waits for it).
 * @example process.once('SIGINT', () => { removeTempsSync(temps); process.exit(130); });
 */
export function removeTempsSync(temps: ReadonlySet<string>): void {
  for (const path of temps) {
    if (basename(path) === LOCK_NAME && readLock(path) !== `${process.pid}\n`) continue;
    rmSync(path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeError(err: unknown, dir: string): CnnvizError {
  if (err instanceof CnnvizError) return err;
  const e = err as NodeJS.ErrnoException;
  const reason: Record<string, string> = {
    ENOTDIR: 'a parent of the output folder is a file',
    EEXIST: 'a file is in the way of the output folder',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EISDIR: 'an output name is taken by a folder',
  };
  const what = (e.code && reason[e.code]) ?? e.message ?? String(err);
  return new CnnvizError('write', `cannot write outputs: ${what}`, dir);
}
