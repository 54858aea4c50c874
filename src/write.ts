/**
 * Write: the only module that writes a rendering's files. The output folder always holds either
 * the complete old set or the complete new set of outputs, never a mix:
 *
 * 1. every new file is written under a temporary name in the folder (a failure here removes them
 *    and leaves the old outputs untouched);
 * 2. the old manifest is removed, so the folder reads as incomplete while it changes;
 * 3. the new files are renamed into place (a rename replaces a symlink at the name, never follows it),
 *    and files of the old set that the new set lacks are removed (only those the old manifest lists);
 * 4. the new manifest is renamed in last: a folder with a manifest is complete.
 *
 * A lock file keeps two runs from interleaving in one folder.
 */
import { lstat, mkdir, open, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  const temps = options.temps ?? new Set<string>();
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw writeError(err, dir);
  }
  const lock = await acquireLock(dir, options.lockTimeoutMs ?? 30_000, temps);
  const staged: { temp: string; path: string; name: string }[] = [];
  try {
    for (const file of files) {
      const path = join(dir, file.name);
      const temp = join(dir, `.${file.name}.${process.pid}.tmp`);
      staged.push({ temp, path, name: file.name });
      temps.add(temp);
      await writeFile(temp, file.bytes, { flag: 'wx' });
    }
    // Anything that would make a rename fail half-way (a folder at an output name) fails here, first.
    for (const { path } of staged) {
      const info = await lstat(path).catch(() => undefined);
      if (info?.isDirectory()) throw Object.assign(new Error('an output name is taken by a folder'), { code: 'EISDIR' });
    }
    const previous = await previousOutputs(dir);
    await unlink(join(dir, MANIFEST)).catch(() => undefined);
    const fresh = new Set(files.map((f) => f.name));
    const moveIn = async ({ temp, path }: (typeof staged)[number]): Promise<void> => {
      await rename(temp, path);
      temps.delete(temp);
    };
    const manifest = staged.find((s) => s.name === MANIFEST);
    for (const file of staged) if (file !== manifest) await moveIn(file);
    for (const old of previous) if (!fresh.has(old)) await rm(join(dir, old), { force: true });
    if (manifest) await moveIn(manifest);
  } catch (err) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true }).then(() => temps.delete(temp))));
    throw writeError(err, dir);
  } finally {
    await rm(lock, { force: true });
    temps.delete(lock);
  }
  return staged.map(({ path }) => path);
}

/** The files the folder's current manifest lists: the outputs of the last complete run. */
async function previousOutputs(dir: string): Promise<string[]> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as { files?: { path?: unknown }[] };
    return (manifest.files ?? [])
      .map((file) => file.path)
      .filter((path): path is string => typeof path === 'string' && /^[^/\\]+$/.test(path) && !path.startsWith('.') && path !== MANIFEST);
  } catch {
    return [];
  }
}

/**
 * Creates the folder's lock file (exclusively, with this process's id), waiting while another live
 * process holds it; a lock left by a process that no longer runs is taken over.
 */
async function acquireLock(dir: string, timeoutMs: number, temps: Set<string>): Promise<string> {
  const path = join(dir, LOCK_NAME);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      temps.add(path);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(err, dir);
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (!Number.isInteger(holder) || !isAlive(holder)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CnnvizError('write', `output folder is in use by another cnnviz run (process ${holder}); try again when it has finished`, dir);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
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
