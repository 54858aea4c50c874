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
