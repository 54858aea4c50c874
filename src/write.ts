/**
 * Write: the only module that writes files. All outputs are first written under temporary
 * names in the output folder, then renamed into place in order, the manifest last, so a failed
 * run leaves the previous outputs as they were and a folder with a manifest is complete.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CnnvizError } from './errors.js';

/** One file to write: its name inside the output folder and its bytes. */
export interface OutputFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * Writes files into `dir` (created if missing), each via a temporary name and a rename; returns
 * the written paths (`dir` joined with each name) in order.
 *
 * @throws {CnnvizError} kind `write` when the folder cannot be created or a file cannot be written.
 * @example await writeOutputs('maps', [{ name: 'grid.png', bytes: png }]) // ['maps/grid.png']
 */
export async function writeOutputs(dir: string, files: readonly OutputFile[]): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw writeError(err, dir);
  }
  const staged: { temp: string; path: string }[] = [];
  try {
    for (const file of files) {
      const path = join(dir, file.name);
      const temp = join(dir, `.${file.name}.${process.pid}.tmp`);
      staged.push({ temp, path });
      await writeFile(temp, file.bytes, { flag: 'wx' });
    }
    // rename() replaces a symlink at the destination instead of following it.
    for (const { temp, path } of staged) await rename(temp, path);
  } catch (err) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw writeError(err, dir);
  }
  return staged.map(({ path }) => path);
}

function writeError(err: unknown, dir: string): CnnvizError {
  const e = err as NodeJS.ErrnoException;
  const reason: Record<string, string> = {
    ENOTDIR: 'a parent of the output folder is a file',
    EEXIST: 'a file is in the way of the output folder',
    ENOSPC: 'no space left on the device',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EISDIR: 'an output name is taken by a folder',
  };
  const what = (e.code && reason[e.code]) ?? e.message ?? String(err);
  return new CnnvizError('write', `cannot write outputs: ${what}`, dir);
}
