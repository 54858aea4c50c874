/**
 * Read: loads the input file's bytes, turning file-system failures into one-line errors.
 */
import { readFile } from 'node:fs/promises';
import { CnnvizError } from './errors.js';

/**
 * Reads a whole input file.
 * @throws {CnnvizError} kind `input` for a missing file, a folder, or an unreadable path.
 * @example const bytes = await readInput('photo.png');
 */
export async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason: Record<string, string> = {
      ENOENT: 'no such file',
      EISDIR: 'input is a folder, not an image file',
      EACCES: 'permission denied',
      ENOTDIR: 'a parent of the input path is not a folder',
    };
    throw new CnnvizError('input', (code && reason[code]) ?? `cannot read input: ${(err as Error).message}`, path);
  }
}

/** Largest kernel file read, in bytes: a bank of 256 kernels of 256×256 weights fits with room to spare. */
export const MAX_KERNEL_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a kernel file (JSON or .mat) as UTF-8 text.
 * @throws {CnnvizError} kind `usage` for a missing, unreadable or oversized file.
 * @example const text = await readKernelFile('bank.json');
 */
export async function readKernelFile(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readInput(path);
  } catch (err) {
    throw err instanceof CnnvizError ? new CnnvizError('usage', `kernel file: ${err.message}`, path) : err;
  }
  if (bytes.length > MAX_KERNEL_FILE_BYTES) throw new CnnvizError('usage', `kernel file is over ${MAX_KERNEL_FILE_BYTES} bytes`, path);
  return Buffer.from(bytes).toString('utf8');
}
