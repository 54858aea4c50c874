/**
 * Inputs: what the command line names, made into a list of images: files, folders (the images
 * directly inside, sorted), and glob patterns expanded by cnnviz itself, so a quoted pattern works
 * the same in every shell. Also the output folder of each image in a batch.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { CnnvizError } from './errors.js';

/** File endings treated as images when a folder or a pattern is expanded. */
export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.gif', '.avif', '.heic', '.heif']);

/**
 * Whether a path segment has glob syntax: `*`, `?` or `[...]`.
 * @example hasGlob('shots/*.jpg') // true
 */
export function hasGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/**
 * Converts one glob segment to a regular expression: `*` any run of characters but `/`, `?` one
 * character, `[abc]` / `[!abc]` a class; everything else literal. A leading dot must be matched literally.
 * @example globSegment('*.png').test('a.png') // true
 */
export function globSegment(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Expands a glob pattern (`*`, `?`, `[...]`, and `**` for any depth of folders) into sorted
 * matching files. Hidden entries match only a pattern segment that starts with a dot.
 * @example await expandGlob('photos/**\/*.jpg')
 */
export async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(/[\\/]+/);
  const absolute = pattern.startsWith('/');
  let start = absolute ? '/' : '.';
  let i = absolute ? 1 : 0;
  while (i < parts.length - 1 && !hasGlob(parts[i]) && parts[i] !== '**') start = join(start, parts[i++]);
  const results: string[] = [];
  const walk = async (dir: string, k: number): Promise<void> => {
    const part = parts[k];
    if (k === parts.length) return;
    const last = k === parts.length - 1;
    if (part === '**') {
      await walk(dir, k + 1);
      for (const entry of await entries(dir)) if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(join(dir, entry.name), k);
      return;
    }
    const matcher = globSegment(part);
    for (const entry of await entries(dir)) {
      if (entry.name.startsWith('.') && !part.startsWith('.')) continue;
      if (!matcher.test(entry.name)) continue;
      const path = join(dir, entry.name);
      if (last) {
        if (entry.isFile() || entry.isSymbolicLink()) results.push(path);
      } else if (entry.isDirectory()) await walk(path, k + 1);
    }
  };
  await walk(start, i);
  const shown = results.map((path) => (absolute ? path : relative('.', path) || path));
  return [...new Set(shown)].sort();
}

async function entries(dir: string) {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/**
 * Resolves the command line's inputs: `-` (stdin) as is, folders to the images directly in them,
 * patterns to their matches; plain paths pass through (a missing one fails later, with its name).
 * @throws {CnnvizError} kind `input` for a pattern or folder that matches no image.
 * @example await resolveInputs(['a.png', 'shots/', '"*.jpg"'])
 */
export async function resolveInputs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push(arg);
      continue;
    }
    const info = await stat(arg).catch(() => undefined);
    if (info?.isDirectory()) {
      const images = (await entries(arg)).filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())).map((e) => join(arg, e.name));
      if (images.length === 0) throw new CnnvizError('input', 'folder holds no images (.png, .jpg, .webp, .tif, .gif, .avif)', arg);
      out.push(...images);
    } else if (!info && hasGlob(arg)) {
      const matches = (await expandGlob(arg)).filter((path) => IMAGE_EXTENSIONS.has(extname(path).toLowerCase()));
      if (matches.length === 0) throw new CnnvizError('input', 'pattern matches no images', arg);
      out.push(...matches);
    } else out.push(arg);
  }
  return out;
}

/**
 * The output folder name of each input in a batch: its file name without the extension (`stdin` for
 * `-`), with `-2`, `-3`, … added in input order when a name is already taken (case-insensitively, so
 * the folders also differ on case-insensitive file systems).
 * @example batchNames(['a/photo.png', 'b/photo.jpg']) // ['photo', 'photo-2']
 */
export function batchNames(inputs: readonly string[]): string[] {
  const taken = new Set<string>();
  return inputs.map((input) => {
    const stem = input === '-' ? 'stdin' : basename(input, extname(input)) || 'image';
    const safe = stem.replace(/[\\/]/g, '_').replace(/^\.+/, '_');
    let name = safe;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${safe}-${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}
